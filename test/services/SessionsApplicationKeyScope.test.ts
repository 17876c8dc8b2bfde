import { expect } from 'chai';

import { SessionsController } from '../../src/logic/SessionsController';
import { SessionsApplicationKeyScope } from '../../src/services/SessionsApplicationKeyScope';

describe('SessionsApplicationKeyScope', () => {
    it('permits the per-user commands with any arguments', () => {
        for (const command of ['open_session', 'get_session_by_id', 'validate_session', 'store_session_data',
            'update_session_user', 'close_session', 'close_user_sessions']) {
            expect(SessionsApplicationKeyScope.permits(command, {}), command).to.equal(true);
            expect(SessionsApplicationKeyScope.permits(command, null), command).to.equal(true);
        }
    });

    it('refuses what spans every user, and any command it does not list (a new one stays with the full key)', () => {
        for (const command of ['delete_session_by_id', 'close_expired_sessions', 'a_new_command', 'constructor', '__proto__', '']) {
            expect(SessionsApplicationKeyScope.permits(command, { filter: { user_id: 'u1' } }), command).to.equal(false);
        }
    });

    it('permits get_sessions only when the filter names a user_id as a non-empty string of its own', () => {
        expect(SessionsApplicationKeyScope.permits('get_sessions', { filter: { user_id: 'u1' } })).to.equal(true);
        expect(SessionsApplicationKeyScope.permits('get_sessions', { filter: { user_id: 'u1', active: true }, paging: { take: 5 } })).to.equal(true);
        const inherited = Object.create({ user_id: 'u1' }) as object;
        const refused: unknown[] = [
            undefined, null, {}, { paging: { take: 5 } }, { filter: null }, { filter: {} }, { filter: { user_id: '' } },
            { filter: { user_id: null } }, { filter: { user_id: 5 } }, { filter: { user_id: ['u1'] } }, { filter: { id: 's1' } },
            { filter: 'user_id=u1' }, { filter: [{ user_id: 'u1' }] }, { filter: inherited }, { user_id: 'u1' }
        ];
        for (const args of refused) {
            expect(SessionsApplicationKeyScope.permits('get_sessions', args), JSON.stringify(args)).to.equal(false);
        }
    });

    it('names only commands the service has', () => {
        const names = new SessionsController().getCommandSet().getCommands().map(command => command.getName());
        for (const command of [...SessionsApplicationKeyScope.Commands, SessionsApplicationKeyScope.OneUserListing]) {
            expect(names, command).to.include(command);
        }
    });
});
