import { expect } from 'chai';
import { isDeepStrictEqual } from 'util';
import { Redis } from 'ioredis';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsRedisCodec } from '../../src/persistence/redis/SessionsRedisCodec';
import { SessionsRedisKeys } from '../../src/persistence/redis/SessionsRedisKeys';
import { RedisServerProcess } from '../fixtures/RedisServerProcess';
import { RedisTestServer } from '../fixtures/RedisTestServer';
import { MongoServiceProcess, SessionJson, TimedReply, replyJson } from './MongoServiceProcess';
import { OutageLoad } from './OutageLoad';

const PREFIX = 'outage:';
const CLIENTS = 8;
const CONNECT_TIMEOUT_MS = 1000;
const LOAD_BEFORE_OUTAGE_MS = 3000;
const OUTAGE_MS = 10000;
/** After a kill, the server is started again after this long (under load all the while). */
const KILL_DOWN_MS = 1000;
const LOAD_AFTER_RECOVERY_MS = 3000;
const RECOVERY_LIMIT_MS = 30000;
/** A functional bound, not a benchmark: a 503 comes within the connect timeout. */
const SLOW_503_LIMIT_MS = CONNECT_TIMEOUT_MS + 10000;
/** What an error reply must never show: stacks, source paths, client errors, addresses. */
const LEAK = /stack|\.[jt]s:\d+|node_modules|\/work\/|ioredis|redis:|127\.0\.0\.1|ECONNREFUSED|Connection is closed/;

/** Every session the server holds under the prefix, read through the store's own key layout. */
async function storedSessions(uri: string): Promise<SessionV1[]> {
    const redis = new Redis(uri);
    try {
        const keys = new SessionsRedisKeys(PREFIX);
        const result: SessionV1[] = [];
        for (const bucket of SessionsRedisKeys.allBuckets()) {
            for (const id of await redis.zrange(keys.all(bucket), 0, -1)) {
                const session = SessionsRedisCodec.decode(id, Object.entries(await redis.hgetall(keys.session(bucket, id))).flat());
                if (session != null) result.push(session);
            }
        }
        return result;
    } finally {
        redis.disconnect();
    }
}

/**
 * Issue 22, point 4: the Redis store under load while its server goes away, with the
 * server's append-only file fsynced before every reply (appendfsync always): stopped for
 * 10 s (SIGTERM, started again on its data), and killed (SIGKILL, started again from its
 * append-only file). A write that got a 503 may or may not have been applied (its reply may
 * have been lost); an acknowledged one must be there, whole.
 */
