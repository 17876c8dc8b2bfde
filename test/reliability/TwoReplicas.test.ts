import { expect } from 'chai';

import { MongoReplicaStore } from './MongoReplicaStore';
import { MongoServiceProcess, SessionJson, TimedReply, replyJson } from './MongoServiceProcess';
import { RedisReplicaStore } from './RedisReplicaStore';
import { RegisterHistory } from './RegisterHistory';
import { ReplicaStore } from './ReplicaStore';

const DATABASE = 'reliability_replicas';
/** Concurrent clients, half on each replica. */
const CLIENTS = 8;
const SHARED_SESSIONS = 10;
const TRAFFIC_MS = 5000;
const MAX_TRAFFIC_REQUESTS = 3000;
const SWEPT_SESSIONS = 300;
const FRESH_SESSIONS = 10;
/** The manual sweeps' expiry: long enough that the fresh sessions are not expired when swept. */
const MANUAL_EXPIRE_MS = 3000;
const MANUAL_ROUNDS = 4;
const TIMER_EXPIRE_MS = 1500;
const TIMER_INTERVAL_MS = 200;
/** Bounds the wait for the timers to close every session. */
const TIMER_CLOSE_LIMIT_MS = 30000;

/** A value a reply showed for one field of one session, checked once the traffic is over. */
interface Observation {
    history: RegisterHistory;
    field: string;
    value: unknown;
    started: number;
    ended: number;
    what: string;
}

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

/** Runs count workers at once; each gets its index. */
async function inParallel(count: number, worker: (index: number) => Promise<void>): Promise<void> {
    await Promise.all(Array.from({ length: count }, (_, index) => worker(index)));
}

function expectStatus(reply: TimedReply, status: number, what: string): void {
    expect(reply.status, what + ': ' + reply.text.slice(0, 300)).to.equal(status);
}

/**
 * Opens count sessions with user ids prefix-0..prefix-(count-1), spread over the replicas
 * by CLIENTS concurrent clients. Returns them by user id, and when the last reply came.
 */
async function openMany(replicas: MongoServiceProcess[], prefix: string, count: number)
    : Promise<{ sessions: Map<string, SessionJson>; lastOpened: number }> {
    const sessions = new Map<string, SessionJson>();
    let next = 0;
    let lastOpened = 0;
    await inParallel(CLIENTS, async client => {
        const replica = replicas[client % replicas.length];
        for (let index = next++; index < count; index = next++) {
            const reply = await replica.call('open_session', { user_id: prefix + '-' + index, data: { index } });
            expectStatus(reply, 200, replica.name + ' open_session');
            const session = replyJson<SessionJson>(reply);
            sessions.set(session.user_id, session);
            lastOpened = Math.max(lastOpened, reply.started + reply.latency);
        }
    });
    return { sessions, lastOpened };
}

async function expiredTotal(replicas: MongoServiceProcess[]): Promise<number[]> {
    return await Promise.all(replicas.map(replica => replica.counter('sessions_expired_total')));
}

/** What checkSwept found: the close times by id, and how many differ from the earlier ones. */
interface SweptState {
    closeTimes: Map<string, number>;
    changed: number;
}

/**
 * Checks what sweeps left in the store: every one of the sessions is there once, closed,
 * emptied, and no sooner than its expiry; and with earlier close times given, that none
 * changed (unless changes are only to be counted).
 */
async function checkSwept(store: ReplicaStore, namespace: string, sessions: Map<string, SessionJson>, expireMs: number,
    closeTimes: Map<string, number> | null, countChanges = false): Promise<SweptState> {
    const ids = [...sessions.values()].map(session => session.id);
    const documents = await store.find(namespace, ids);
    expect(documents.length, 'swept sessions in ' + store.name).to.equal(sessions.size);
    const result = new Map<string, number>();
    const problems: string[] = [];
    let changed = 0;
    for (const document of documents) {
        const closeTime = document.close_time instanceof Date ? document.close_time.getTime() : null;
        if (document.active !== false || closeTime == null) {
            problems.push(document.user_id + ' not closed');
            continue;
        }
        if (closeTime - document.open_time.getTime() < expireMs) problems.push(document.user_id + ' closed before it expired');
        if (document.data != null || document.user != null) problems.push(document.user_id + ' kept data or user');
        if (closeTimes != null && closeTimes.get(document.id) !== closeTime) {
            changed++;
            if (!countChanges) {
                problems.push(document.user_id + ' close_time changed from '
                    + new Date(closeTimes.get(document.id) ?? 0).toISOString() + ' to ' + document.close_time!.toISOString());
            }
        }
        result.set(document.id, closeTime);
    }
    expect(problems.slice(0, 20), problems.length + ' problems').to.deep.equal([]);
    return { closeTimes: result, changed };
}

