import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';

import { SessionsFilePersistence } from '../../src/persistence/file/SessionsFilePersistence';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionsHttpEndpoint } from '../../src/services/SessionsHttpEndpoint';
import { SessionsReadinessHttpService } from '../../src/services/SessionsReadinessHttpService';
import { HttpReply } from '../fixtures/HttpReply';
import { freePort } from '../fixtures/TestService';
import { makeSession } from '../persistence/SessionsPersistenceFixture';

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

describe('SessionsReadinessHttpService over a file store whose compaction fails', function () {
    this.timeout(30000);

    it('answers 200 degraded COMPACTION_FAILED while the fold fails, and ready once it works', async () => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-ready-'));
        const filePath = path.join(dir, 'sessions.json');
        const port = await freePort();
        const store = new SessionsFilePersistence();
        store.configure(ConfigParams.fromTuples('path', filePath));
        const service = new SessionsReadinessHttpService();
        service.configure(ConfigParams.fromTuples('connection.host', '127.0.0.1', 'connection.port', port));
        service.setReferences(References.fromTuples(new Descriptor('service-sessions', 'persistence', 'file', 'default', '1.0'), store));
        await store.open(null);
        await service.open('test');
        try {
            await store.create(null, makeSession('a', 'u', 1));
            await fs.mkdir(filePath + '.tmp');
            await store.compact(null).catch(() => undefined);
            const degraded = await HttpReply.read(await fetch('http://127.0.0.1:' + port + '/ready'));
            expect([degraded.status, degraded.body]).to.deep.equal([200, { status: 'degraded', reason: 'COMPACTION_FAILED' }]);
            await fs.rmdir(filePath + '.tmp');
            await store.compact(null);
            const ready = await HttpReply.read(await fetch('http://127.0.0.1:' + port + '/ready'));
            expect([ready.status, ready.body]).to.deep.equal([200, { status: 'ready' }]);
        } finally {
            await service.close('test');
            await store.close(null);
            await fs.rm(dir, { recursive: true, force: true });
        }
    });
});