describe('Reliability: Redis outage and kill under load (issue 22, point 4)', function () {
    this.timeout(180000);
    let server: RedisServerProcess | null = null;
    let service: MongoServiceProcess | null = null;

    before(function () {
        RedisTestServer.requireBinary(this);
    });

    beforeEach(async () => {
        server = await RedisServerProcess.start({ fsync: 'always' });
        service = await MongoServiceProcess.startWith('redis-outage', {
            REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: PREFIX, REDIS_CONNECT_TIMEOUT: String(CONNECT_TIMEOUT_MS)
        });
    });

    afterEach(async () => {
        await service?.stop();
        await server?.remove();
    });

    /** Drives the load through the outage; returns the load and when the server was down. */
    async function underLoad(outage: (server: RedisServerProcess) => Promise<void>, downMs: number)
        : Promise<{ load: OutageLoad; stopped: number; started: number }> {
        const load = new OutageLoad(service!, CLIENTS);
        load.start();
        let stopped = 0;
        let started = 0;
        try {
            await new Promise(resolve => setTimeout(resolve, LOAD_BEFORE_OUTAGE_MS));
            await outage(server!);
            stopped = Date.now();
            await new Promise(resolve => setTimeout(resolve, downMs));
        } finally {
            await server!.startAgain();
            started = Date.now();
        }
        const deadline = started + RECOVERY_LIMIT_MS;
        while (load.firstSuccessAfter(started) == null && Date.now() < deadline && service!.running) {
            await new Promise(resolve => setTimeout(resolve, 100));
        }
        if (load.firstSuccessAfter(started) != null) await new Promise(resolve => setTimeout(resolve, LOAD_AFTER_RECOVERY_MS));
        await load.stop();
        return { load, stopped, started };
    }

    /** Every acknowledged write is there, over HTTP and in Redis; a 503'd open left nothing or one whole session. */
    async function expectNothingLost(load: OutageLoad, what: string): Promise<void> {
        const lostOverHttp: string[] = [];
        for (const session of load.sessions) {
            const reply = await service!.call('get_session_by_id', { session_id: session.id });
            const found = reply.status === 200 ? replyJson<SessionJson>(reply) : null;
            if (found == null || found.user_id !== session.userId || found.active !== true
                || !OutageLoad.allowed(session).some(value => isDeepStrictEqual(found.data, value))) {
                lostOverHttp.push(session.userId + ': ' + reply.status + ' ' + reply.text.slice(0, 200));
            }
        }
        const stored = await storedSessions(server!.uri);
        const byId = new Map(stored.map(session => [session.id, session]));
        const lostInRedis = load.sessions.filter(session => {
            const found = byId.get(session.id);
            return found == null || found.user_id !== session.userId
                || !OutageLoad.allowed(session).some(value => isDeepStrictEqual(found.data, value));
        }).map(session => session.userId);
        const byUser = new Map<string, SessionV1[]>();
        for (const session of stored) byUser.set(session.user_id, [...byUser.get(session.user_id) ?? [], session]);
        let appliedDespite503 = 0;
        for (const data of load.unacknowledgedOpens) {
            const matches = byUser.get(data.user_id) ?? [];
            expect(matches.length, 'sessions of a 503 open_session').to.be.at.most(1);
            if (matches.length === 0) continue;
            appliedDespite503++;
            expect([matches[0].active, matches[0].data], 'a 503 open_session, applied').to.deep.equal([true, data]);
        }
        const acknowledgedWrites = load.exchanges.filter(item => item.status === 200 && item.command !== 'get_session_by_id').length;
        console.log('      %s: %d acknowledged writes; acknowledged sessions lost: %d over HTTP, %d in Redis; '
            + 'Redis holds %d sessions (%d acknowledged, %d of %d opens that got a 503)', what, acknowledgedWrites,
        lostOverHttp.length, lostInRedis.length, stored.length, load.sessions.length, appliedDespite503, load.unacknowledgedOpens.length);
        expect(lostOverHttp, 'acknowledged sessions read back over HTTP').to.deep.equal([]);
        expect(lostInRedis, 'acknowledged sessions read back from Redis').to.deep.equal([]);
        for (const [userId, copies] of byUser) expect(copies.length, 'sessions of ' + userId).to.equal(1);
        expect(stored.length, 'sessions in Redis').to.equal(load.sessions.length + appliedDespite503);
    }

    /** Only successes and clear, fast 503s without internals; the process stayed up and recovered by itself. */
    function expectCleanOutage(load: OutageLoad, started: number): void {
        expect(service!.running, 'the service process exited:\n' + service!.output.slice(-3000)).to.equal(true);
        const other = load.exchanges.filter(item => item.status !== 200 && item.status !== 503);
        expect(other.map(item => item.command + ' ' + item.status + ' ' + item.text.slice(0, 300)), 'other statuses').to.deep.equal([]);
        const unavailable = load.exchanges.filter(item => item.status === 503);
        expect(unavailable.length, '503s while the server was away').to.be.greaterThan(0);
        for (const item of unavailable) {
            const body = replyJson<{ status: number; code: string }>(item);
            expect([body.code, body.status], item.text).to.deep.equal(['DATABASE_UNAVAILABLE', 503]);
            expect(item.text, 'a 503 shows internals').to.not.match(LEAK);
        }
        expect(Math.max(0, ...unavailable.map(item => item.latency)), 'slowest 503 (ms)').to.be.at.most(SLOW_503_LIMIT_MS);
        expect(load.probes.filter(item => item.route === '/heartbeat' && item.status !== 200).map(item => item.status), '/heartbeat')
            .to.deep.equal([]);
        expect(load.violations, 'what the clients saw').to.deep.equal([]);
        expect(load.firstSuccessAfter(started), 'no success within ' + RECOVERY_LIMIT_MS + ' ms of the server coming back')
            .to.not.equal(undefined);
        for (const command of ['open_session', 'store_session_data', 'get_session_by_id']) {
            expect(load.exchanges.filter(item => item.command === command && item.status === 200 && item.started >= started).length,
                command + ' successes after recovery').to.be.greaterThan(0);
        }
        expect(load.sessions.filter(session => service!.output.includes(session.id)).length, 'session ids in the log').to.equal(0);
    }

    it('stopped for 10 s: fails fast with 503 and /ready 503, recovers by itself, loses no acknowledged write', async () => {
        const { load, stopped, started } = await underLoad(server => server.stop(), OUTAGE_MS);
        const down = (item: TimedReply): boolean => item.started >= stopped && item.started + item.latency <= started;
        const firstReady = load.probes.filter(item => item.route === '/ready' && item.status === 200 && item.started >= started)
            .sort((a, b) => (a.started + a.latency) - (b.started + b.latency))[0];
        const firstSuccess = load.firstSuccessAfter(started);
        console.log('      stop: %d requests (%d while down, %d 503s); recovery: first 2xx %s ms, /ready 200 %s ms after the server started',
            load.exchanges.length, load.exchanges.filter(down).length, load.exchanges.filter(item => item.status === 503).length,
            String(firstSuccess != null ? firstSuccess.started + firstSuccess.latency - started : null),
            String(firstReady != null ? firstReady.started + firstReady.latency - started : null));
        expectCleanOutage(load, started);
        expect(load.exchanges.filter(down).filter(item => item.status !== 503).map(item => item.command + ' ' + item.status),
            'answers while the server was down').to.deep.equal([]);
        const readyWhileDown = load.probes.filter(item => item.route === '/ready' && down(item));
        expect(readyWhileDown.length, '/ready probes while down').to.be.greaterThan(0);
        expect(readyWhileDown.filter(item => item.status !== 503).map(item => item.status), '/ready while down').to.deep.equal([]);
        for (const item of readyWhileDown) expect(item.text).to.not.match(LEAK);
        expect(firstReady, '/ready never answered 200 after the server came back').to.not.equal(undefined);
        await expectNothingLost(load, 'stop');
    });

    it('killed (SIGKILL) under load with appendfsync always: no acknowledged write is lost', async () => {
        const { load, started } = await underLoad(server => server.kill(), KILL_DOWN_MS);
        expectCleanOutage(load, started);
        await expectNothingLost(load, 'SIGKILL');
    });
});
