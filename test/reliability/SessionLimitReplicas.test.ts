import { expect } from 'chai';

import { MongoReplicaStore } from './MongoReplicaStore';
import { MongoServiceProcess } from './MongoServiceProcess';
import { RedisReplicaStore } from './RedisReplicaStore';
import { ReplicaStore } from './ReplicaStore';

const DATABASE = 'reliability_session_limit';
const LIMIT = 3;
const ROUNDS = 20;
const OPENS_PER_ROUND = 40;

/** Runs count workers at once; each gets its index. */
async function inParallel<T>(count: number, worker: (index: number) => Promise<T>): Promise<T[]> {
    return await Promise.all(Array.from({ length: count }, (_, index) => worker(index)));
}

/** The audit lines of one event for the users of this test (by their prefix), over the given outputs. */
function auditLines(outputs: string[], event: string, userPrefix: string, reason?: string): number {
    let count = 0;
    for (const output of outputs) {
        for (const line of output.split('\n')) {
            const match = /audit (\{.*\})\s*$/.exec(line);
            if (match == null) continue;
            const entry = JSON.parse(match[1]) as { event: string; user_id: string; reason?: string };
            if (entry.event === event && entry.user_id.startsWith(userPrefix) && (reason == null || entry.reason === reason)) count++;
        }
    }
    return count;
}

/**
 * Issue 24: MAX_SESSIONS_PER_USER across two replicas (separate `node run` processes) on
 * one MongoDB-wire server (and, issue 22, one Redis), under bursts of concurrent opens for
 * users with no session.
 */
function describeSessionLimitReplicas(store: ReplicaStore): void {
    describe('Reliability: the session limit across two replicas on one ' + store.name + ' (issue 24)', function () {
        this.timeout(300000);
        const started: MongoServiceProcess[] = [];

        before(async function () {
            await store.open(this);
        });

        after(async () => {
            await Promise.all(started.map(replica => replica.stop()));
            await store.close();
        });

        async function startPair(namespace: string, policy: string): Promise<MongoServiceProcess[]> {
            return await Promise.all(['A', 'B'].map(async name => {
                const replica = await MongoServiceProcess.startWith(name, {
                    ...store.env(namespace), MAX_SESSIONS_PER_USER: String(LIMIT), SESSION_LIMIT_POLICY: policy,
                    LOG_LEVEL: 'info', AUDIT_KEY: 'session-limit-audit-key-01'
                });
                started.push(replica);
                return replica;
            }));
        }

        async function activeOf(namespace: string, userId: string): Promise<number> {
            return await store.countActive(namespace, { userId });
        }

        /** One burst: OPENS_PER_ROUND concurrent opens for a fresh user, alternating replicas; the statuses. */
        async function burst(pair: MongoServiceProcess[], userId: string): Promise<number[]> {
            return await inParallel(OPENS_PER_ROUND, async index => {
                const reply = await pair[index % 2].call('open_session', { user_id: userId });
                return reply.status;
            });
        }

        it('reject: every burst admits exactly the limit, never more, and counts each open and refusal once', async () => {
            const pair = await startPair('reject_sessions', 'reject');
            const admittedPerRound: number[] = [];
            for (let round = 0; round < ROUNDS; round++) {
                const userId = 'reject-' + round;
                const statuses = await burst(pair, userId);
                expect(statuses.filter(status => status !== 200 && status !== 409), 'only 200 and 409').to.deep.equal([]);
                admittedPerRound.push(statuses.filter(status => status === 200).length);
                expect(await activeOf('reject_sessions', userId), userId + ' active sessions').to.equal(LIMIT);
            }
            expect(admittedPerRound, 'admitted per round').to.deep.equal(Array(ROUNDS).fill(LIMIT));

            const refusals = ROUNDS * (OPENS_PER_ROUND - LIMIT);
            let opened = 0;
            let refused = 0;
            for (const replica of pair) {
                opened += await replica.counter('sessions_opened_total');
                refused += await replica.counter('sessions_requests_total', { command: 'open_session', status: '409' });
            }
            expect(opened, 'sessions_opened_total over A and B').to.equal(ROUNDS * LIMIT);
            expect(refused, 'open_session 409s over A and B').to.equal(refusals);
            const outputs = pair.map(replica => replica.output);
            expect(auditLines(outputs, 'open', 'reject-'), 'audit open lines').to.equal(ROUNDS * LIMIT);
            expect(auditLines(outputs, 'refuse', 'reject-'), 'audit refuse lines').to.equal(refusals);

            // A place freed by a close is taken again, by exactly one of a new burst.
            const session = await pair[0].call('get_sessions', { filter: { user_id: 'reject-0', active: true } });
            const first = (JSON.parse(session.text) as { data: Array<{ id: string }> }).data[0];
            expect((await pair[1].call('close_session', { session_id: first.id })).status).to.equal(200);
            const again = await burst(pair, 'reject-0');
            expect(again.filter(status => status === 200).length, 'one place freed, one admitted').to.equal(1);
            expect(await activeOf('reject_sessions', 'reject-0')).to.equal(LIMIT);
        });

        it('evict_oldest: every burst leaves exactly the limit active, and counts each open and eviction once', async () => {
            const pair = await startPair('evict_sessions', 'evict_oldest');
            for (let round = 0; round < ROUNDS; round++) {
                const userId = 'evict-' + round;
                const statuses = await burst(pair, userId);
                expect(statuses.filter(status => status !== 200), 'every open is admitted').to.deep.equal([]);
                expect(await activeOf('evict_sessions', userId), userId + ' active sessions').to.equal(LIMIT);
            }
            const evictions = ROUNDS * (OPENS_PER_ROUND - LIMIT);
            let opened = 0;
            let evicted = 0;
            for (const replica of pair) {
                opened += await replica.counter('sessions_opened_total');
                evicted += await replica.counter('sessions_evicted_total');
            }
            expect(opened, 'sessions_opened_total over A and B').to.equal(ROUNDS * OPENS_PER_ROUND);
            expect(evicted, 'sessions_evicted_total over A and B').to.equal(evictions);
            const outputs = pair.map(replica => replica.output);
            expect(auditLines(outputs, 'open', 'evict-'), 'audit open lines').to.equal(ROUNDS * OPENS_PER_ROUND);
            expect(auditLines(outputs, 'close', 'evict-', 'evicted'), 'audit eviction lines').to.equal(evictions);
        });
    });
}

describeSessionLimitReplicas(new MongoReplicaStore(DATABASE));
describeSessionLimitReplicas(new RedisReplicaStore(DATABASE));
