import { expect } from 'chai';
import { Redis } from 'ioredis';
import { AnyValueMap, ApplicationException, ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { SessionLimit } from '../../../src/rules/SessionLimit';
import { SessionLiveness } from '../../../src/rules/SessionLiveness';
import { SessionTimeouts } from '../../../src/rules/SessionTimeouts';
import { SessionsRedisKeys } from '../../../src/persistence/redis/SessionsRedisKeys';
import { SessionsRedisPersistence } from '../../../src/persistence/redis/SessionsRedisPersistence';
import { RedisServerProcess } from '../../fixtures/RedisServerProcess';
import { RedisTestServer } from '../../fixtures/RedisTestServer';
import { makeSession, SessionsPersistenceFixture } from '../SessionsPersistenceFixture';

const PREFIX = 'sessions-test:';
const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const HOUR = 3600000;

/** The commands a client sent Redis while action ran, as MONITOR shows them: the round trips, not the commands scripts ran. */
async function roundTrips(redis: Redis, action: () => Promise<unknown>): Promise<string[]> {
    const monitor = await redis.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (!source.endsWith('lua')) commands.push(String(args[0]).toLowerCase());
    });
    try {
        await action();
        await new Promise(resolve => setTimeout(resolve, 100));
    } finally {
        monitor.disconnect();
    }
    return commands.filter(command => command !== 'monitor');
}

async function openStore(uri: string, prefix = PREFIX, options: Record<string, string> = {}): Promise<SessionsRedisPersistence> {
    const store = new SessionsRedisPersistence();
    store.configure(ConfigParams.fromValue({ connection: { uri }, options: { key_prefix: prefix, connect_timeout: 2000, ...options } }));
    await store.open('test');
    return store;
}

