import { expect } from 'chai';
import { isDeepStrictEqual } from 'util';
import { MongoClient } from 'mongodb';

import { MongoTestServer } from '../fixtures/MongoTestServer';
import { MongoServiceProcess, SessionJson, TimedReply, replyJson } from './MongoServiceProcess';
import { OutageCommand, OutageExchange, OutageLoad } from './OutageLoad';

const DATABASE = 'reliability_outage';
const CLIENTS = 8;
const CONNECT_TIMEOUT_MS = 1000;
const LOAD_BEFORE_OUTAGE_MS = 3000;
const OUTAGE_MS = 10000;
/** Load goes on this long after the first success once the server is back. */
const LOAD_AFTER_RECOVERY_MS = 3000;
/** The service must serve again by itself within this long after the server is back. */
const RECOVERY_LIMIT_MS = 30000;
/** A functional bound, not a benchmark: a 503 comes after the connect timeout, not the driver's 30 s. */
const SLOW_503_LIMIT_MS = CONNECT_TIMEOUT_MS + 10000;
/** What an error reply must never show: stacks, source paths, driver errors, connection strings. */
const LEAK = /stack|\.[jt]s:\d+|node_modules|\/work\/|Mongo[A-Za-z]*Error|mongodb:|127\.0\.0\.1|ECONNREFUSED/;

/** The moments of the outage, in Date.now() milliseconds (0: not yet). */
interface OutageTimes {
    stopRequested: number;
    stopped: number;
    startRequested: number;
    started: number;
}

/**
 * Issue 8, point 3: the MongoDB test server stops for 10 s while 8 clients drive the
 * service (`node run`, a real child process) with open_session / store_session_data /
 * get_session_by_id.
 *
 * A write that got a 503 may or may not have been applied: the driver may have sent it
 * before the connection broke, and a 503 only says the outcome is unknown. The test
 * accepts either, but never half of one: an open_session that got a 503 left either no
 * session or one whole session with the data it was sent (found by its unique user_id);
 * a store_session_data that got a 503 left either the session's earlier value or exactly
 * its own. The driver does not retry writes against this server (retryable writes need a
 * replica set), so a 503'd write cannot land after a later acknowledged one: the final
 * value is the last acknowledged one or one of the unacknowledged writes sent after it.
 */
