import * as path from 'path';

import { expect } from 'chai';
import { ApplicationException, ConfigParams, Descriptor, FilterParams, References } from 'pip-services3-commons-nodex';
import { ContainerConfigReader } from 'pip-services3-container-nodex';

import { SessionsProcess } from '../../src/container/SessionsProcess';
import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsCommand } from '../../src/logic/SessionsCommand';
import { SessionsController } from '../../src/logic/SessionsController';
import { SessionsMetrics } from '../../src/logic/SessionsMetrics';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { KeptLogger } from '../fixtures/KeptLogger';
import { PACKAGE_ROOT } from '../fixtures/TestService';
import { ClockedController } from './ClockedController';
import { ControllerStore, ControllerStores, storePerTest } from './ControllerStore';
import { buildController, MINUTE, refusal } from './SessionsControllerFixture';

/** A JSON value whose text is exactly `bytes` bytes of UTF-8 (2 bytes per character but the quotes). */
function valueOf(bytes: number): { v: string } {
    // {"v":"..."} is 8 bytes around the text; an odd remainder takes one ASCII character.
    const text = bytes - 8;
    return { v: 'é'.repeat(Math.floor(text / 2)) + 'x'.repeat(text % 2) };
}

/** The controller's rules for opening, changing, closing and limiting sessions, on one kind of store. */
function describeControllerRules(kind: ControllerStore): void {
    describe('SessionsController, ' + kind.name + ' store', function () {
        const store = storePerTest(kind);
        let controller: SessionsController;

        beforeEach(() => {
            controller = buildController(store());
        });

        afterEach(async () => {
            await controller.close(null);
        });

        it('opens a session with a fresh 128-bit id and the times set to now', async () => {
            const before = Date.now();
            const session = await controller.openSession(null, 'u1', 'Ann', '10.0.0.1', 'web', { role: 'admin' }, { cart: [] });
            expect(session.id).to.match(/^[0-9a-f]{32}$/);
            expect(session.active).to.equal(true);
            expect(session.open_time.getTime()).to.be.within(before, Date.now());
            expect(session.request_time.getTime()).to.equal(session.open_time.getTime());
            expect(session.close_time == null).to.equal(true);
            expect(session).to.include({ user_id: 'u1', user_name: 'Ann', address: '10.0.0.1', client: 'web' });
            expect((await controller.getSessionById(null, session.id))!.user).to.deep.equal({ role: 'admin' });

            // Opening always creates: the same user gets a second, different session.
            const second = await controller.openSession(null, 'u1');
            expect(second.id).to.not.equal(session.id);
            expect(second).to.not.have.property('user_name');
            expect((await controller.getSessions(null, null, null)).data.length).to.equal(2);
        });

        it('stores data and user, moving request_time forward', async () => {
            const session = await controller.openSession(null, 'u1', 'Ann', null, null, { v: 1 }, { v: 1 });
            await new Promise(resolve => setTimeout(resolve, 5));

            const stored = await controller.storeSessionData(null, session.id, { v: 2 });
            expect(stored!.data).to.deep.equal({ v: 2 });
            expect(stored!.user).to.deep.equal({ v: 1 });
            expect(stored!.request_time.getTime()).to.be.greaterThan(session.request_time.getTime());
            expect(stored!.open_time.getTime()).to.equal(session.open_time.getTime());

            const updated = await controller.updateSessionUser(null, session.id, { v: 3 });
            expect(updated!.user).to.deep.equal({ v: 3 });
            expect(updated!.data).to.deep.equal({ v: 2 });

            expect(await controller.storeSessionData(null, 'missing', { v: 1 })).to.equal(null);
            expect(await controller.updateSessionUser(null, 'missing', { v: 1 })).to.equal(null);
        });

        it('closes a session: inactive, close_time set, user and data cleared', async () => {
            const session = await controller.openSession(null, 'u1', 'Ann', null, null, { v: 1 }, { v: 1 });
            const closed = await controller.closeSession(null, session.id);
            expect(closed!.active).to.equal(false);
            expect(closed!.close_time).to.be.instanceOf(Date);
            expect(closed!.request_time.getTime()).to.equal(closed!.close_time!.getTime());
            expect(closed!.user).to.equal(null);
            expect(closed!.data).to.equal(null);
            expect(await controller.closeSession(null, 'missing')).to.equal(null);
        });

        it('deletes a session', async () => {
            const session = await controller.openSession(null, 'u1');
            expect((await controller.deleteSessionById(null, session.id))!.id).to.equal(session.id);
            expect(await controller.getSessionById(null, session.id)).to.equal(null);
            expect(await controller.deleteSessionById(null, session.id)).to.equal(null);
        });

        it('refuses user and data over max_data_size in open_session, store_session_data and update_session_user with 413, storing nothing', async () => {
            const limited = buildController(store(), { max_data_size: 100 });
            const commands = limited.getCommandSet();
            expect(JSON.stringify(valueOf(101)).length, 'measured in bytes, not characters').to.be.below(101);
            const session = await limited.openSession(null, 'u1', null, null, null, { role: 'kept' }, { step: 'kept' });
            const cases: Array<[string, Record<string, unknown>, string]> = [
                ['open_session', { user_id: 'u2', user: valueOf(101) }, 'user'],
                ['open_session', { user_id: 'u2', data: valueOf(101) }, 'data'],
                ['open_session', { user_id: 'u2', user: valueOf(100), data: 'x'.repeat(200) }, 'data'],
                ['store_session_data', { session_id: session.id, data: valueOf(101) }, 'data'],
                ['update_session_user', { session_id: session.id, user: valueOf(5000) }, 'user'],
                // Checked before the session is looked up: an unknown id changes nothing either way.
                ['store_session_data', { session_id: 'missing', data: valueOf(101) }, 'data']
            ];
            for (const [command, args, field] of cases) {
                const error = await refusal<ApplicationException>(commands.execute('c1', command, SessionsCommand.argumentsOf(args)));
                expect([error.status, error.code], command).to.deep.equal([413, 'DATA_TOO_LARGE']);
                expect(error.details, command).to.include({ field, max_data_size: '100' }, 'the toolkit keeps details as strings');
                expect(error.message, command).to.contain(field).and.contain('100 bytes').and.contain('max_data_size');
                expect(error.correlation_id).to.equal('c1');
            }
            const page = await limited.getSessions(null, new FilterParams(), null);
            expect(page.data.map(item => item.id), 'no session opened').to.deep.equal([session.id]);
            const kept = await limited.getSessionById(null, session.id);
            expect(kept).to.deep.include({ user: { role: 'kept' }, data: { step: 'kept' } });
            expect(kept!.request_time.getTime(), 'not even touched').to.equal(session.request_time.getTime());
        });

        it('accepts user and data of exactly max_data_size', async () => {
            const limited = buildController(store(), { max_data_size: 100 });
            const commands = limited.getCommandSet();
            const session = await commands.execute('c2', 'open_session', SessionsCommand.argumentsOf(
                { user_id: 'u1', user: valueOf(100), data: valueOf(100) })) as SessionV1;
            expect(session.data).to.deep.equal(valueOf(100));
            const stored = await commands.execute('c2', 'store_session_data', SessionsCommand.argumentsOf(
                { session_id: session.id, data: valueOf(99) })) as SessionV1;
            expect(stored.data).to.deep.equal(valueOf(99));
            const updated = await commands.execute('c2', 'update_session_user', SessionsCommand.argumentsOf(
                { session_id: session.id, user: valueOf(100) })) as SessionV1;
            expect(updated.user).to.deep.equal(valueOf(100));
            // A string of the limit's size: its JSON has two quotes more, so it is over.
            const error = await refusal<ApplicationException>(limited.storeSessionData(null, session.id, 'x'.repeat(100)));
            expect(error.details).to.include({ field: 'data', size: '102' });
        });

        it('max_sessions_per_user with evict_oldest closes the least recently active, reason evicted', async () => {
            const limited = buildController(store(), { idle_timeout: 30 * MINUTE, max_sessions_per_user: 2 }, new ClockedController());
            const first = await limited.openSession(null, 'u1');
            limited.time += MINUTE;
            const second = await limited.openSession(null, 'u1');
            limited.time += MINUTE;
            await limited.storeSessionData(null, first.id, { busy: true });
            limited.time += MINUTE;
            const third = await limited.openSession(null, 'u1');
            expect(await limited.getSessionById(null, second.id)).to.include({ active: false, close_reason: 'evicted' });
            expect((await limited.getSessionById(null, first.id))!.active, 'used more recently').to.equal(true);
            expect((await limited.getSessionById(null, third.id))!.active).to.equal(true);
            expect((await limited.openSession(null, 'u2')).active, 'per user').to.equal(true);

            // Expired sessions do not count.
            limited.time += 31 * MINUTE;
            const later = [await limited.openSession(null, 'u1'), await limited.openSession(null, 'u1')];
            for (const session of later) expect((await limited.getSessionById(null, session.id))!.active).to.equal(true);
            expect((await limited.getSessionById(null, first.id))!.close_reason).to.equal('idle');
        });

        it('max_sessions_per_user with reject refuses with 409 SESSION_LIMIT_REACHED', async () => {
            const limited = buildController(store(), { max_sessions_per_user: 1, session_limit_policy: 'reject' },
                new ClockedController());
            const first = await limited.openSession(null, 'u1');
            const error = await refusal<ApplicationException>(limited.openSession(null, 'u1'));
            expect([error.code, error.status]).to.deep.equal(['SESSION_LIMIT_REACHED', 409]);
            expect(error.message).to.contain('(1)');
            await limited.closeSession(null, first.id);
            expect((await limited.openSession(null, 'u1')).active, 'a closed session frees its place').to.equal(true);
        });

        it('writes an audit line for every open and every close, with its reason, and counts closes by reason', async () => {
            const logger = new KeptLogger();
            const metrics = new SessionsMetrics();
            const audited = new ClockedController();
            audited.configure(ConfigParams.fromTuples('options.idle_timeout', 30 * MINUTE, 'options.absolute_timeout', 60 * MINUTE,
                'options.max_sessions_per_user', 2, 'options.audit_key', 'audit-key-of-the-tests-0123456789'));
            audited.setReferences(References.fromTuples(
                new Descriptor('service-sessions', 'persistence', kind.name, 'default', '1.0'), store(),
                new Descriptor('pip-services', 'logger', 'kept', 'default', '1.0'), logger,
                new Descriptor('service-sessions', 'metrics', 'prometheus', 'default', '1.0'), metrics));
            const hash = (id: string) => audited.auditHash(id);

            const a = await audited.openSession(null, 'u1', null, '10.0.0.1', 'web');
            audited.time += 1000;
            const b = await audited.openSession(null, 'u1');
            audited.time += 1000;
            const c = await audited.openSession(null, 'u1');                  // evicts a, the least recently active
            await audited.closeSession(null, b.id);                           // logout
            const d = await audited.openSession(null, 'u2');
            const e = await audited.openSession(null, 'u2');
            await audited.closeUserSessions(null, 'u2', e.id);                // revokes d
            audited.time += 20 * MINUTE;
            await audited.storeSessionData(null, e.id, { step: 0 });
            audited.time += 11 * MINUTE;
            await audited.getSessionById(null, c.id);                         // idle, on access
            for (let step = 1; step <= 2; step++) {
                audited.time += 10 * MINUTE;
                await audited.storeSessionData(null, e.id, { step });
            }
            audited.time += 10 * MINUTE;
            await audited.closeExpiredSessions(null);                         // e: absolute

            const events = logger.audit.map(item => [item.event, item.reason ?? '', item.session]);
            expect(events).to.deep.equal([
                ['open', '', hash(a.id)], ['open', '', hash(b.id)], ['open', '', hash(c.id)], ['close', 'evicted', hash(a.id)],
                ['close', 'logout', hash(b.id)], ['open', '', hash(d.id)], ['open', '', hash(e.id)], ['close', 'revoked', hash(d.id)],
                ['close', 'idle', hash(c.id)], ['close', 'absolute', hash(e.id)]
            ]);
            expect(logger.audit[0]).to.include({ user_id: 'u1', client: 'web', address: '10.0.0.1' });
            const text = logger.messages.map(item => item.message).join('\n');
            for (const session of [a, b, c, d, e]) expect(text).to.not.contain(session.id);

            const exposed = await metrics.registry.metrics();
            for (const reason of ['evicted', 'logout', 'revoked', 'idle', 'absolute']) {
                expect(exposed).to.contain('sessions_ended_total{reason="' + reason + '"} 1');
            }
        });
    });
}

