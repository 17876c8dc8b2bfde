import { expect } from 'chai';
import { CommandSet, ConfigParams, Descriptor, Parameters, References } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsCommand } from '../../src/logic/SessionsCommand';
import { SessionsCommandSet } from '../../src/logic/SessionsCommandSet';
import { SessionsController } from '../../src/logic/SessionsController';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { TEST_AUDIT_KEY } from '../fixtures/TestAuditKey';

describe('SessionsCommandSet', () => {
    let controller: SessionsController;

    beforeEach(async () => {
        const persistence = new SessionsMemoryPersistence();
        await persistence.open(null);
        controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
        controller.setReferences(References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence));
    });

    it('has the original commands, and close_user_sessions and validate_session', () => {
        const names = controller.getCommandSet().getCommands().map(command => command.getName()).sort();
        expect(names).to.deep.equal(['close_expired_sessions', 'close_session', 'close_user_sessions', 'delete_session_by_id',
            'get_session_by_id', 'get_sessions', 'open_session', 'store_session_data', 'update_session_user', 'validate_session']);
    });

    it('hands the services a controller\'s commands typed, and refuses a command set that is not ours with WRONG_CONTROLLER', () => {
        const commands = SessionsCommandSet.of(new SessionsController()).getCommands();
        expect(commands.every(command => command instanceof SessionsCommand)).to.equal(true);
        expect(commands.map(command => command.getName())).to.include('open_session');
        expect(() => SessionsCommandSet.of({ getCommandSet: () => new CommandSet() })).to.throw()
            .with.property('code', 'WRONG_CONTROLLER');
    });

    it('runs a command by name keeping the caller\'s correlation id in its errors', async () => {
        const commands = controller.getCommandSet();
        const opened = await commands.execute('trace-1', 'open_session', Parameters.fromTuples('user_id', 'u1')) as SessionV1;
        expect(opened.user_id).to.equal('u1');

        let error: { code?: string; correlation_id?: string; status?: number } | null = null;
        try {
            await commands.execute('trace-2', 'get_session_by_id', Parameters.fromTuples('session_id', 12));
        } catch (err) {
            error = err as typeof error;
        }
        expect(error!.code).to.equal('INVALID_DATA');
        expect(error!.status).to.equal(400);
        expect(error!.correlation_id).to.equal('trace-2');

        try {
            await commands.execute('trace-3', 'no_such_command', new Parameters());
            expect.fail('an unknown command must fail');
        } catch (err) {
            expect((err as { code: string }).code).to.equal('CMD_NOT_FOUND');
        }
    });

    /** The error a command fails with; fails the test if it succeeds. */
    async function failure(command: string, args: Parameters): Promise<{ code?: string; status?: number; details?: { field?: string } }> {
        try {
            await controller.getCommandSet().execute('t', command, args);
        } catch (err) {
            return err as { code?: string; status?: number; details?: { field?: string } };
        }
        throw new Error('Expected ' + command + ' to fail');
    }

    it('stores false, 0 and "" in user and data as given, not as null or as missing', async () => {
        const commands = controller.getCommandSet();
        for (const value of [false, 0, '']) {
            const opened = await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u', user: value, data: value })) as SessionV1;
            expect(opened.user, JSON.stringify(value)).to.equal(value);
            expect(opened.data, JSON.stringify(value)).to.equal(value);
            const stored = await commands.execute('t', 'store_session_data', Parameters.fromValue({ session_id: opened.id, data: value })) as SessionV1;
            expect(stored.data, JSON.stringify(value)).to.equal(value);
            const updated = await commands.execute('t', 'update_session_user', Parameters.fromValue({ session_id: opened.id, user: value })) as SessionV1;
            expect(updated.user, JSON.stringify(value)).to.equal(value);
        }
        const plain = await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u' })) as SessionV1;
        expect(plain).to.include({ user: null, data: null });
    });

    it('refuses a wrong-typed falsy argument by its type instead of ignoring it or calling it missing', async () => {
        const error = await failure('open_session', Parameters.fromValue({ user_id: 0 }));
        expect(error.code).to.equal('INVALID_DATA');
        expect((error as Error).message).to.match(/user_id type must be string/);
        expect((await failure('open_session', Parameters.fromValue({ user_id: 'u', user_name: 0 }))).details?.field).to.equal('user_name');
    });

    it('ignores arguments named after Parameters\' methods instead of failing with a 500', async () => {
        const commands = controller.getCommandSet();
        const args = SessionsCommand.argumentsOf({
            user_id: 'u', get: 1, getAsString: 'x', getAsNullableString: 2, getAsObject: [], hasOwnProperty: 1, put: null
        });
        const opened = await commands.execute('t', 'open_session', args) as SessionV1;
        expect(opened.user_id).to.equal('u');
        const found = await commands.execute('t', 'get_session_by_id', SessionsCommand.argumentsOf({ session_id: opened.id, get: 1 }));
        expect(found).to.deep.equal(opened);
    });

    it('reads the filter and paging fields it knows, whatever else they hold (fields named get or toString were a 500)', async () => {
        const commands = controller.getCommandSet();
        await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u1' }));
        await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u1' }));
        await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u2' }));
        const page = await commands.execute('t', 'get_sessions', Parameters.fromValue({
            filter: { user_id: 'u1', get: false, toString: { a: 1 }, getAsNullableString: 'x' },
            paging: { take: 1, total: true, get: 1, getAsNullableLong: [] }
        })) as { data: SessionV1[]; total: number };
        expect(page.total).to.equal(2);
        expect(page.data.map(session => session.user_id)).to.deep.equal(['u1']);
    });

    it('refuses each filter field of the wrong type with 400 INVALID_DATA naming it, instead of converting it or a 500', async () => {
        const commands = controller.getCommandSet();
        await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u1' }));
        const wrong: unknown[] = [[], ['u1'], [1, 2], {}, { toString: 1 }, { toString: 1, valueOf: 1 }, { $ne: null }, 0, 1, 1.5];
        const fields = ['id', 'user_id', 'active', 'from_time', 'to_time', 'client', 'address', 'close_reason'];
        for (const field of fields) {
            // A JSON boolean is what active takes; for every other field it is a wrong type.
            const values = field === 'active' ? wrong : [...wrong, true, false];
            for (const value of values) {
                const what = field + ': ' + JSON.stringify(value);
                const error = await failure('get_sessions', SessionsCommand.argumentsOf(JSON.parse(JSON.stringify({ filter: { [field]: value } }))));
                expect(error.status, what).to.equal(400);
                expect(error.code, what).to.equal('INVALID_DATA');
                expect(error.details?.field, what).to.equal('filter.' + field);
                expect((error as Error).message, what).to.contain('filter.' + field + ' must be');
            }
        }
        // Several at once: each is named in the message, the first in details.field.
        const several = await failure('get_sessions', SessionsCommand.argumentsOf({ filter: { client: [], active: 1 } }));
        expect(several.details?.field).to.equal('filter.active');
        expect((several as Error).message).to.contain('filter.client must be a string, not an array');
    });

    it('filters by the string forms the original\'s client sends, and by JSON booleans for active', async () => {
        const commands = controller.getCommandSet();
        const open = async (userId: string, client: string, address: string): Promise<SessionV1> =>
            await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: userId, client, address })) as SessionV1;
        const first = await open('u1', 'web', '10.0.0.1');
        await new Promise(resolve => setTimeout(resolve, 5));
        const second = await open('u1', 'mobile', '10.0.0.2');
        const other = await open('u2', 'web', '10.0.0.3');
        const ids = async (filter: Record<string, unknown>): Promise<string[]> => {
            const page = await commands.execute('t', 'get_sessions', SessionsCommand.argumentsOf({ filter })) as { data: SessionV1[] };
            return page.data.map(session => session.id).sort();
        };
        const sorted = (...sessions: SessionV1[]): string[] => sessions.map(session => session.id).sort();
        // Times first: closing a session moves its request_time.
        expect(await ids({ from_time: second.request_time.toISOString() })).to.deep.equal(sorted(second, other));
        expect(await ids({ to_time: second.request_time.toISOString(), user_id: 'u1' })).to.deep.equal(sorted(first));
        await commands.execute('t', 'close_session', Parameters.fromValue({ session_id: first.id }));
        expect(await ids({ id: second.id })).to.deep.equal(sorted(second));
        expect(await ids({ user_id: 'u1' })).to.deep.equal(sorted(first, second));
        for (const active of ['true', true, 'TRUE', '1']) expect(await ids({ active }), String(active)).to.deep.equal(sorted(second, other));
        for (const active of ['false', false, '0']) expect(await ids({ active }), String(active)).to.deep.equal(sorted(first));
        expect(await ids({ client: 'web' })).to.deep.equal(sorted(first, other));
        expect(await ids({ address: '10.0.0.2' })).to.deep.equal(sorted(second));
        expect(await ids({ close_reason: 'logout' })).to.deep.equal(sorted(first));
        // null and "" set no condition, as before.
        expect(await ids({ user_id: null, active: '', from_time: '', client: '' })).to.deep.equal(sorted(first, second, other));
    });

    it('refuses user and data nested deeper than 64 levels with INVALID_DATA, even 10,000 deep', async () => {
        let deep: unknown = 1;
        for (let level = 0; level < 10000; level++) deep = { a: deep };
        let limit: unknown = 1;
        for (let level = 0; level < 64; level++) limit = [limit];
        const commands = controller.getCommandSet();
        const opened = await commands.execute('t', 'open_session', Parameters.fromValue({ user_id: 'u', data: limit })) as SessionV1;
        for (const [command, args, field] of [
            ['open_session', { user_id: 'u', data: deep }, 'data'],
            ['open_session', { user_id: 'u', user: [limit] }, 'user'],
            ['store_session_data', { session_id: opened.id, data: deep }, 'data'],
            ['update_session_user', { session_id: opened.id, user: deep }, 'user'],
            ['get_sessions', { filter: { user_id: deep } }, 'filter'],
            ['get_sessions', { paging: { skip: deep } }, 'paging']
        ] as Array<[string, Record<string, unknown>, string]>) {
            const error = await failure(command, Parameters.fromValue(args));
            expect(error.code, command).to.equal('INVALID_DATA');
            expect(error.details?.field, command).to.equal(field);
        }
        expect(await commands.execute('t', 'get_session_by_id', Parameters.fromValue({ session_id: opened.id }))).to.deep.equal(opened);
    });

    it('refuses a paging object the toolkit cannot inspect (an own constructor field) with INVALID_DATA', async () => {
        for (const args of [{ paging: { constructor: [] } }, { paging: { constructor: 'x' } }, { paging: { constructor: null } }]) {
            const error = await failure('get_sessions', Parameters.fromValue(args));
            expect(error.code, JSON.stringify(args)).to.equal('INVALID_DATA');
            expect(error.status).to.equal(400);
        }
    });

    it('does not take members of Object.prototype for commands', async () => {
        const commands = controller.getCommandSet();
        for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
            expect(commands.findCommand(name), name).to.equal(undefined);
            expect((await failure(name, new Parameters())).code, name).to.equal('CMD_NOT_FOUND');
        }
        expect(commands.findCommand('get_sessions').getName()).to.equal('get_sessions');
    });

    it('lets errors of the logic through with their own status instead of a 500', async () => {
        try {
            await controller.getCommandSet().execute('t', 'get_sessions',
                Parameters.fromValue({ filter: { to_time: 'not a date' } }));
            expect.fail('an invalid filter must fail');
        } catch (err) {
            expect((err as { status: number }).status).to.equal(400);
            expect((err as { code: string }).code).to.equal('INVALID_DATA');
        }
    });
});
