import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { ApplicationException, ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionLimit } from '../../../src/rules/SessionLimit';
import { SessionLiveness } from '../../../src/rules/SessionLiveness';
import { SessionTimeouts } from '../../../src/rules/SessionTimeouts';
import { SessionsRedisKeys } from '../../../src/persistence/redis/SessionsRedisKeys';
import { SessionsRedisPersistence } from '../../../src/persistence/redis/SessionsRedisPersistence';
import { RedisTestCluster } from '../../fixtures/RedisTestCluster';
import { RedisTestServer } from '../../fixtures/RedisTestServer';
import { makeSession, SessionsPersistenceFixture } from '../SessionsPersistenceFixture';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const HOUR = 3600000;

async function openClusterStore(uri: string): Promise<SessionsRedisPersistence> {
    const store = new SessionsRedisPersistence();
    store.configure(ConfigParams.fromValue({ connection: { uri, cluster: true }, options: { key_prefix: 'cluster-test:', connect_timeout: 5000 } }));
    await store.open('test');
    return store;
}

describe('SessionsRedisPersistence on a Redis Cluster of three nodes', function () {
    let cluster: RedisTestCluster;
    let persistence: SessionsRedisPersistence;

    before(async function () {
        RedisTestServer.requireBinary(this);
        this.timeout(120000);
        cluster = await RedisTestCluster.start();
    });

    after(async () => {
        await cluster?.remove();
    });

    beforeEach(async () => {
        persistence = await openClusterStore(cluster.uri);
        await persistence.clear('test');
    });

    afterEach(async () => {
        await persistence.close('test');
    });

    // Each script runs on the node of its bucket's slot: a key held by another node would fail it.
    SessionsPersistenceFixture.describeSharedBehaviour(() => persistence);

    it('spreads the buckets over all three nodes', async () => {
        const client = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0].port }]);
        try {
            const keys = new SessionsRedisKeys('cluster-test:');
            const owners = new Set<string>();
            const slots = await client.cluster('SLOTS');
            for (const bucket of SessionsRedisKeys.allBuckets()) {
                const slot = await client.cluster('KEYSLOT', keys.all(bucket)) as number;
                const range = slots.find(([from, to]) => slot >= from && slot <= to)!;
                owners.add(String(range[2]?.[1]));
            }
            expect(owners.size).to.equal(3);
        } finally {
            client.disconnect();
        }
    });

    it('keeps users within the limit under concurrent opens from two stores, and sweeps each session once', async () => {
        const other = await openClusterStore(cluster.uri);
        try {
            const liveness: SessionLiveness = { now: T0, timeouts: new SessionTimeouts(HOUR, 0) };
            const limit: SessionLimit = { max: 2, policy: 'reject', reason: 'evicted' };
            const stores = [persistence, other];
            const admitted = await Promise.all(Array.from({ length: 40 }, (_, index) =>
                stores[index % 2].createWithinLimit(null, makeSession('c' + index, 'user-' + (index % 4), 0), limit, liveness)
                    .then(() => true, (err: ApplicationException) => {
                        if (err.code !== 'SESSION_LIMIT_REACHED') throw err;
                        return false;
                    })));
            expect(admitted.filter(Boolean).length, 'two for each of four users').to.equal(8);
            const swept = await Promise.all(stores.map(store => store.closeExpired(null, new Date(T0 + 2 * HOUR), new Date(T0 + 3 * HOUR), 'idle')));
            expect(swept.flat().length).to.equal(8);
            const active = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(0, 10, true));
            expect(active.total).to.equal(0);
        } finally {
            await other.close('test');
        }
    });
});