for (const kind of ControllerStores) describeControllerRules(kind);

// Settings and ids: nothing a store does is in them, so they run once.
describe('SessionsController, memory store only', () => {
    let persistence: SessionsMemoryPersistence;

    beforeEach(async () => {
        persistence = new SessionsMemoryPersistence();
        await persistence.open(null);
    });

    it('draws ids without repeats and with every hex digit in use', () => {
        const ids = new Set<string>();
        const digits = new Set<string>();
        for (let index = 0; index < 2000; index++) {
            const id = SessionsController.newSessionId();
            ids.add(id);
            for (const char of id) digits.add(char);
        }
        expect(ids.size).to.equal(2000);
        expect(digits.size).to.equal(16);
    });

    it('max_data_size is 1048576 bytes (the HTTP body limit) by default, in the controller and in the bundled config', () => {
        expect(new SessionsController().maxDataSize).to.equal(1048576);
        expect(buildController(persistence).maxDataSize).to.equal(1048576);
        const config = ContainerConfigReader.readFromFile('test', path.join(PACKAGE_ROOT, 'config', 'config.yml'),
            SessionsProcess.parameters([], {}));
        const component = config.find(item => item.descriptor?.getType() === 'controller');
        expect(component!.config.getAsNullableLong('options.max_data_size')).to.equal(1048576);
        const configured = ContainerConfigReader.readFromFile('test', path.join(PACKAGE_ROOT, 'config', 'config.yml'),
            SessionsProcess.parameters([], { MAX_DATA_SIZE: '2048' }));
        expect(configured.find(item => item.descriptor?.getType() === 'controller')!.config
            .getAsNullableLong('options.max_data_size')).to.equal(2048);
        expect(() => buildController(persistence, { max_data_size: 0 })).to.throw(/options\.max_data_size is "-?\d+": allowed is a whole number of bytes, 1 or more/);
        expect(() => buildController(persistence, { max_data_size: -5 })).to.throw(/options\.max_data_size is "-?\d+": allowed is a whole number of bytes, 1 or more/);
    });

    it('refuses a session_limit_policy other than evict_oldest and reject', () => {
        expect(() => buildController(persistence, { session_limit_policy: 'newest' })).to.throw(/session_limit_policy is "newest": allowed is one of evict_oldest, reject/);
    });
});
