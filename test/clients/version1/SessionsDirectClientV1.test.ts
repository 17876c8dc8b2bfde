import { expect } from 'chai';
import {
    ConfigParams, DataPage, Descriptor, FilterParams, InvalidStateException, PagingParams, References
} from 'pip-services3-commons-nodex';

import { ISessionsController, SessionsController, SessionsDirectClientV1, SessionsMemoryPersistence, SessionV1 } from '../../../src';
import { SessionsClientV1Fixture } from './SessionsClientV1Fixture';
import { TEST_AUDIT_KEY } from '../../fixtures/TestAuditKey';

const EXPIRE_TIMEOUT = 1500;

/** Records the correlation id and arguments each controller method receives. */
class RecordingController implements ISessionsController {
    public readonly calls: Array<{ method: string; args: unknown[] }> = [];

    private record(method: string, args: unknown[]): void {
        this.calls.push({ method, args });
    }

    public async getSessions(...args: [string | null, FilterParams | null, PagingParams | null]): Promise<DataPage<SessionV1>> {
        this.record('getSessions', args);
        return new DataPage<SessionV1>([], 0);
    }

    public async getSessionById(...args: [string | null, string]): Promise<SessionV1 | null> {
        this.record('getSessionById', args);
        return null;
    }

    public async validateSession(...args: [string | null, string]): Promise<SessionV1 | null> {
        this.record('validateSession', args);
        return null;
    }

    public async openSession(...args: [string | null, string, (string | null)?, (string | null)?, (string | null)?, unknown?, unknown?]): Promise<SessionV1> {
        this.record('openSession', args);
        return new SessionV1('s1', args[1]);
    }

    public async storeSessionData(...args: [string | null, string, unknown]): Promise<SessionV1 | null> {
        this.record('storeSessionData', args);
        return null;
    }

    public async updateSessionUser(...args: [string | null, string, unknown]): Promise<SessionV1 | null> {
        this.record('updateSessionUser', args);
        return null;
    }

    public async closeSession(...args: [string | null, string]): Promise<SessionV1 | null> {
        this.record('closeSession', args);
        return null;
    }

    public async closeExpiredSessions(...args: [string | null]): Promise<void> {
        this.record('closeExpiredSessions', args);
    }

    public async deleteSessionById(...args: [string | null, string]): Promise<SessionV1 | null> {
        this.record('deleteSessionById', args);
        return null;
    }

    public async closeUserSessions(...args: [string | null, string, (string | null)?]): Promise<number> {
        this.record('closeUserSessions', args);
        return 3;
    }
}

describe('SessionsDirectClientV1', () => {
    let client: SessionsDirectClientV1;

    beforeEach(async () => {
        const persistence = new SessionsMemoryPersistence();
        const controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.expire_timeout', EXPIRE_TIMEOUT, 'options.audit_key', TEST_AUDIT_KEY));
        const references = References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence,
            new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller);
        controller.setReferences(references);
        await persistence.open(null);

        client = new SessionsDirectClientV1();
        client.setReferences(references);
        await client.open(null);
    });

    afterEach(async () => {
        await client.close(null);
    });

    SessionsClientV1Fixture.describeSharedBehaviour(() => client, EXPIRE_TIMEOUT);

    it('passes the correlation id and every argument to the controller unchanged', async () => {
        const controller = new RecordingController();
        const direct = new SessionsDirectClientV1();
        direct.setReferences(References.fromTuples(new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller));

        const user = { roles: ['admin'] };
        const data = { theme: 'dark' };
        await direct.getSessionById('c1', 's1');
        await direct.openSession('c2', 'u1', 'Ann', '10.0.0.1', 'web', user, data);
        await direct.storeSessionData('c3', 's1', data);
        await direct.updateSessionUser('c4', 's1', user);
        await direct.closeSession('c5', 's1');
        await direct.closeExpiredSessions('c6');
        await direct.deleteSessionById('c7', 's1');
        await direct.getSessions('c8', FilterParams.fromTuples('user_id', 'u1'), new PagingParams(0, 5, true));
        expect(await direct.closeUserSessions('c9', 'u1', 's1')).to.equal(3);

        expect(controller.calls.map(call => [call.method, call.args[0]])).to.deep.equal([
            ['getSessionById', 'c1'], ['openSession', 'c2'], ['storeSessionData', 'c3'], ['updateSessionUser', 'c4'],
            ['closeSession', 'c5'], ['closeExpiredSessions', 'c6'], ['deleteSessionById', 'c7'], ['getSessions', 'c8'],
            ['closeUserSessions', 'c9']
        ]);
        expect(controller.calls[8].args).to.deep.equal(['c9', 'u1', 's1']);
        expect(controller.calls[1].args.slice(1)).to.deep.equal(['u1', 'Ann', '10.0.0.1', 'web', user, data]);
        // In process, objects are passed as they are: no JSON in between.
        expect(controller.calls[1].args[5]).to.equal(user);
        expect(controller.calls[2].args[2]).to.equal(data);
        const [, filter, paging] = controller.calls[7].args as [string, FilterParams, PagingParams];
        expect(filter.getAsString('user_id')).to.equal('u1');
        expect([paging.skip, paging.take, paging.total]).to.deep.equal([0, 5, true]);
    });

    it('accepts filter and paging as plain objects, as the HTTP service does', async () => {
        const opened = await client.openSession(null, 'plain');
        const page = await client.getSessions(null,
            { user_id: 'plain', active: true } as unknown as FilterParams, { take: 10, total: true } as unknown as PagingParams);
        expect(page.data.map(item => item.id)).to.deep.equal([opened.id]);
        expect(page.total).to.equal(1);
    });

    it('fails with a clear error when it was given no controller', async () => {
        const orphan = new SessionsDirectClientV1();
        let error: unknown = null;
        try {
            await orphan.getSessionById('c1', 's1');
        } catch (err) {
            error = err;
        }
        expect(error).to.be.instanceOf(InvalidStateException);
        expect((error as InvalidStateException).code).to.equal('NO_CONTROLLER');
    });
});
