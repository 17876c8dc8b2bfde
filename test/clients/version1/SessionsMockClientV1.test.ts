import { expect } from 'chai';
import { FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionsMockClientV1 } from '../../../src';
import { SessionsClientV1Fixture } from './SessionsClientV1Fixture';
import { TEST_AUDIT_KEY } from '../../fixtures/TestAuditKey';

const EXPIRE_TIMEOUT = 1500;

describe('SessionsMockClientV1', () => {
    let client: SessionsMockClientV1;

    beforeEach(() => {
        client = new SessionsMockClientV1({ options: { expire_timeout: EXPIRE_TIMEOUT, audit_key: TEST_AUDIT_KEY } });
    });

    SessionsClientV1Fixture.describeSharedBehaviour(() => client, EXPIRE_TIMEOUT);

    it('shares no objects with its caller, and returns values as they come back over HTTP', async () => {
        const data = { cart: ['a'], at: new Date('2026-01-01T00:00:00.000Z'), skipped: undefined };
        const session = await client.openSession(null, 'u1', 'Ann', undefined, undefined, null, data);
        data.cart.push('changed after the call');
        session.data = 'changed by the caller';

        const stored = await client.getSessionById(null, session.id);
        expect(stored!.data).to.deep.equal({ cart: ['a'], at: '2026-01-01T00:00:00.000Z' });
        expect(stored!.user).to.equal(null);
        (stored!.data as { cart: string[] }).cart.push('changed again');
        expect((await client.getSessionById(null, session.id))!.data).to.deep.equal({ cart: ['a'], at: '2026-01-01T00:00:00.000Z' });
    });

    it('takes max_page_size from its configuration', async () => {
        const small = new SessionsMockClientV1({ options: { max_page_size: 2, audit_key: TEST_AUDIT_KEY } });
        for (let index = 0; index < 3; index++) await small.openSession(null, 'u1');
        const page = await small.getSessions(null, FilterParams.fromTuples('user_id', 'u1'), new PagingParams(0, 10, true));
        expect(page.data).to.have.length(2);
        expect(page.total).to.equal(3);
    });

    it('keeps each instance separate and works without open()', async () => {
        await client.openSession(null, 'u1');
        expect((await new SessionsMockClientV1().getSessions(null, null, new PagingParams(0, 10, true))).total).to.equal(0);
    });
});
