import { expect } from 'chai';
import { Descriptor, Parameters, References } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsController } from '../../src/logic/SessionsController';
import { SessionsMemoryPersistence } from '../../src/persistence/SessionsMemoryPersistence';

describe('SessionsCommandSet', () => {
    let controller: SessionsController;

    beforeEach(async () => {
        const persistence = new SessionsMemoryPersistence();
        await persistence.open(null);
        controller = new SessionsController();
        controller.setReferences(References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence));
    });

    it('has the original commands', () => {
        const names = controller.getCommandSet().getCommands().map(command => command.getName()).sort();
        expect(names).to.deep.equal(['close_expired_sessions', 'close_session', 'delete_session_by_id',
            'get_session_by_id', 'get_sessions', 'open_session', 'store_session_data', 'update_session_user']);
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
