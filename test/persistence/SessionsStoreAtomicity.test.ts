import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionCloseReasonV1 } from '../../src/data/version1/SessionCloseReasonV1';
import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionTimeouts } from '../../src/rules/SessionTimeouts';
import { SessionChange } from '../../src/persistence/SessionChange';
import { SessionsFilePersistence } from '../../src/persistence/file/SessionsFilePersistence';
import { SessionsMemoryPersistence, SessionsMemoryStep } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { rejection } from '../fixtures/Rejection';

const T = Date.UTC(2024, 0, 1);
const HOUR = 3600000;

/** A failure that can only come from the injection, never from the store itself. */
class InjectedFault extends Error {}

/** Counts the steps that change the store's structures and fails the one asked for, and the durable write if asked. */
interface Faulty {
    steps: number;
    failAt: number;
    failPersist: boolean;
}

class FaultyMemoryPersistence extends SessionsMemoryPersistence implements Faulty {
    public steps = 0;
    public failAt = 0;
    public failPersist = false;

    protected beforeStep(step: SessionsMemoryStep): void {
        this.steps++;
        if (this.steps === this.failAt) throw new InjectedFault('injected at step ' + this.steps + ' (' + step + ')');
    }

    protected async persistChanges(correlationId: string | null, changes: SessionChange[]): Promise<void> {
        if (this.failPersist) throw new InjectedFault('injected in the durable write');
    }
}

class FaultyFilePersistence extends SessionsFilePersistence implements Faulty {
    public steps = 0;
    public failAt = 0;
    public failPersist = false;

    protected beforeStep(step: SessionsMemoryStep): void {
        this.steps++;
        if (this.steps === this.failAt) throw new InjectedFault('injected at step ' + this.steps + ' (' + step + ')');
    }
}

type Store = SessionsMemoryPersistence & Faulty;
type Operation = (store: Store) => Promise<unknown>;

function session(id: string, userId: string, requestTime: number, active = true, closeTime?: number): SessionV1 {
    const result = new SessionV1(id, userId, 'User ' + userId, '10.0.0.1', 'web', new Date(requestTime));
    result.data = { of: id };
    if (!active) {
        result.active = false;
        result.close_time = new Date(closeTime ?? requestTime);
        result.close_reason = SessionCloseReasonV1.Logout;
    }
    return result;
}

/** Two users' active sessions, stale and fresh, and closed ones, old and new. */
const SEED: SessionV1[] = [
    session('a1', 'u1', T - 48 * HOUR),
    session('a2', 'u1', T - HOUR),
    session('a3', 'u2', T - 30 * HOUR),
    session('c1', 'u2', T - 72 * HOUR, false, T - 60 * HOUR),
    session('c2', 'u3', T - 2 * HOUR, false, T - HOUR)
];

const LIVENESS = { now: T, timeouts: new SessionTimeouts(24 * HOUR, 0) };

/** Every write the store has, each the way the service or the original's callers make it. */
const OPERATIONS: Array<[string, Operation]> = [
    ['create', store => store.create(null, session('n1', 'u1', T))],
    ['create without an id', store => store.create(null, session('', 'u4', T))],
    ['createWithinLimit (evicts two)', store => store.createWithinLimit(null, session('n2', 'u1', T),
        { max: 1, policy: 'evict_oldest', reason: SessionCloseReasonV1.Evicted }, LIVENESS)],
    ['update', store => store.update(null, { ...session('a2', 'u3', T), user_name: 'moved' })],
    ['updatePartially', store => store.updatePartially(null, 'a2', AnyValueMap.fromTuples('data', 'x', 'request_time', new Date(T)), LIVENESS)],
    ['updatePartially closing', store => store.updatePartially(null, 'a2', AnyValueMap.fromTuples(
        'active', false, 'close_time', new Date(T), 'request_time', new Date(T), 'data', null))],
    ['deleteById', store => store.deleteById(null, 'a3')],
    ['deleteByIds', store => store.deleteByIds(null, ['a1', 'c1', 'missing'])],
    ['set (replace)', store => store.set(null, { ...session('a1', 'u4', T), user_name: 'set' })],
    ['set (create)', store => store.set(null, session('n1', 'u4', T))],
    ["closeExpired, the original's way", store => store.closeExpired(null, new Date(T - 24 * HOUR))],
    ['closeExpired', store => store.closeExpired(null, new Date(T - 24 * HOUR), new Date(T), SessionCloseReasonV1.Idle)],
    ['deleteClosedBefore', store => store.deleteClosedBefore(null, new Date(T - 2 * HOUR))],
    ['closeOpenedBefore', store => store.closeOpenedBefore(null, new Date(T - 20 * HOUR), new Date(T), SessionCloseReasonV1.Absolute)],
    ['closeUserSessions', store => store.closeUserSessions(null, 'u1', null, new Date(T), SessionCloseReasonV1.Revoked)],
    ['clear', store => store.clear(null)]
];