describe('Reliability: MongoDB outage under load (issue 8, point 3)', function () {
    this.timeout(180000);
    let server: MongoTestServer;
    let service: MongoServiceProcess | null = null;

    before(async function () {
        server = await MongoTestServer.require(this);
        if (!server.canRestart) {
            console.log('      outage test pending: it stops and restarts the bundled test server, not an external one');
            this.skip();
        }
        const client = await new MongoClient(server.uriFor(DATABASE)).connect();
        try {
            await client.db().dropDatabase();
        } finally {
            await client.close();
        }
        service = await MongoServiceProcess.start('outage', server.uriFor(DATABASE), {
            MONGO_CONNECT_TIMEOUT: String(CONNECT_TIMEOUT_MS)
        });
    });

    after(async () => {
        await service?.stop();
    });

    it('fails fast with 503 while the database is down, recovers by itself and loses no acknowledged write', async () => {
        const api = service!;
        const load = new OutageLoad(api, CLIENTS);
        const { exchanges, probes, sessions, unacknowledgedOpens, violations } = load;
        const times: OutageTimes = { stopRequested: 0, stopped: 0, startRequested: 0, started: 0 };

        const runOutage = async (): Promise<void> => {
            try {
                await new Promise(resolve => setTimeout(resolve, LOAD_BEFORE_OUTAGE_MS));
                times.stopRequested = Date.now();
                await server.stopServer();
                times.stopped = Date.now();
                await new Promise(resolve => setTimeout(resolve, OUTAGE_MS));
            } finally {
                times.startRequested = Date.now();
                await server.startServer();
                times.started = Date.now();
            }
            const deadline = times.started + RECOVERY_LIMIT_MS;
            let recovered: OutageExchange | undefined;
            while (recovered == null && Date.now() < deadline && api.running) {
                await new Promise(resolve => setTimeout(resolve, 100));
                recovered = load.firstSuccessAfter(times.started);
            }
            if (recovered != null) await new Promise(resolve => setTimeout(resolve, LOAD_AFTER_RECOVERY_MS));
        };

        const loadStarted = Date.now();
        load.start();
        try {
            await runOutage();
        } finally {
            await load.stop();
        }
        const loadEnded = Date.now();
        const metrics503 = await api.counter('sessions_requests_total', { api: 'http', status: '503' });
        const metrics200 = await api.counter('sessions_requests_total', { api: 'http', status: '200' });
        const storeErrors = await api.counter('sessions_store_errors_total');

        // The summary comes first, so a failure below still shows what happened.
        const down = (item: TimedReply): boolean => item.started >= times.stopped && item.started + item.latency <= times.startRequested;
        const count = (predicate: (item: OutageExchange) => boolean): number => exchanges.filter(predicate).length;
        const unavailable = exchanges.filter(item => item.status === 503);
        const maxLatency503 = Math.max(0, ...unavailable.map(item => item.latency));
        const firstSuccess = load.firstSuccessAfter(times.started);
        const firstReady = probes.filter(item => item.route === '/ready' && item.status === 200 && item.started >= times.started)
            .sort((a, b) => (a.started + a.latency) - (b.started + b.latency))[0];
        const recoveryMs = firstSuccess != null ? firstSuccess.started + firstSuccess.latency - times.started : null;
        const readyMs = firstReady != null ? firstReady.started + firstReady.latency - times.started : null;
        const acknowledgedWrites = count(item => item.status === 200 && item.command !== 'get_session_by_id');
        const otherStatuses = exchanges.filter(item => item.status !== 200 && item.status !== 503);
        console.log([
            '      load: %d clients, %d requests in %d ms (%d during the outage), %d sessions acknowledged',
            '      acknowledged writes (open/store 200): %d; reads 200: %d; 503s: %d (%d open, %d store, %d get); other errors: %d',
            '      max 503 latency %d ms; server stop took %d ms, down %d ms; store errors counted by /metrics: %d',
            '      recovery after the server started: first 2xx in %s ms, /ready 200 in %s ms'
        ].join('\n'), CLIENTS, exchanges.length, loadEnded - loadStarted, count(down), sessions.length,
        acknowledgedWrites, count(item => item.status === 200 && item.command === 'get_session_by_id'), unavailable.length,
        count(item => item.status === 503 && item.command === 'open_session'),
        count(item => item.status === 503 && item.command === 'store_session_data'),
        count(item => item.status === 503 && item.command === 'get_session_by_id'), otherStatuses.length,
        maxLatency503, times.stopped - times.stopRequested, times.startRequested - times.stopped, storeErrors,
        String(recoveryMs), String(readyMs));

        // The process never went down, and answered its liveness probe all along.
        expect(api.running, 'the service process exited:\n' + api.output.slice(-3000)).to.equal(true);
        const heartbeats = probes.filter(item => item.route === '/heartbeat');
        expect(heartbeats.length).to.be.greaterThan(OUTAGE_MS / (OutageLoad.ProbeIntervalMs + CONNECT_TIMEOUT_MS * 2));
        expect(heartbeats.filter(item => item.status !== 200).map(item => item.status + ' ' + item.text), '/heartbeat')
            .to.deep.equal([]);

        // Nothing but successes and clear 503s, each fast and without internals.
        expect(otherStatuses.map(item => item.command + ' ' + item.status + ' ' + item.text.slice(0, 300)), 'other statuses')
            .to.deep.equal([]);
        expect(unavailable.length, '503s during a 10 s outage').to.be.greaterThan(0);
        for (const item of unavailable) {
            const body = replyJson<{ status: number; code: string; message: string }>(item);
            expect(body.code, item.text).to.equal('DATABASE_UNAVAILABLE');
            expect(body.status, item.text).to.equal(503);
            expect(body.message, item.text).to.be.a('string').and.not.equal('');
            expect(item.text, 'a 503 shows internals').to.not.match(LEAK);
        }
        expect(maxLatency503, 'slowest 503 (ms)').to.be.at.most(SLOW_503_LIMIT_MS);
        expect(exchanges.filter(down).filter(item => item.status !== 503).map(item => item.command + ' ' + item.status),
            'answers while the server was down').to.deep.equal([]);
        expect(violations, 'what the clients saw').to.deep.equal([]);

        // Readiness followed the database.
        const readyWhileDown = probes.filter(item => item.route === '/ready' && down(item));
        expect(readyWhileDown.length, '/ready probes during the outage').to.be.greaterThan(0);
        expect(readyWhileDown.filter(item => item.status !== 503).map(item => item.status), '/ready while down').to.deep.equal([]);
        for (const item of readyWhileDown) expect(item.text).to.not.match(LEAK);

        // It recovered by itself, within the bound, and served every command again.
        expect(recoveryMs, 'no success within ' + RECOVERY_LIMIT_MS + ' ms of the server coming back').to.not.equal(null);
        expect(readyMs, '/ready never answered 200 after the server came back').to.not.equal(null);
        for (const command of ['open_session', 'store_session_data', 'get_session_by_id'] as OutageCommand[]) {
            expect(count(item => item.command === command && item.status === 200 && item.started >= times.started),
                command + ' successes after recovery').to.be.greaterThan(0);
        }

        // /metrics counted the same answers the clients got.
        expect(metrics503, 'sessions_requests_total{status="503"}').to.equal(unavailable.length);
        expect(metrics200, 'sessions_requests_total{status="200"}').to.equal(count(item => item.status === 200));
        expect(storeErrors, 'sessions_store_errors_total').to.be.at.least(unavailable.length);

        // Every acknowledged write is there, over HTTP and in the database itself.
        const lostOverHttp: string[] = [];
        for (const session of sessions) {
            const reply = await api.call('get_session_by_id', { session_id: session.id });
            const found = reply.status === 200 ? replyJson<SessionJson>(reply) : null;
            if (found == null || found.user_id !== session.userId || found.active !== true
                || !OutageLoad.allowed(session).some(value => isDeepStrictEqual(found.data, value))) {
                lostOverHttp.push(session.userId + ': ' + reply.status + ' ' + reply.text.slice(0, 200));
            }
        }
        expect(lostOverHttp, 'acknowledged sessions read back over HTTP').to.deep.equal([]);

        const mongo = await new MongoClient(server.uriFor(DATABASE)).connect();
        try {
            const documents = await mongo.db().collection<{ _id: string } & Omit<SessionJson, 'id'>>('sessions').find({}).toArray();
            const byId = new Map(documents.map(document => [document._id, document]));
            const byUser = new Map<string, number>();
            for (const document of documents) byUser.set(document.user_id, (byUser.get(document.user_id) ?? 0) + 1);
            const lostInDatabase = sessions.filter(session => {
                const document = byId.get(session.id);
                return document == null || document.user_id !== session.userId
                    || !OutageLoad.allowed(session).some(value => isDeepStrictEqual(document.data, value));
            }).map(session => session.userId);
            expect(lostInDatabase, 'acknowledged sessions read back from MongoDB').to.deep.equal([]);

            // A 503'd open left nothing, or one whole session with what it was sent.
            let appliedDespite503 = 0;
            for (const data of unacknowledgedOpens) {
                const matches = documents.filter(document => document.user_id === data.user_id);
                expect(matches.length, 'sessions of a 503 open_session').to.be.at.most(1);
                if (matches.length === 0) continue;
                appliedDespite503++;
                const document = matches[0];
                expect(document.active, 'a 503 open_session, applied').to.equal(true);
                expect(document.data, 'a 503 open_session, applied').to.deep.equal(data);
                expect(document.open_time, 'a 503 open_session, applied').to.be.instanceOf(Date);
                expect(document.request_time, 'a 503 open_session, applied').to.be.instanceOf(Date);
            }
            for (const [userId, copies] of byUser) expect(copies, 'sessions of ' + userId).to.equal(1);
            expect(documents.length, 'sessions in MongoDB').to.equal(sessions.length + appliedDespite503);
            console.log('      MongoDB holds %d sessions: %d acknowledged, %d of %d opens that got a 503; '
                + '%d acknowledged sessions had a 503 store after their last acknowledged one',
            documents.length, sessions.length, appliedDespite503, unacknowledgedOpens.length,
            sessions.filter(session => session.unacknowledged.length > 0).length);
        } finally {
            await mongo.close();
        }

        // No session id reached the log.
        const output = api.output;
        expect(sessions.filter(session => output.includes(session.id)).length, 'session ids in the log').to.equal(0);
    });
});
