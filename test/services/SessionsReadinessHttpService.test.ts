import { expect } from 'chai';
import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';

import { SessionsMemoryPersistence } from '../../src/persistence/SessionsMemoryPersistence';
import { SessionsHttpEndpoint } from '../../src/services/SessionsHttpEndpoint';
import { SessionsReadinessHttpService } from '../../src/services/SessionsReadinessHttpService';
import { HttpReply } from '../fixtures/HttpReply';
import { freePort } from '../fixtures/TestService';

/** A memory store whose readiness check never answers, as a database that accepts connections and then hangs. */
class HangingStore extends SessionsMemoryPersistence {
    public hang = false;

    public async checkReady(correlationId: string | null): Promise<void> {
        if (this.hang) await new Promise<void>(() => undefined);
        await super.checkReady(correlationId);
    }
}

describe('SessionsReadinessHttpService: GET /ready over real HTTP', function () {
    this.timeout(30000);
    let endpoint: SessionsHttpEndpoint;
    let store: HangingStore;
    let url: string;

    before(async () => {
        const port = await freePort();
        url = 'http://127.0.0.1:' + port + '/ready';
        store = new HangingStore();
        endpoint = new SessionsHttpEndpoint();
        endpoint.configure(ConfigParams.fromTuples('connection.host', '127.0.0.1', 'connection.port', port));
        const service = new SessionsReadinessHttpService();
        service.configure(ConfigParams.fromTuples('options.timeout', 300));
        const references = References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), store,
            new Descriptor('pip-services', 'endpoint', 'http', 'default', '1.0'), endpoint,
            new Descriptor('service-sessions', 'readiness-service', 'http', 'default', '1.0'), service);
        endpoint.setReferences(references);
        service.setReferences(references);
        await store.open(null);
        await service.open('test');
        await endpoint.open('test');
    });

    after(async () => {
        await endpoint?.close('test');
    });

    it('answers 200 while the store is open', async () => {
        const reply = await HttpReply.read(await fetch(url));
        expect(reply.status).to.equal(200);
        expect(reply.body).to.deep.equal({ status: 'ready' });
    });

    it('answers 503 NOT_READY with the reason while the store is closed, and 200 again once it is back', async () => {
        await store.close(null);
        const reply = await HttpReply.read(await fetch(url + '?correlation_id=probe-1'));
        expect(reply.status).to.equal(503);
        expect(reply.body.code).to.equal('NOT_READY');
        expect(reply.body.details).to.deep.equal({ reason: 'STORE_NOT_OPEN' });
        expect(reply.body.correlation_id).to.equal('probe-1');
        await store.open(null);
        expect((await fetch(url)).status).to.equal(200);
    });

    it('answers 503 READY_TIMEOUT within options.timeout when the store does not answer', async () => {
        store.hang = true;
        try {
            const started = Date.now();
            const reply = await HttpReply.read(await fetch(url));
            expect(reply.status).to.equal(503);
            expect(reply.body.details).to.deep.equal({ reason: 'READY_TIMEOUT' });
            // Functional bound, not a speed assertion: the probe must not wait for the hung store forever.
            expect(Date.now() - started).to.be.below(10000);
        } finally {
            store.hang = false;
        }
    });
});