/**
 * Issue 8, point 5: two `node run` processes, A and B, on one database (MongoDB; Redis, issue
 * 22). Each part has its own namespace (a collection, a key prefix) and its own pair of
 * processes, so the counts of one do not leak into another.
 */
function describeTwoReplicas(store: ReplicaStore): void {
    describe('Reliability: two replicas on one ' + store.name + ' (issue 8, point 5)', function () {
        this.timeout(180000);
        /** MongoDB, Redis and the bundled test server isolate updates; a plain FerretDB does not (see MongoReplicaStore). */
        let isolated = true;
        const started: MongoServiceProcess[] = [];

        before(async function () {
            await store.open(this);
            isolated = store.isolated;
        });

        after(async () => {
            await Promise.all(started.map(replica => replica.stop()));
            await store.close();
        });

        /** Starts A and B on one namespace, with the given controller settings. */
        async function startPair(namespace: string, env: Record<string, string>): Promise<MongoServiceProcess[]> {
            // Each one is recorded as soon as it runs, so after() stops it even if its twin failed to start.
            return await Promise.all(['A', 'B'].map(async name => {
                const replica = await MongoServiceProcess.startWith(name, { ...store.env(namespace), ...env });
                started.push(replica);
                return replica;
            }));
        }

        async function stopPair(pair: MongoServiceProcess[]): Promise<void> {
            for (const replica of pair) {
                expect(replica.running, replica.name + ' exited:\n' + replica.output.slice(-3000)).to.equal(true);
                started.splice(started.indexOf(replica), 1);
                expect(await replica.stop(), replica.name + ' exit code').to.equal(0);
            }
        }

        /**
         * Each session was closed by one sweep, so the replicas counted each once. On a plain FerretDB
         * two concurrent sweeps may both close a session (see ISOLATION_NOTE): then each is counted at
         * least once and the excess is printed.
         */
        function expectClosedOnce(expiredOverBoth: number): void {
            if (isolated) {
                expect(expiredOverBoth, 'sessions_expired_total over A and B').to.equal(SWEPT_SESSIONS);
                return;
            }
            expect(expiredOverBoth, 'sessions_expired_total over A and B').to.be.at.least(SWEPT_SESSIONS);
            if (expiredOverBoth > SWEPT_SESSIONS) {
                console.log('      %d sessions closed by both sweeps (FerretDB: not isolated)', expiredOverBoth - SWEPT_SESSIONS);
            }
        }

        describe('serving the same sessions', () => {
            let a: MongoServiceProcess;
            let b: MongoServiceProcess;

            before(async () => {
                [a, b] = await startPair('shared', { EXPIRE_TIMEOUT: '86400000' });
            });

            after(async () => {
                await stopPair([a, b]);
            });

            it('a session opened through A is read, updated and closed through B, and A sees each step', async () => {
                const opened = await a.call('open_session', { user_id: 'handoff', user_name: 'Hand Off', data: { step: 0 } });
                expectStatus(opened, 200, 'A open_session');
                const id = replyJson<SessionJson>(opened).id;

                const readB = await b.call('get_session_by_id', { session_id: id });
                expectStatus(readB, 200, 'B get_session_by_id');
                expect(replyJson<SessionJson>(readB)).to.deep.equal(replyJson<SessionJson>(opened));

                expectStatus(await b.call('store_session_data', { session_id: id, data: { step: 1 } }), 200, 'B store_session_data');
                const afterStore = replyJson<SessionJson>(await a.call('get_session_by_id', { session_id: id }));
                expect(afterStore.data, 'A sees B\'s data').to.deep.equal({ step: 1 });

                expectStatus(await b.call('update_session_user', { session_id: id, user: { name: 'B' } }), 200, 'B update_session_user');
                const afterUser = replyJson<SessionJson>(await a.call('get_session_by_id', { session_id: id }));
                expect(afterUser.user, 'A sees B\'s user').to.deep.equal({ name: 'B' });
                expect(afterUser.data, 'and still B\'s data').to.deep.equal({ step: 1 });

                expectStatus(await a.call('store_session_data', { session_id: id, data: { step: 2 } }), 200, 'A store_session_data');
                const readBack = replyJson<SessionJson>(await b.call('get_session_by_id', { session_id: id }));
                expect(readBack.data, 'B sees A\'s data').to.deep.equal({ step: 2 });

                const closed = await b.call('close_session', { session_id: id });
                expectStatus(closed, 200, 'B close_session');
                const seenByA = replyJson<SessionJson>(await a.call('get_session_by_id', { session_id: id }));
                expect(seenByA.active, 'A sees it closed').to.equal(false);
                expect(seenByA.close_time, 'A sees B\'s close_time').to.equal(replyJson<SessionJson>(closed).close_time);
                expect(seenByA.data ?? null).to.equal(null);
                expect(seenByA.user ?? null).to.equal(null);
                const listed = replyJson<{ data: SessionJson[] }>(await a.call('get_sessions', { filter: { id, active: false } }));
                expect(listed.data.map(session => session.id), 'A lists it as closed').to.deep.equal([id]);
            });

            it('concurrent writes to the same sessions through both leave each field with one of the written values', async () => {
                const ids: string[] = [];
                const data = new Map<string, RegisterHistory>();
                const users = new Map<string, RegisterHistory>();
                for (let index = 0; index < SHARED_SESSIONS; index++) {
                    const replica = index % 2 === 0 ? a : b;
                    const opened = await replica.call('open_session', { user_id: 'shared-' + index, data: { initial: index } });
                    expectStatus(opened, 200, 'open_session');
                    const id = replyJson<SessionJson>(opened).id;
                    ids.push(id);
                    const ended = opened.started + opened.latency;
                    data.set(id, new RegisterHistory({ value: { initial: index }, started: opened.started, ended }));
                    users.set(id, new RegisterHistory({ value: null, started: opened.started, ended }));
                }

                const problems: string[] = [];
                const observed: Observation[] = [];
                const tally = new Map<string, number>();
                let requests = 0;
                const deadline = Date.now() + TRAFFIC_MS;
                await inParallel(CLIENTS, async client => {
                    const replica = client % 2 === 0 ? a : b;
                    for (let seq = 0; Date.now() < deadline && requests < MAX_TRAFFIC_REQUESTS; seq++) {
                        requests++;
                        // Every client walks the sessions in its own order, so writes to one session collide.
                        const id = ids[(seq * (client + 1) + client) % ids.length];
                        const value = { writer: replica.name + client, seq };
                        const kind = seq % 3;
                        const [command, args] = kind === 0 ? ['store_session_data', { session_id: id, data: value }]
                            : kind === 1 ? ['update_session_user', { session_id: id, user: value }]
                                : ['get_session_by_id', { session_id: id }];
                        const reply = await replica.call(command, args);
                        const outcome = replica.name + ' ' + command + ' ' + reply.status;
                        tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
                        if (reply.status !== 200) {
                            problems.push(replica.name + ' ' + command + ': ' + reply.status + ' ' + reply.text.slice(0, 200));
                            continue;
                        }
                        const session = replyJson<SessionJson>(reply);
                        const ended = reply.started + reply.latency;
                        if (kind === 0) data.get(id)!.add({ value, started: reply.started, ended });
                        if (kind === 1) users.get(id)!.add({ value, started: reply.started, ended });
                        // A write's reply is the session just after that write; a read's, some state it may
                        // see. Checked once every write is known: one still in flight may be what a read saw.
                        const seen = { started: reply.started, ended, what: replica.name + ' ' + command };
                        observed.push({ ...seen, history: data.get(id)!, value: session.data, field: 'data' });
                        observed.push({ ...seen, history: users.get(id)!, value: session.user ?? null, field: 'user' });
                        if (session.active !== true) problems.push(command + ' found the session closed');
                    }
                });
                console.log('      %d requests through A and B on %d sessions in %d ms: %s', requests, SHARED_SESSIONS, TRAFFIC_MS,
                    [...tally].sort().map(([key, count]) => key + ' x' + count).join(', '));
                // Any store: every value seen is one that was written to that field of that session.
                // An isolated store: also none that a finished later write had overwritten (no lost update).
                const stale: string[] = [];
                for (const item of observed) {
                    const seen = item.what + ' answered ' + item.field + ' ' + JSON.stringify(item.value);
                    if (!item.history.wasWritten(item.value)) problems.push(seen + ', never written to that session');
                    else if (!item.history.allows(item.value, item.started, item.ended)) stale.push(seen + ', overwritten before');
                }
                expect(problems.slice(0, 20), problems.length + ' problems during the traffic').to.deep.equal([]);

                // The final state is the same through A, through B and in the store, and each field holds
                // a value written to it (on an isolated store: one no later write overwrote).
                const now = Date.now();
                const documents = new Map((await store.find('shared', ids)).map(document => [document.id, document]));
                let lostUpdates = 0;
                for (const id of ids) {
                    const [throughA, throughB] = [await a.call('get_session_by_id', { session_id: id }),
                        await b.call('get_session_by_id', { session_id: id })];
                    expectStatus(throughA, 200, 'A get_session_by_id');
                    expect(throughB.text, 'the same session through A and B').to.equal(throughA.text);
                    const session = replyJson<SessionJson>(throughA);
                    expect(session.active).to.equal(true);
                    expect(data.get(id)!.wasWritten(session.data), 'final data ' + JSON.stringify(session.data)).to.equal(true);
                    expect(users.get(id)!.wasWritten(session.user ?? null), 'final user ' + JSON.stringify(session.user)).to.equal(true);
                    if (!data.get(id)!.allows(session.data, now, now)) lostUpdates++;
                    if (!users.get(id)!.allows(session.user ?? null, now, now)) lostUpdates++;
                    expect(documents.get(id)?.data, 'in ' + store.name).to.deep.equal(session.data);
                    expect(documents.get(id)?.user ?? null, 'in ' + store.name).to.deep.equal(session.user ?? null);
                }
                console.log('      %d of %d replies showed an overwritten value; %d of %d final fields lost their last write%s',
                    stale.length, observed.length, lostUpdates, ids.length * 2, isolated ? '' : ' (FerretDB: not isolated)');
                if (isolated) {
                    expect(stale.slice(0, 20), stale.length + ' replies showed an overwritten value').to.deep.equal([]);
                    expect(lostUpdates, 'final fields that lost their last write').to.equal(0);
                }
            });
        });

        describe('sweeping expired sessions', () => {
            it('both sweeping at once on request close each expired session once, and leave fresh ones open', async () => {
                const pair = await startPair('sweep_manual', { EXPIRE_TIMEOUT: String(MANUAL_EXPIRE_MS), CLEANUP_INTERVAL: '0' });
                const { sessions, lastOpened } = await openMany(pair, 'manual', SWEPT_SESSIONS);
                await sleep(lastOpened + MANUAL_EXPIRE_MS + 500 - Date.now());

                let overlapping = 0;
                let closeTimes: Map<string, number> | null = null;
                for (let round = 0; round < MANUAL_ROUNDS; round++) {
                    const replies = await Promise.all(pair.map(replica => replica.call('close_expired_sessions')));
                    for (const reply of replies) expectStatus(reply, 204, 'close_expired_sessions');
                    const [first, second] = replies;
                    if (first.started < second.started + second.latency && second.started < first.started + first.latency) overlapping++;
                    // The close times after the first round are the ones every later round must keep.
                    // Both sweeps of a round have answered, and nothing else sweeps: later rounds must change nothing.
                    closeTimes = (await checkSwept(store, 'sweep_manual', sessions, MANUAL_EXPIRE_MS, closeTimes)).closeTimes;
                }
                const expired = await expiredTotal(pair);
                console.log('      manual: %d sessions, %d rounds of sweeps on A and B at once (%d overlapped); '
                    + 'sessions_expired_total A %d + B %d', SWEPT_SESSIONS, MANUAL_ROUNDS, overlapping, expired[0], expired[1]);
                expectClosedOnce(expired[0] + expired[1]);
                expect(await store.count('sweep_manual'), 'sessions in the store').to.equal(SWEPT_SESSIONS);
                for (const replica of pair) {
                    const page = replyJson<{ total: number }>(await replica.call('get_sessions', {
                        filter: { active: false }, paging: { take: 1, total: true }
                    }));
                    expect(page.total, replica.name + ' lists the closed sessions').to.equal(SWEPT_SESSIONS);
                }

                // Sessions opened after the sweep are not expired: one more sweep on both leaves them open.
                const fresh = await openMany(pair, 'fresh', FRESH_SESSIONS);
                const freshIds = [...fresh.sessions.values()].map(session => session.id);
                const oldestFresh = Math.min(...[...fresh.sessions.values()].map(session => new Date(session.request_time).getTime()));
                const sweeps = await Promise.all(pair.map(replica => replica.call('close_expired_sessions')));
                const sweptBy = Math.max(...sweeps.map(reply => reply.started + reply.latency));
                // Only a stall of the machine longer than the expiry could make them due; then this part says so.
                expect(sweptBy - oldestFresh, 'the fresh sessions got old before the sweep ran').to.be.below(MANUAL_EXPIRE_MS);
                const stillActive = await store.countActive('sweep_manual', { ids: freshIds });
                expect(stillActive, 'fresh sessions still active').to.equal(FRESH_SESSIONS);
                expect((await expiredTotal(pair)).reduce((sum, value) => sum + value, 0), 'fresh sessions counted as expired')
                    .to.equal(expired[0] + expired[1]);
                await checkSwept(store, 'sweep_manual', sessions, MANUAL_EXPIRE_MS, closeTimes);
                await stopPair(pair);
            });

            it('both sweeping on their timers close each expired session once', async () => {
                const pair = await startPair('sweep_timer', {
                    EXPIRE_TIMEOUT: String(TIMER_EXPIRE_MS), CLEANUP_INTERVAL: String(TIMER_INTERVAL_MS)
                });
                const started = Date.now();
                const { sessions } = await openMany(pair, 'timer', SWEPT_SESSIONS);
                const ids = [...sessions.values()].map(session => session.id);
                const deadline = Date.now() + TIMER_CLOSE_LIMIT_MS;
                let active = ids.length;
                while (active > 0 && Date.now() < deadline) {
                    await sleep(250);
                    active = await store.countActive('sweep_timer', { ids });
                }
                expect(active, 'sessions the timers left open').to.equal(0);
                const allClosed = Date.now() - started;
                const first = await checkSwept(store, 'sweep_timer', sessions, TIMER_EXPIRE_MS, null);

                // Many more sweeps on both: nothing closed twice. A sweep that read a session as active
                // just before the other closed it may still be writing; on MongoDB it finds nothing
                // to change (the filter is checked again per document), on a plain FerretDB it closes
                // it again, so there the changes are counted, not failed.
                await sleep(TIMER_INTERVAL_MS * 10);
                const later = await checkSwept(store, 'sweep_timer', sessions, TIMER_EXPIRE_MS, first.closeTimes, !isolated);
                await sleep(TIMER_INTERVAL_MS * 10);
                const last = await checkSwept(store, 'sweep_timer', sessions, TIMER_EXPIRE_MS, later.closeTimes, !isolated);
                console.log('      close_time changed after all were closed: %d, then %d%s', later.changed, last.changed,
                    isolated ? '' : ' (FerretDB: not isolated)');
                const expired = await expiredTotal(pair);
                console.log('      timers: %d sessions closed by sweeps every %d ms on A and B within %d ms of the first open; '
                    + 'sessions_expired_total A %d + B %d', SWEPT_SESSIONS, TIMER_INTERVAL_MS, allClosed, expired[0], expired[1]);
                expectClosedOnce(expired[0] + expired[1]);
                expect(await store.count('sweep_timer'), 'sessions in the store').to.equal(SWEPT_SESSIONS);
                const errors = pair.map(replica => replica.output).join('\n').match(/Closing expired sessions failed.*/g) ?? [];
                expect(errors, 'failed sweeps').to.deep.equal([]);
                await stopPair(pair);
            });
        });
    });
}

describeTwoReplicas(new MongoReplicaStore(DATABASE));
describeTwoReplicas(new RedisReplicaStore(DATABASE));
