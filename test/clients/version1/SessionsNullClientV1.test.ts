import { expect } from 'chai';

import { SessionsNullClientV1 } from '../../../src';

describe('SessionsNullClientV1', () => {
    const client = new SessionsNullClientV1();

    it('returns a promise from every method, so .then() works as well as await', async () => {
        const calls: Array<Promise<unknown>> = [
            client.getSessions(null, null, null),
            client.getSessionById(null, 's1'),
            client.openSession(null, 'u1'),
            client.storeSessionData(null, 's1', {}),
            client.updateSessionUser(null, 's1', {}),
            client.closeSession(null, 's1'),
            client.closeExpiredSessions(null),
            client.deleteSessionById(null, 's1')
        ];
        for (const call of calls) expect(call).to.be.instanceOf(Promise);
        const results = await Promise.all(calls);
        expect(results[6]).to.equal(undefined);
    });

    it('has no sessions', async () => {
        const page = await client.getSessions(null);
        expect(page.data).to.deep.equal([]);
        expect(page.total).to.equal(0);
        for (const result of [
            await client.getSessionById(null, 's1'), await client.storeSessionData(null, 's1', {}),
            await client.updateSessionUser(null, 's1', {}), await client.closeSession(null, 's1'),
            await client.deleteSessionById(null, 's1')
        ]) {
            expect(result).to.equal(null);
        }
    });

    it('hands back a new, active session from openSession without keeping it', async () => {
        const session = await client.openSession(null, 'u1', 'Ann', '10.0.0.1', 'web', { role: 'admin' }, { theme: 'dark' });
        expect(session.id).to.match(/^[0-9a-f]{32}$/);
        expect(session).to.include({ user_id: 'u1', user_name: 'Ann', address: '10.0.0.1', client: 'web', active: true });
        expect(session.open_time).to.be.instanceOf(Date);
        expect(session.request_time).to.be.instanceOf(Date);
        expect(session.user).to.deep.equal({ role: 'admin' });
        expect(session.data).to.deep.equal({ theme: 'dark' });
        expect(await client.getSessionById(null, session.id)).to.equal(null);
        expect((await client.openSession(null, 'u1')).id).to.not.equal(session.id);
    });
});