describe('SessionsRedisPersistence', function () {
    let server: RedisTestServer;
    let persistence: SessionsRedisPersistence;
    let redis: Redis;

    before(async function () {
        server = await RedisTestServer.require(this);
        redis = new Redis(server.uri);
    });

    after(async () => {
        redis?.disconnect();
    });

    beforeEach(async () => {
        persistence = await openStore(server.uri);
        await persistence.clear('test');
    });

    afterEach(async () => {
        await persistence.close('test');
    });

    SessionsPersistenceFixture.describeSharedBehaviour(() => persistence);

    describe('as several replicas on one Redis', () => {
        let replicas: SessionsRedisPersistence[];

        beforeEach(async () => {
            replicas = await Promise.all([1, 2, 3].map(() => openStore(server.uri)));
        });

        afterEach(async () => {
            await Promise.all(replicas.map(replica => replica.close('test')));
        });

        it('keeps a user within the limit under concurrent opens from every replica (reject and evict_oldest)', async () => {
            const liveness: SessionLiveness = { now: T0, timeouts: new SessionTimeouts(HOUR, 0) };
            for (const policy of ['reject', 'evict_oldest'] as const) {
                const limit: SessionLimit = { max: 3, policy, reason: 'evicted' };
                const results = await Promise.all(Array.from({ length: 30 }, (_, index) => {
                    const session = makeSession(policy + '-' + index, 'burst-' + policy, 0);
                    return replicas[index % 3].createWithinLimit(null, session, limit, liveness)
                        .then(result => result.evicted.length, (err: ApplicationException) => {
                            if (err.code !== 'SESSION_LIMIT_REACHED') throw err;
                            return -1;
                        });
                }));
                const live = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'burst-' + policy, 'active', true),
                    new PagingParams(0, 100, true), liveness);
                expect(live.total, policy).to.equal(3);
                if (policy === 'reject') {
                    // One script per open on one slot: exactly max get in, never more nor fewer.
                    expect(results.filter(result => result >= 0).length).to.equal(3);
                } else {
                    expect(results.every(result => result >= 0)).to.equal(true);
                    const evictions = results.reduce((sum, count) => sum + count, 0);
                    expect(evictions, 'each evicted once').to.equal(27);
                }
            }
        });

        it('closes each expired session once when every replica sweeps at the same time', async () => {
            for (let index = 0; index < 200; index++) await persistence.create(null, makeSession('old-' + index, 'u' + (index % 17), 0));
            await persistence.create(null, makeSession('fresh', 'u1', 5));
            const closeTime = new Date(T0 + 10 * HOUR);
            const swept = await Promise.all(replicas.map(replica => replica.closeExpired(null, new Date(T0 + 2 * HOUR), closeTime, 'idle')));
            const ids = swept.flat().map(session => session.id);
            expect(ids.length, 'closed once in all').to.equal(200);
            expect(new Set(ids).size).to.equal(200);
            expect((await persistence.getOneById(null, 'fresh'))!.active).to.equal(true);
        });

        it('lets one of two racing writes on a session closed by another replica fail with SESSION_CLOSED, changing nothing', async () => {
            await persistence.create(null, makeSession('raced', 'u1', 0));
            const closed = await replicas[0].closeUserSessions(null, 'u1', null, new Date(T0 + HOUR), 'revoked');
            expect(closed.map(session => session.id)).to.deep.equal(['raced']);
            const before = await persistence.getOneById(null, 'raced');
            const { AnyValueMap } = await import('pip-services3-commons-nodex');
            const error = await replicas[1].updatePartially(null, 'raced', AnyValueMap.fromTuples('data', { late: true }),
                { now: T0 + HOUR, timeouts: SessionTimeouts.None }).then(() => null, (err: ApplicationException) => err);
            expect(error?.code).to.equal('SESSION_CLOSED');
            expect(await persistence.getOneById(null, 'raced')).to.deep.equal(before);
        });

        it('reads a session it has seen with one HGETALL, and by the pointer again once another replica moved or deleted it', async () => {
            const keys = new SessionsRedisKeys(PREFIX);
            const otherUser = Array.from({ length: 200 }, (_, index) => 'mover-' + index)
                .find(userId => keys.bucketOf(userId) !== keys.bucketOf('first-user'))!;
            const reader = replicas[0];
            await reader.create(null, makeSession('seen', 'first-user', 0));
            expect(await roundTrips(redis, () => reader.getOneById(null, 'seen')), 'seen at its open').to.deep.equal(['hgetall']);
            expect(await roundTrips(redis, () => replicas[1].getOneById(null, 'seen')), 'not seen yet').to.deep.equal(['evalsha']);
            expect(await roundTrips(redis, () => replicas[1].getOneById(null, 'seen')), 'seen by that read').to.deep.equal(['hgetall']);

            await replicas[1].update(null, makeSession('seen', otherUser, 1));
            expect(await roundTrips(redis, async () => expect((await reader.getOneById(null, 'seen'))!.user_id).to.equal(otherUser)),
                'the old bucket is empty: the pointer is followed').to.deep.equal(['hgetall', 'evalsha']);
            expect(await roundTrips(redis, () => reader.getOneById(null, 'seen')), 'remembered in its new bucket').to.deep.equal(['hgetall']);

            await replicas[1].deleteById(null, 'seen');
            expect(await reader.getOneById(null, 'seen')).to.equal(null);
            await reader.create(null, makeSession('seen', 'first-user', 2));
            expect((await replicas[1].getOneById(null, 'seen'))!.user_id, 'created again in the first bucket').to.equal('first-user');

            const forgetful = await openStore(server.uri, PREFIX, { bucket_cache: '0' });
            try {
                await forgetful.getOneById(null, 'seen');
                expect(await roundTrips(redis, () => forgetful.getOneById(null, 'seen')), 'bucket_cache 0').to.deep.equal(['evalsha']);
            } finally {
                await forgetful.close('test');
            }
        });
    });

    describe('keys and indexes', () => {
        const keys = new SessionsRedisKeys(PREFIX);

        it('keeps all of a user\'s keys in one hash slot, and spreads users over the buckets', async () => {
            await persistence.create(null, makeSession('k1', 'some-user', 0));
            await persistence.create(null, makeSession('k2', 'some-user', 0, false));
            const bucket = keys.bucketOf('some-user');
            const slots = new Set<number>();
            for (const key of [keys.session(bucket, 'k1'), keys.session(bucket, 'k2'), keys.user(bucket, 'some-user'),
                keys.userActive(bucket, 'some-user'), keys.all(bucket), keys.active(bucket)]) {
                expect(await redis.exists(key), key).to.equal(1);
                slots.add(await redis.call('CLUSTER', 'KEYSLOT', key).catch(() => null) as number ?? slot(key));
            }
            expect(slots.size).to.equal(1);
            const buckets = new Set(Array.from({ length: 1000 }, (_, index) => keys.bucketOf('user-' + index)));
            expect(buckets.size).to.equal(SessionsRedisKeys.Buckets);
        });

        it('lists by user and by activity from the indexes: no SCAN or KEYS while serving a request', async () => {
            for (let index = 0; index < 50; index++) await persistence.create(null, makeSession('m' + index, 'u' + (index % 5), index / 10));
            const monitor = await redis.monitor();
            const commands: string[] = [];
            monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
            try {
                const liveness: SessionLiveness = { now: T0 + 5 * HOUR, timeouts: new SessionTimeouts(2 * HOUR, 0) };
                const active = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(0, 5, true), liveness);
                expect(active.data.map(item => item.id)).to.deep.equal(['m49', 'm48', 'm47', 'm46', 'm45']);
                expect(active.total, 'live: active within the last 2 h').to.equal(20);
                const byUser = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'u3'), new PagingParams(0, 3, true));
                expect(byUser.data.map(item => item.id)).to.deep.equal(['m48', 'm43', 'm38']);
                expect(byUser.total).to.equal(10);
                await persistence.getOneById(null, 'm1');
                await new Promise(resolve => setTimeout(resolve, 100));
            } finally {
                monitor.disconnect();
            }
            expect(commands).to.include('zrangebyscore');
            expect(commands.filter(command => command === 'scan' || command === 'keys')).to.deep.equal([]);
        });

        it('gives closed sessions (and their pointers) a TTL of the retention period from close_time, and active ones none', async () => {
            const now = Date.now();
            await persistence.applyRetention(null, HOUR);
            const session = makeSession('ttl', 'ttl-user', 0);
            session.open_time = session.request_time = new Date(now);
            await persistence.create(null, session);
            const bucket = keys.bucketOf('ttl-user');
            expect(await redis.pttl(keys.session(bucket, 'ttl'))).to.equal(-1);
            await persistence.closeUserSessions(null, 'ttl-user', null, new Date(now), 'revoked');
            for (const key of [keys.session(bucket, 'ttl'), keys.pointer('ttl')]) {
                const ttl = await redis.pttl(key);
                expect(ttl, key).to.be.within(HOUR - 60000, HOUR);
            }
            // A new period reaches the closed sessions already stored.
            await persistence.applyRetention(null, 2 * HOUR);
            expect(await redis.pttl(keys.session(bucket, 'ttl'))).to.be.within(2 * HOUR - 60000, 2 * HOUR);
            await persistence.applyRetention(null, 0);
            expect(await redis.pttl(keys.session(bucket, 'ttl'))).to.equal(-1);
        });

        it('keeps a pointer\'s TTL with its session through updates: set when one closes it, removed when one makes it active again', async () => {
            const now = Date.now();
            await persistence.applyRetention(null, HOUR);
            const session = makeSession('ttl-update', 'ttl-user', 0);
            session.open_time = session.request_time = new Date(now);
            await persistence.create(null, session);
            const bucket = keys.bucketOf('ttl-user');
            const closed = await persistence.updatePartially(null, 'ttl-update',
                AnyValueMap.fromTuples('active', false, 'close_time', new Date(now), 'close_reason', 'logout'));
            expect(closed?.active).to.equal(false);
            for (const key of [keys.session(bucket, 'ttl-update'), keys.pointer('ttl-update')]) {
                expect(await redis.pttl(key), key).to.be.within(HOUR - 60000, HOUR);
            }
            const reopened = await persistence.updatePartially(null, 'ttl-update', AnyValueMap.fromTuples('active', true, 'request_time', new Date(now)));
            expect(reopened?.active).to.equal(true);
            for (const key of [keys.session(bucket, 'ttl-update'), keys.pointer('ttl-update')]) {
                expect(await redis.pttl(key), key).to.equal(-1);
            }
            // A session whose pointer is gone (expired) is not there for an update.
            await redis.del(keys.pointer('ttl-update'));
            expect(await persistence.updatePartially(null, 'ttl-update', AnyValueMap.fromTuples('data', { n: 1 }))).to.equal(null);
            await persistence.applyRetention(null, 0);
        });

        it('opens in one script on a single server: a refused open leaves no pointer, an evicted or closed session\'s pointer expires with it', async () => {
            const now = Date.now();
            await persistence.applyRetention(null, HOUR);
            const liveness: SessionLiveness = { now, timeouts: SessionTimeouts.None };
            const opened = (id: string, minutesAgo: number): SessionV1 => {
                const session = makeSession(id, 'limited', 0);
                session.open_time = session.request_time = new Date(now - minutesAgo * 60000);
                return session;
            };
            const pointers = async (): Promise<string[]> => (await redis.keys(PREFIX + 'id:*')).sort();
            expect(await roundTrips(redis, () => persistence.createWithinLimit(null, opened('older', 2),
                { max: 2, policy: 'reject', reason: 'evicted' }, liveness)), 'one round trip').to.deep.equal(['evalsha']);
            await persistence.createWithinLimit(null, opened('newer', 1), { max: 2, policy: 'reject', reason: 'evicted' }, liveness);
            const refused = await persistence.createWithinLimit(null, opened('refused', 0), { max: 2, policy: 'reject', reason: 'evicted' }, liveness)
                .then(() => null, (err: ApplicationException) => err);
            expect(refused?.code).to.equal('SESSION_LIMIT_REACHED');
            expect(await pointers()).to.deep.equal([PREFIX + 'id:newer', PREFIX + 'id:older']);
            const { evicted } = await persistence.createWithinLimit(null, opened('newest', 0), { max: 2, policy: 'evict_oldest', reason: 'evicted' }, liveness);
            expect(evicted.map(session => session.id)).to.deep.equal(['older']);
            const bucket = keys.bucketOf('limited');
            for (const key of [keys.session(bucket, 'older'), keys.pointer('older')]) {
                expect(await redis.pttl(key), key).to.be.within(HOUR - 60000, HOUR);
            }
            expect(await redis.pttl(keys.pointer('newest'))).to.equal(-1);
            // A session stored closed gets a pointer that expires with it.
            const closed = opened('stored-closed', 0);
            closed.active = false;
            closed.close_time = new Date(now);
            await persistence.create(null, closed);
            expect(await redis.pttl(keys.pointer('stored-closed'))).to.be.within(HOUR - 60000, HOUR);
            await persistence.applyRetention(null, 0);
        });

        it('drops the index entries of sessions Redis expired by their TTL at the retention sweep', async () => {
            const now = Date.now();
            await persistence.applyRetention(null, 200);
            const session = makeSession('short', 'short-user', 0);
            session.open_time = session.request_time = new Date(now);
            await persistence.create(null, session);
            await persistence.closeUserSessions(null, 'short-user', null, new Date(now), 'revoked');
            await new Promise(resolve => setTimeout(resolve, 400));
            expect(await persistence.getOneById(null, 'short')).to.equal(null);
            const listed = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'short-user'), new PagingParams(0, 10, true));
            expect(listed.data, 'an expired session is not listed').to.deep.equal([]);
            expect(listed.total).to.equal(0);
            expect(await persistence.deleteClosedBefore(null, new Date(Date.now() - 200))).to.equal(1);
            const bucket = keys.bucketOf('short-user');
            expect(await redis.zcard(keys.user(bucket, 'short-user'))).to.equal(0);
            expect(await redis.zcard(keys.all(bucket))).to.equal(0);
        });

        it('refuses a second session with an id already stored, whatever its user', async () => {
            await persistence.create(null, makeSession('same', 'first-user', 0));
            const error = await persistence.create(null, makeSession('same', 'second-user', 0)).then(() => null, (err: ApplicationException) => err);
            expect(error?.code).to.equal('SESSION_ALREADY_EXISTS');
            expect((await persistence.getOneById(null, 'same'))!.user_id).to.equal('first-user');
            // A session whose pointer was lost is still there for a create: refused, and found again by id.
            await redis.del(keys.pointer('same'));
            const again = await persistence.create(null, makeSession('same', 'first-user', 0)).then(() => null, (err: ApplicationException) => err);
            expect(again?.code).to.equal('SESSION_ALREADY_EXISTS');
            expect((await persistence.getOneById(null, 'same'))!.user_id).to.equal('first-user');
        });

        it('moves a session replaced with another user, keeping every index right', async () => {
            await persistence.create(null, makeSession('mover', 'from-user', 0));
            const moved = makeSession('mover', 'to-user', 1);
            expect((await persistence.update(null, moved))!.user_id).to.equal('to-user');
            expect((await persistence.getOneById(null, 'mover'))!.user_id).to.equal('to-user');
            const ids = async (userId: string) => (await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', userId), null))
                .data.map(item => item.id);
            expect(await ids('from-user')).to.deep.equal([]);
            expect(await ids('to-user')).to.deep.equal(['mover']);
        });

        it('keeps user and data exactly as given (empty arrays and objects, unicode, numbers)', async () => {
            const session = makeSession('exact', 'ü-user ☃', 0);
            session.user = { roles: [], nested: { a: [1.5, -0, 1e21, null, ''] }, name: 'é\u0000\u2028😀' };
            session.data = [];
            await persistence.create(null, session);
            const read = await persistence.getOneById(null, 'exact');
            expect(read!.user).to.deep.equal(JSON.parse(JSON.stringify(session.user)));
            expect(read!.data).to.deep.equal([]);
            expect(read!.user_id).to.equal('ü-user ☃');
        });
    });

    describe('settings', () => {
        it('refuses a key prefix with a brace (it would move the hash tag)', () => {
            const store = new SessionsRedisPersistence();
            expect(() => store.configure(ConfigParams.fromTuples('options.key_prefix', 'a{b}:'))).to.throw(/options.key_prefix/);
        });

        it('refuses a bucket cache size that is not a whole number, 0 or more', () => {
            for (const value of ['-1', 'lots', '1.5']) {
                const store = new SessionsRedisPersistence();
                expect(() => store.configure(ConfigParams.fromTuples('options.bucket_cache', value)), value)
                    .to.throw(/options.bucket_cache/).with.property('code', 'BAD_SETTING');
            }
            expect(() => new SessionsRedisPersistence().configure(ConfigParams.fromTuples('options.bucket_cache', '0'))).to.not.throw();
        });

        it('refuses a URI that is not redis:// or rediss://, without repeating it', () => {
            const store = new SessionsRedisPersistence();
            const error = (() => {
                try {
                    store.configure(ConfigParams.fromTuples('connection.uri', 'http://user:secret@host'));
                    return null;
                } catch (err) {
                    return err as ApplicationException;
                }
            })();
            expect(error?.code).to.equal('BAD_SETTING');
            expect(error?.message).to.contain('connection.uri').and.not.contain('secret');
            expect(JSON.stringify(error?.details)).to.not.contain('secret');
        });

        it('refuses to open on a prefix whose keys were written with another bucket count', async () => {
            await redis.hset(PREFIX.replace(/:$/, '-other:') + 'meta', 'buckets', '16');
            const error = await openStore(server.uri, PREFIX.replace(/:$/, '-other:')).then(() => null, (err: ApplicationException) => err);
            expect(error?.code).to.equal('BAD_SETTING');
            expect(error?.message).to.contain('options.key_prefix').and.contain('16');
            await redis.del(PREFIX.replace(/:$/, '-other:') + 'meta');
        });

        it('names the server in its location, never the password', () => {
            const store = new SessionsRedisPersistence();
            store.configure(ConfigParams.fromTuples('connection.uri', 'redis://:secret@cache:6380/2', 'options.key_prefix', 'app:'));
            expect(store.location).to.equal('redis://cache:6380/2 prefix "app:"');
        });
    });

    describe('while its server is down', function () {
        let own: RedisServerProcess;
        let store: SessionsRedisPersistence;

        before(async function () {
            RedisTestServer.requireBinary(this);
            own = await RedisServerProcess.start({ fsync: 'always' });
        });

        after(async () => {
            await store?.close('test');
            await own?.remove();
        });

        it('fails every call with 503 DATABASE_UNAVAILABLE within the connect timeout, and recovers by itself', async () => {
            store = await openStore(own.uri);
            await store.create(null, makeSession('kept', 'u1', 0));
            await own.stop();
            const started = Date.now();
            for (const call of [() => store.getOneById(null, 'kept'), () => store.create(null, makeSession('lost', 'u1', 0)),
                () => store.checkReady(null)]) {
                const error = await call().then(() => null, (err: ApplicationException) => err);
                expect(error?.code).to.equal('DATABASE_UNAVAILABLE');
                expect(error?.status).to.equal(503);
            }
            expect(Date.now() - started).to.be.below(2500);
            await own.startAgain();
            const deadline = Date.now() + 10000;
            while (await store.checkReady(null).then(() => false, () => true)) {
                if (Date.now() > deadline) throw new Error('not ready again within 10 s');
                await new Promise(resolve => setTimeout(resolve, 100));
            }
            expect((await store.getOneById(null, 'kept'))!.id).to.equal('kept');
            expect(await store.getOneById(null, 'lost')).to.equal(null);
        });
    });
});

/** CRC16 (XMODEM) of a key's hash tag modulo 16384: Redis Cluster's slot, for a server not in cluster mode. */
function slot(key: string): number {
    const open = key.indexOf('{');
    const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
    const tag = open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
    let crc = 0;
    for (const byte of Buffer.from(tag, 'utf8')) {
        crc ^= byte << 8;
        for (let bit = 0; bit < 8; bit++) crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    return crc % 16384;
}
