import { expect } from 'chai';
import { AnyValueMap, ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionsFilter } from '../../../src/persistence/SessionsFilter';
import { SessionsMemoryPersistence } from '../../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionChange } from '../../../src/persistence/SessionChange';
import { SessionSummary } from '../../../src/persistence/SessionSummary';
import { SessionLiveness } from '../../../src/rules/SessionLiveness';
import { SessionTimeouts } from '../../../src/rules/SessionTimeouts';
import { makeSession, SessionsPersistenceFixture } from '../SessionsPersistenceFixture';

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state * 1103515245 + 12345) % 2147483648;
        return state / 2147483648;
    };
}

/** A memory store whose durable layer fails on demand, as a full disk would. */
class FailingWritesPersistence extends SessionsMemoryPersistence {
    public failing = false;

    protected async persistChanges(correlationId: string | null, changes: SessionChange[]): Promise<void> {
        if (this.failing) throw new Error('disk full');
    }
}

describe('SessionsMemoryPersistence', () => {
    let persistence: SessionsMemoryPersistence;

    beforeEach(async () => {
        persistence = new SessionsMemoryPersistence();
        persistence.configure(new ConfigParams());
        await persistence.open(null);
    });

    afterEach(async () => {
        await persistence.close(null);
    });

    SessionsPersistenceFixture.describeSharedBehaviour(() => persistence);

    describe('indexes', () => {
        it('answers by id and by user_id without looking at other sessions', async () => {
            for (let index = 0; index < 5000; index++) {
                await persistence.create(null, makeSession('s' + index, 'user' + (index % 1000), index / 60));
            }

            let examined = 0;
            const original = SessionsFilter.prototype.matches;
            SessionsFilter.prototype.matches = function (this: SessionsFilter, session: SessionSummary, liveness?: SessionLiveness): boolean {
                examined++;
                return original.call(this, session, liveness);
            };
            try {
                const byUser = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'user7'), null);
                expect(byUser.data.map(item => item.id)).to.deep.equal(['s4007', 's3007', 's2007', 's1007', 's7']);
                expect(examined, 'sessions examined for one user').to.equal(5);

                examined = 0;
                const byId = await persistence.getPageByFilter(null, FilterParams.fromTuples('id', 's4242'), null);
                expect(byId.data.map(item => item.id)).to.deep.equal(['s4242']);
                expect(examined, 'sessions examined for one id').to.equal(1);

                examined = 0;
                await persistence.getPageByFilter(null, null, new PagingParams(0, 100, true));
                expect(examined, 'an unfiltered listing with a total does look at all').to.equal(5000);

                examined = 0;
                const unfiltered = await persistence.getPageByFilter(null, null, null);
                expect(unfiltered.data[0].id).to.equal('s4999');
                expect(examined, 'an unfiltered listing without a total stops at its page of 100').to.equal(100);

                // s4900 is the first session at or after from_time; s0-s4899 are older.
                const from = makeSession('s4900', 'user0', 4900 / 60).request_time;
                examined = 0;
                const recent = await persistence.getPageByFilter(null, FilterParams.fromTuples('from_time', from), new PagingParams(95, 10, true));
                expect(recent.total, 'sessions at or after from_time').to.equal(100);
                expect(recent.data.map(item => item.id)).to.deep.equal(['s4904', 's4903', 's4902', 's4901', 's4900']);
                expect(examined, 'a counted listing from a time looks only at the sessions since').to.equal(100);

                examined = 0;
                const newest = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(20, 10));
                expect(newest.data.map(item => item.id)).to.deep.equal(Array.from({ length: 10 }, (_, index) => 's' + (4979 - index)));
                expect(examined, 'active sessions examined for the third page of 10, without a total').to.equal(30);

                examined = 0;
                const counted = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(20, 10, true));
                expect(counted.data.map(item => item.id)).to.deep.equal(newest.data.map(item => item.id));
                expect(counted.total).to.equal(5000);
                expect(examined, 'the active count is kept: its total walks no further than the page').to.equal(30);

                // Sessions are a minute apart; an idle timeout of 100 minutes at s5000's time leaves s4900-s4999 live.
                const at = (now: number, idle: number, absolute: number) => ({ now, timeouts: new SessionTimeouts(idle, absolute) });
                const bound = makeSession('s4900', 'user0', 4900 / 60).request_time.getTime();
                for (const [liveness, live, walked] of [
                    [at(bound + 100 * 60000, 100 * 60000, 0), 100, 30], [at(bound + 100 * 60000 + 1, 100 * 60000, 0), 99, 30],
                    [at(bound + 100 * 60000, 0, 100 * 60000), 100, 5000]] as const) {
                    examined = 0;
                    const page = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(20, 10, true), liveness);
                    const what = 'idle ' + liveness.timeouts.idle + ', absolute ' + liveness.timeouts.absolute + ', at the bound + ' + (liveness.now - bound - 100 * 60000) + ' ms';
                    expect(page.total, what).to.equal(live);
                    expect(page.data.map(item => item.id), what).to.deep.equal(newest.data.map(item => item.id));
                    expect(examined, what + ': sessions examined (an absolute timeout has every one looked at)').to.equal(walked);
                }
            } finally {
                SessionsFilter.prototype.matches = original;
            }
        });
    });

    it('pages active sessions of one request_time by id, whichever order they were written in', async () => {
        for (let index = 0; index < 50; index++) {
            await persistence.create(null, makeSession('t' + String(index).padStart(2, '0'), 'user' + index, 1));
        }
        for (let index = 0; index < 20; index++) await persistence.create(null, makeSession('n' + index, 'user' + index, 2 + index));
        for (const total of [false, true]) {
            const page = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(25, 10, total));
            expect(page.data.map(item => item.id), 'total ' + total).to.deep.equal(
                ['t05', 't06', 't07', 't08', 't09', 't10', 't11', 't12', 't13', 't14']);
        }
    });

    it('keeps its indexes consistent through create, update, close, delete and expiry', async () => {
        const random = seededRandom(42);
        const model = new Map<string, { user_id: string; active: boolean; time: number }>();
        const start = Date.parse('2026-01-01T00:00:00Z');
        let clock = start;
        let created = 0;
        for (let step = 0; step < 3000; step++) {
            clock += Math.floor(random() * 1000);
            const ids = [...model.keys()];
            const pick = ids[Math.floor(random() * ids.length)];
            const roll = random();
            if (roll < 0.35 || ids.length === 0) {
                const session = makeSession('m' + created++, 'user' + Math.floor(random() * 20), 0);
                session.request_time = session.open_time = new Date(clock - Math.floor(random() * 5000));
                await persistence.create(null, session);
                model.set(session.id, { user_id: session.user_id, active: true, time: session.request_time.getTime() });
            } else if (roll < 0.55) {
                await persistence.updatePartially(null, pick, AnyValueMap.fromTuples('request_time', new Date(clock), 'data', step));
                model.get(pick)!.time = clock;
            } else if (roll < 0.65) {
                const user = 'user' + Math.floor(random() * 20);
                const current = (await persistence.getOneById(null, pick))!;
                await persistence.update(null, { ...current, user_id: user, request_time: new Date(clock) });
                Object.assign(model.get(pick)!, { user_id: user, time: clock });
            } else if (roll < 0.75) {
                await persistence.updatePartially(null, pick, AnyValueMap.fromTuples(
                    'active', false, 'request_time', new Date(clock), 'close_time', new Date(clock)));
                Object.assign(model.get(pick)!, { active: false, time: clock });
            } else if (roll < 0.85) {
                await persistence.deleteById(null, pick);
                model.delete(pick);
            } else {
                const limit = clock - 60000;
                const closed = await persistence.closeExpired(null, new Date(limit), new Date(clock), 'idle');
                let expected = 0;
                for (const entry of model.values()) {
                    if (entry.active && entry.time < limit) {
                        entry.active = false;
                        entry.time = clock;
                        expected++;
                    }
                }
                expect(closed.length, 'sessions closed by the sweep at step ' + step).to.equal(expected);
            }
        }

        // The model's ids that keep() takes, as every listing orders them: newest first, then by id.
        const newestFirst = (keep: (entry: { user_id: string; active: boolean; time: number }) => boolean) => [...model.entries()]
            .filter(([, entry]) => keep(entry)).sort(([idA, a], [idB, b]) => b.time - a.time || (idA < idB ? -1 : 1)).map(([id]) => id);
        const everything = new PagingParams(0, 100000, true);
        const listed = async (filter: Record<string, unknown>) =>
            (await persistence.getPageByFilter(null, FilterParams.fromValue(filter), new PagingParams(0, 100, true)));
        for (let user = 0; user < 20; user++) {
            const expected = newestFirst(entry => entry.user_id === 'user' + user);
            const page = await listed({ user_id: 'user' + user });
            expect(page.total, 'sessions of user' + user).to.equal(expected.length);
            expect(page.data.map(item => item.id)).to.deep.equal(expected.slice(0, 100));
            const active = await listed({ user_id: 'user' + user, active: true });
            expect(active.total).to.equal(expected.filter(id => model.get(id)!.active).length);
        }
        // Pages of the active sessions, newest first and by id within a time, with or without the total.
        const activeIds = newestFirst(entry => entry.active);
        for (const [skip, take] of [[0, 1], [0, 7], [5, 10], [40, 25], [activeIds.length - 3, 10], [activeIds.length + 5, 10]]) {
            for (const total of [false, true]) {
                const page = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(skip, take, total));
                expect(page.data.map(item => item.id), 'active page skip ' + skip + ' take ' + take + ' total ' + total)
                    .to.deep.equal(activeIds.slice(skip, skip + take));
            }
        }
        // The live ones under an idle timeout at the last step's time: counted, not walked.
        for (const idle of [60000, 600000]) {
            const expected = newestFirst(entry => entry.active && entry.time >= clock - idle);
            for (const total of [false, true]) {
                const page = await persistence.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(2, 20, total),
                    { now: clock, timeouts: new SessionTimeouts(idle, 0) });
                expect(page.data.map(item => item.id), 'live within ' + idle + ' ms, total ' + total).to.deep.equal(expected.slice(2, 22));
                if (total) expect(page.total, 'live within ' + idle + ' ms').to.equal(expected.length);
            }
        }
        // Every session, and those active since a time, closed since a time: newest first, counted or not.
        for (const since of [null, clock - 600000, clock - 60000, clock + 1]) {
            for (const active of [null, true, false]) {
                const expected = newestFirst(entry => (since == null || entry.time >= since) && (active == null || entry.active === active));
                const filter: Record<string, unknown> = {};
                if (since != null) filter.from_time = new Date(since);
                if (active != null) filter.active = active;
                for (const total of [false, true]) {
                    const page = await persistence.getPageByFilter(null, FilterParams.fromValue(filter), new PagingParams(3, 30, total));
                    const what = JSON.stringify(filter) + ' total ' + total;
                    expect(page.data.map(item => item.id), what).to.deep.equal(expected.slice(3, 33));
                    if (total) expect(page.total, what).to.equal(expected.length);
                }
            }
        }
        const activeCount = [...model.values()].filter(entry => entry.active).length;
        expect((await listed({ active: true })).total).to.equal(activeCount);
        expect((await listed({ active: false })).total).to.equal(model.size - activeCount);
        expect((await persistence.getPageByFilter(null, null, everything)).total).to.equal(model.size);
        expect(persistence.size).to.equal(model.size);
    });

    it('undoes a change whose durable write fails, so nothing unacknowledged stays visible', async () => {
        const store = new FailingWritesPersistence();
        await store.open(null);
        await store.create(null, makeSession('kept', 'u1', 0));
        store.failing = true;

        const attempts: Array<() => Promise<unknown>> = [
            () => store.create(null, makeSession('new', 'u1', 1)),
            () => store.updatePartially(null, 'kept', AnyValueMap.fromTuples('data', { lost: true })),
            () => store.update(null, { ...makeSession('kept', 'u2', 2) }),
            () => store.deleteById(null, 'kept'),
            () => store.closeExpired(null, new Date('2030-01-01'), new Date(), 'idle')
        ];
        for (const attempt of attempts) {
            let failed = false;
            await attempt().catch(() => { failed = true; });
            expect(failed).to.equal(true);
        }
        expect(await store.getOneById(null, 'new')).to.equal(null);
        const kept = await store.getOneById(null, 'kept');
        expect(kept!.data).to.deep.equal({ cart: ['kept'] });
        expect(kept!.active).to.equal(true);
        expect(kept!.user_id).to.equal('u1');
        const byUser = await store.getPageByFilter(null, FilterParams.fromTuples('user_id', 'u1'), null);
        expect(byUser.data.map(item => item.id)).to.deep.equal(['kept']);
        store.failing = false;
        expect((await store.closeExpired(null, new Date('2030-01-01'), new Date(), 'idle')).length).to.equal(1);
    });
});