/** Everything a caller can see of the store, by every index it has. */
async function dump(store: Store): Promise<unknown> {
    const all = new PagingParams(0, 1000, true);
    const page = async (filter: FilterParams): Promise<unknown> => (await store.getPageByFilter(null, filter, all)).data.map(s => s.id);
    const ids = ['a1', 'a2', 'a3', 'c1', 'c2', 'n1', 'n2'];
    return JSON.parse(JSON.stringify({
        size: store.size,
        byId: await Promise.all(ids.map(id => store.getOneById(null, id))),
        all: await page(new FilterParams()),
        active: await page(FilterParams.fromTuples('active', true)),
        closed: await page(FilterParams.fromTuples('active', false)),
        users: await Promise.all(['u1', 'u2', 'u3', 'u4'].map(user => page(FilterParams.fromTuples('user_id', user))))
    }));
}

/** What each sweep would take now: tells whether the time queues still hold what they should. */
async function sweeps(store: Store): Promise<unknown> {
    const ids = (sessions: SessionV1[]): string[] => sessions.map(s => /^[0-9a-f]{32}$/.test(s.id) ? '<new id>' : s.id).sort();
    return {
        absolute: ids(await store.closeOpenedBefore(null, new Date(T + HOUR), new Date(T + HOUR), SessionCloseReasonV1.Absolute)),
        deleted: await store.deleteClosedBefore(null, new Date(T + 2 * HOUR)),
        after: await dump(store)
    };
}

/** The fields an operation decides, without the times it stamps with the clock. */
function decided(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value ?? null), (key, item: unknown) => {
        if (typeof item === 'string' && /^[0-9a-f]{32}$/.test(item)) return '<new id>';
        if ((key === 'close_time' || key === 'request_time') && typeof item === 'string' && item > new Date(T + HOUR).toISOString()) return '<now>';
        // The order of sessions a write returns is not part of its contract.
        if (Array.isArray(item) && item.every(entry => entry != null && typeof entry === 'object')) {
            return [...item].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
        }
        return item;
    });
}

let directory = '';
let files = 0;

describe('Store writes under injected faults', () => {
before(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-atomic-'));
});

after(async () => {
    await fs.rm(directory, { recursive: true, force: true });
});

for (const [name, create] of [
    ['memory', (): Store => new FaultyMemoryPersistence()],
    ['file', (): Store => {
        const store = new FaultyFilePersistence(path.join(directory, 'sessions-' + (++files) + '.json'));
        // No fsync: the faults injected here are in memory, and there are hundreds of writes.
        store.configure(ConfigParams.fromTuples('options.sync', false));
        return store;
    }]
] as Array<[string, () => Store]>) {
    describe('Every write of the ' + name + ' store is all or nothing in memory', () => {
        async function seeded(): Promise<Store> {
            const store = create();
            await store.open(null);
            for (const item of SEED) await store.create(null, { ...item });
            store.steps = 0;
            return store;
        }

        for (const [operation, run] of OPERATIONS) {
            it(operation + ': a failure at any step leaves the store as it was, and the write then works', async () => {
                const control = await seeded();
                const expected = decided(await run(control));
                const steps = control.steps;
                const expectedAfter = decided(await dump(control));
                const expectedSweeps = decided(await sweeps(control));
                expect(steps, 'the operation changes something').to.be.greaterThan(0);

                // Each step in turn, then the durable write (the memory store's, and the file store's own).
                for (let failAt = 1; failAt <= steps + 1; failAt++) {
                    const store = await seeded();
                    const before = await dump(store);
                    if (failAt <= steps) store.failAt = failAt;
                    else store.failPersist = true;
                    if (failAt > steps && store instanceof FaultyFilePersistence) continue;
                    const error = await rejection(run(store));
                    expect(error, 'step ' + failAt).to.be.instanceOf(InjectedFault);
                    expect(decided(await dump(store)), 'after a failure at step ' + failAt + ' of ' + steps).to.deep.equal(decided(before));

                    store.failAt = 0;
                    store.failPersist = false;
                    expect(decided(await run(store)), 'the same write once the fault is gone').to.deep.equal(expected);
                    expect(decided(await dump(store))).to.deep.equal(expectedAfter);
                    expect(decided(await sweeps(store)), 'the sweeps find what they should').to.deep.equal(expectedSweeps);
                    await store.close(null);
                }
                await control.close(null);
            });
        }

        it("closeExpired called the original's way closes the stale sessions now, as idle", async () => {
            const store = await seeded();
            const before = Date.now();
            const closed = await store.closeExpired(null, new Date(T - 24 * HOUR));
            expect(closed.map(s => s.id).sort()).to.deep.equal(['a1', 'a3']);
            for (const id of ['a1', 'a3']) {
                const found = (await store.getOneById(null, id))!;
                expect(found.active).to.equal(false);
                expect(found.close_reason).to.equal(SessionCloseReasonV1.Idle);
                expect(found.close_time!.getTime()).to.be.at.least(before);
                expect(found.data).to.equal(null);
            }
            expect((await store.getOneById(null, 'a2'))!.active).to.equal(true);
            await store.close(null);
        });

        it('closeExpired with a time that is not a Date is INVALID_DATA and changes nothing', async () => {
            const store = await seeded();
            const before = await dump(store);
            const error = await rejection(store.closeExpired(null, undefined as unknown as Date));
            expect(error.code).to.equal('INVALID_DATA');
            expect(await dump(store)).to.deep.equal(before);
            await store.close(null);
        });
    });
}
});
