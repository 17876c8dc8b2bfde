import { expect } from 'chai';
import { AnyValueMap, ApplicationException, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { ISessionsPersistence } from '../../src/persistence/ISessionsPersistence';
import { SessionLimit } from '../../src/rules/SessionLimit';
import { SessionLiveness } from '../../src/rules/SessionLiveness';
import { SessionTimeouts } from '../../src/rules/SessionTimeouts';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const HOUR = 3600000;
/** The condition of a write that needs only an active session. */
const ACTIVE_ONLY: SessionLiveness = { now: T0, timeouts: SessionTimeouts.None };

/** Builds a session with a chosen request_time, as a store receives it from the controller. */
export function makeSession(id: string, userId: string, hoursAfterT0: number, active = true): SessionV1 {
    const time = new Date(T0 + hoursAfterT0 * HOUR);
    const session = new SessionV1(id, userId, 'User ' + userId, '10.0.0.1', 'test-client', time);
    session.active = active;
    if (!active) session.close_time = time;
    session.user = { id: userId, roles: ['user'] };
    session.data = { cart: [id] };
    return session;
}

/**
 * The behaviour every store must share. Each store's test runs all of it, unchanged,
 * through describeSharedBehaviour().
 */
export class SessionsPersistenceFixture {
    /** Registers the shared tests on the store that persistence() returns at test time. */
    public static describeSharedBehaviour(persistence: () => ISessionsPersistence): void {
        describe('shared fixture', () => {
            let fixture: SessionsPersistenceFixture;
            beforeEach(() => { fixture = new SessionsPersistenceFixture(persistence()); });

            it('creates, reads, updates and deletes', () => fixture.testCrudOperations());
            it('filters by id, user_id, active and time range', () => fixture.testFilters());
            it('pages newest first without user and data', () => fixture.testPagingOrderAndProjection());
            it('closes expired sessions', () => fixture.testCloseExpired());
            it('closes all active sessions of a user but one, with the reason given', () => fixture.testCloseUserSessions());
            it('filters by client, address and close_reason', () => fixture.testDetailFilters());
            it('refuses a write that needs an active session on a closed one, changing nothing',
                () => fixture.testWriteRequiringActive());
            it('treats sessions past their idle or absolute time as closed in writes and the active filter',
                () => fixture.testLiveness());
            it('closes sessions opened before a time (the absolute sweep)', () => fixture.testCloseOpenedBefore());
            it('keeps a user within a session limit by evicting the least recently active', () => fixture.testLimitEvictOldest());
            it('refuses a session over the limit, storing nothing', () => fixture.testLimitReject());
            it('deletes closed sessions closed before a time (retention), and nothing else', () => fixture.testDeleteClosedBefore());
            it('never lets concurrent opens for one user pass the limit', () => fixture.testLimitConcurrent());
            it('counts a session live exactly at its idle or absolute deadline, and past it 1 ms later, in reads, writes and sweeps',
                () => fixture.testDeadlineBoundaries());
            it('deletes closed sessions closed before the retention time, not one closed exactly at it', () => fixture.testRetentionBoundary());
        });
    }

    private readonly _persistence: ISessionsPersistence;

    public constructor(persistence: ISessionsPersistence) {
        this._persistence = persistence;
    }

    public async testWriteRequiringActive(): Promise<void> {
        const p = this._persistence;
        await p.create(null, makeSession('open-1', 'u1', 0));
        await p.create(null, makeSession('closed-1', 'u1', 0, false));
        const before = await p.getOneById(null, 'closed-1');

        const written = await p.updatePartially(null, 'open-1', AnyValueMap.fromTuples('data', { n: 1 }), ACTIVE_ONLY);
        expect(written!.data).to.deep.equal({ n: 1 });
        const error = await p.updatePartially(null, 'closed-1', AnyValueMap.fromTuples('data', { n: 2 }), ACTIVE_ONLY)
            .then(() => null, (err: ApplicationException) => err);
        expect(error?.code).to.equal('SESSION_CLOSED');
        expect(error?.status).to.equal(409);
        expect(await p.getOneById(null, 'closed-1')).to.deep.equal(before);
        expect(await p.updatePartially(null, 'missing', AnyValueMap.fromTuples('data', 1), ACTIVE_ONLY)).to.equal(null);
    }

    /** Sessions at T0 + 10 h under idle 2 h, absolute 8 h; see testLiveness. */
    private async createTimedSessions(): Promise<SessionLiveness> {
        const p = this._persistence;
        const timed = (id: string, openHours: number, requestHours: number, active = true): SessionV1 => {
            const session = makeSession(id, 'u1', requestHours, active);
            session.open_time = new Date(T0 + openHours * HOUR);
            return session;
        };
        await p.create(null, timed('live', 5, 9));
        await p.create(null, timed('capped', 3, 9.5));
        await p.create(null, timed('idle', 5, 7));
        await p.create(null, timed('absolute', 1, 9.8));
        await p.create(null, timed('closed', 5, 9.9, false));
        return { now: T0 + 10 * HOUR, timeouts: new SessionTimeouts(2 * HOUR, 8 * HOUR) };
    }

    public async testLiveness(): Promise<void> {
        const p = this._persistence;
        const liveness = await this.createTimedSessions();
        const ids = async (filter: FilterParams): Promise<string[]> =>
            (await p.getPageByFilter(null, filter, new PagingParams(0, 10, true), liveness)).data.map(item => item.id);

        expect(await ids(FilterParams.fromTuples('active', true))).to.deep.equal(['capped', 'live']);
        expect(await ids(FilterParams.fromTuples('active', false))).to.deep.equal(['closed', 'absolute', 'idle']);
        expect(await ids(FilterParams.fromTuples('active', true, 'from_time', new Date(T0 + 9.2 * HOUR)))).to.deep.equal(['capped']);
        expect(await ids(FilterParams.fromTuples('active', false, 'user_id', 'u1', 'to_time', new Date(T0 + 9.85 * HOUR))))
            .to.deep.equal(['absolute', 'idle']);
        const total = (await p.getPageByFilter(null, FilterParams.fromTuples('active', true), new PagingParams(0, 1, true), liveness)).total;
        expect(total).to.equal(2);
        // Without a liveness the filter reads the flag alone, as before.
        expect((await p.getPageByFilter(null, FilterParams.fromTuples('active', true), null)).data).to.have.length(4);

        for (const id of ['idle', 'absolute', 'closed']) {
            const before = await p.getOneById(null, id);
            const error = await p.updatePartially(null, id, AnyValueMap.fromTuples('request_time', new Date(liveness.now)), liveness)
                .then(() => null, (err: ApplicationException) => err);
            expect(error?.code, id).to.equal('SESSION_CLOSED');
            expect(await p.getOneById(null, id), id).to.deep.equal(before);
        }
        const touch = AnyValueMap.fromTuples('request_time', new Date(liveness.now), 'data', { n: 1 });
        const live = await p.updatePartially(null, 'live', touch, liveness);
        expect(live!.expires_at!.getTime(), 'idle deadline').to.equal(T0 + 12 * HOUR);
        const capped = await p.updatePartially(null, 'capped', touch, liveness);
        expect(capped!.expires_at!.getTime(), 'absolute deadline first').to.equal(T0 + 11 * HOUR);
        expect((await p.getOneById(null, 'capped'))!.expires_at!.getTime()).to.equal(T0 + 11 * HOUR);
        // A write that leaves request_time alone leaves expires_at alone.
        const untouched = await p.updatePartially(null, 'capped', AnyValueMap.fromTuples('user', { n: 2 }), liveness);
        expect(untouched!.expires_at!.getTime()).to.equal(T0 + 11 * HOUR);
    }

    public async testCloseOpenedBefore(): Promise<void> {
        const p = this._persistence;
        const liveness = await this.createTimedSessions();
        const closeTime = new Date(liveness.now);
        expect((await p.closeOpenedBefore(null, new Date(T0 + 2 * HOUR), closeTime, 'absolute')).length).to.equal(1);
        const closed = await p.getOneById(null, 'absolute');
        expect(closed!.active).to.equal(false);
        expect(closed!.close_reason).to.equal('absolute');
        expect(closed!.close_time!.getTime()).to.equal(closeTime.getTime());
        expect(closed!.user ?? null).to.equal(null);
        expect(closed!.data ?? null).to.equal(null);
        for (const id of ['live', 'capped', 'idle']) expect((await p.getOneById(null, id))!.active, id).to.equal(true);
        expect((await p.closeOpenedBefore(null, new Date(T0 + 2 * HOUR), closeTime, 'absolute')).length, 'once only').to.equal(0);
        expect((await p.closeOpenedBefore(null, new Date(T0 + 4 * HOUR), closeTime, 'absolute')).length).to.equal(1);
        expect((await p.getOneById(null, 'capped'))!.close_reason).to.equal('absolute');
    }

    public async testLimitEvictOldest(): Promise<void> {
        const p = this._persistence;
        const liveness = await this.createTimedSessions();
        const limit: SessionLimit = { max: 3, policy: 'evict_oldest', reason: 'evicted' };
        // u1 has two live sessions (live, capped), two past their time and one closed.
        const first = await p.createWithinLimit(null, SessionsPersistenceFixture.newSession('new-1', liveness), limit, liveness);
        expect(first.created.id).to.equal('new-1');
        expect(first.evicted, 'room for a third').to.deep.equal([]);

        const second = await p.createWithinLimit(null, SessionsPersistenceFixture.newSession('new-2', liveness), limit, liveness);
        expect(second.evicted.map(item => item.id), 'the least recently active').to.deep.equal(['live']);
        expect(second.evicted[0]).to.include({ active: false, close_reason: 'evicted' });
        const evicted = await p.getOneById(null, 'live');
        expect(evicted).to.include({ active: false, close_reason: 'evicted' });
        expect(evicted!.close_time!.getTime()).to.equal(liveness.now);
        expect(evicted!.user ?? null).to.equal(null);
        for (const id of ['idle', 'absolute']) expect((await p.getOneById(null, id))!.active, id + ' is not counted nor touched').to.equal(true);

        const tighter = await p.createWithinLimit(null, SessionsPersistenceFixture.newSession('new-3', liveness),
            { ...limit, max: 1 }, liveness);
        expect(tighter.evicted.map(item => item.id).sort()).to.deep.equal(['capped', 'new-1', 'new-2']);
        const page = await p.getPageByFilter(null, FilterParams.fromTuples('user_id', 'u1', 'active', true), null, liveness);
        expect(page.data.map(item => item.id)).to.deep.equal(['new-3']);
    }

    public async testLimitReject(): Promise<void> {
        const p = this._persistence;
        const liveness = await this.createTimedSessions();
        const limit: SessionLimit = { max: 3, policy: 'reject', reason: 'evicted' };
        await p.createWithinLimit(null, SessionsPersistenceFixture.newSession('new-1', liveness), limit, liveness);
        const before = (await p.getPageByFilter(null, FilterParams.fromTuples('user_id', 'u1'), null)).data;
        const error = await p.createWithinLimit(null, SessionsPersistenceFixture.newSession('new-2', liveness), limit, liveness)
            .then(() => null, (err: ApplicationException) => err);
        expect(error?.code).to.equal('SESSION_LIMIT_REACHED');
        expect(error?.status).to.equal(409);
        expect(await p.getOneById(null, 'new-2')).to.equal(null);
        expect((await p.getPageByFilter(null, FilterParams.fromTuples('user_id', 'u1'), null)).data).to.deep.equal(before);
        // Another user is not affected.
        const other = SessionsPersistenceFixture.newSession('other', liveness);
        other.user_id = 'u2';
        expect((await p.createWithinLimit(null, other, limit, liveness)).created.id).to.equal('other');
    }

    public async testLimitConcurrent(): Promise<void> {
        const p = this._persistence;
        const liveness: SessionLiveness = { now: T0, timeouts: new SessionTimeouts(HOUR, 0) };
        for (const policy of ['reject', 'evict_oldest'] as const) {
            const userId = 'burst-' + policy;
            const limit: SessionLimit = { max: 3, policy, reason: 'evicted' };
            const results = await Promise.all(Array.from({ length: 12 }, (_, index) => {
                const session = SessionsPersistenceFixture.newSession(policy + '-' + index, liveness);
                session.user_id = userId;
                return p.createWithinLimit(null, session, limit, liveness).then(() => true, (err: ApplicationException) => {
                    if (err.code !== 'SESSION_LIMIT_REACHED') throw err;
                    return false;
                });
            }));
            const page = await p.getPageByFilter(null, FilterParams.fromTuples('user_id', userId, 'active', true), null, liveness);
            expect(page.data.length, policy).to.be.at.most(3);
            if (policy === 'reject') {
                expect(results.filter(Boolean).length, 'each accepted open is still live').to.equal(page.data.length);
                expect(page.data.length, 'and some got in').to.be.at.least(1);
            } else {
                expect(results.every(Boolean)).to.equal(true);
                expect(page.data.length, 'the newest three').to.equal(3);
            }
        }
    }

    public async testDeleteClosedBefore(): Promise<void> {
        const p = this._persistence;
        await p.create(null, makeSession('closed-early', 'u1', 1, false));
        await p.create(null, makeSession('closed-late', 'u1', 5, false));
        await p.create(null, makeSession('active-early', 'u1', 0));
        await p.create(null, makeSession('to-close', 'u2', 0));
        await p.closeUserSessions(null, 'u2', null, new Date(T0 + 2 * HOUR), 'revoked');

        expect(await p.deleteClosedBefore(null, new Date(T0 + 3 * HOUR))).to.equal(2);
        expect(await p.getOneById(null, 'closed-early')).to.equal(null);
        expect(await p.getOneById(null, 'to-close')).to.equal(null);
        expect(await p.getOneById(null, 'closed-late')).to.not.equal(null);
        expect(await p.getOneById(null, 'active-early')).to.not.equal(null);
        expect(await p.deleteClosedBefore(null, new Date(T0 + 3 * HOUR)), 'once only').to.equal(0);
        const all = await p.getPageByFilter(null, null, new PagingParams(0, 10, true));
        expect(all.data.map(item => item.id).sort()).to.deep.equal(['active-early', 'closed-late']);
    }

    /**
     * One session at each deadline D (idle, absolute), seen by a clock set just before, at
     * and just after D: live while now <= D (SessionTimeouts), closed by the sweeps only after.
     */
    public async testDeadlineBoundaries(): Promise<void> {
        const p = this._persistence;
        const timeouts = new SessionTimeouts(2 * HOUR, 8 * HOUR);
        const deadline = T0 + 10 * HOUR;
        const edge = (id: string, openTime: number, requestTime: number): SessionV1 => {
            const session = makeSession(id, 'edge', 0);
            session.open_time = new Date(openTime);
            session.request_time = new Date(requestTime);
            return session;
        };
        // Idle deadline D (absolute far later); absolute deadline D (idle later).
        await p.create(null, edge('idle-edge', T0 + 5 * HOUR, deadline - timeouts.idle));
        await p.create(null, edge('absolute-edge', deadline - timeouts.absolute, T0 + 9.5 * HOUR));
        const clock = { now: deadline - 1 };
        const liveness = (): SessionLiveness => ({ now: clock.now, timeouts });
        const ids = async (active: boolean): Promise<string[]> => (await p.getPageByFilter(null,
            FilterParams.fromTuples('user_id', 'edge', 'active', active), new PagingParams(0, 10, true), liveness())).data
            .map(item => item.id).sort();
        const write = (id: string): Promise<string> => p.updatePartially(null, id, AnyValueMap.fromTuples('data', { at: clock.now }), liveness())
            .then(() => 'written', (err: ApplicationException) => err.code);
        const sweep = async (): Promise<string[]> => {
            const closeTime = new Date(clock.now);
            const idle = await p.closeExpired(null, new Date(clock.now - timeouts.idle), closeTime, 'idle');
            const absolute = await p.closeOpenedBefore(null, new Date(clock.now - timeouts.absolute), closeTime, 'absolute');
            return [...idle, ...absolute].map(item => item.id + ':' + item.close_reason).sort();
        };

        for (const now of [deadline - 1, deadline]) {
            clock.now = now;
            const when = now === deadline ? 'at the deadline' : 'just before it';
            expect(await ids(true), when).to.deep.equal(['absolute-edge', 'idle-edge']);
            expect(await ids(false), when).to.deep.equal([]);
            expect([await write('idle-edge'), await write('absolute-edge')], when).to.deep.equal(['written', 'written']);
            expect(await sweep(), when + ': nothing to sweep').to.deep.equal([]);
        }
        clock.now = deadline + 1;
        expect(await ids(true), 'just after it').to.deep.equal([]);
        expect(await ids(false), 'just after it').to.deep.equal(['absolute-edge', 'idle-edge']);
        expect([await write('idle-edge'), await write('absolute-edge')], 'just after it').to.deep.equal(['SESSION_CLOSED', 'SESSION_CLOSED']);
        expect(await sweep(), 'just after it: both swept').to.deep.equal(['absolute-edge:absolute', 'idle-edge:idle']);
    }

    public async testRetentionBoundary(): Promise<void> {
        const p = this._persistence;
        const closeTime = T0 + 3 * HOUR;
        for (const [id, offset] of [['before', -1], ['at', 0], ['after', 1]] as const) {
            const session = makeSession(id, 'kept', 0, false);
            session.close_time = new Date(closeTime + offset);
            await p.create(null, session);
        }
        expect(await p.deleteClosedBefore(null, new Date(closeTime))).to.equal(1);
        const left = await p.getPageByFilter(null, FilterParams.fromTuples('user_id', 'kept'), null);
        expect(left.data.map(item => item.id).sort()).to.deep.equal(['after', 'at']);
    }

    /** A session of u1 opened at liveness.now, as the controller makes one. */
    private static newSession(id: string, liveness: SessionLiveness): SessionV1 {
        const session = new SessionV1(id, 'u1', undefined, undefined, undefined, new Date(liveness.now));
        session.user = { id: 'u1' };
        return session;
    }

    public async testCrudOperations(): Promise<void> {
        const p = this._persistence;
        const created = await p.create(null, makeSession('s1', 'u1', 0));
        expect(created.id).to.equal('s1');
        expect(created, 'no store-internal fields leak out').to.not.have.property('_id');
        expect(created.user).to.deep.equal({ id: 'u1', roles: ['user'] });

        const loaded = await p.getOneById(null, 's1');
        expect(loaded).to.not.equal(null);
        expect(loaded!.user_name).to.equal('User u1');
        expect(loaded).to.not.have.property('_id');
        expect(loaded!.request_time).to.be.instanceOf(Date);
        expect(loaded!.request_time.getTime()).to.equal(T0);
        expect(loaded!.data).to.deep.equal({ cart: ['s1'] });

        const later = new Date(T0 + HOUR);
        const patched = await p.updatePartially(null, 's1', AnyValueMap.fromTuples('data', { cart: [] }, 'request_time', later));
        expect(patched!.data).to.deep.equal({ cart: [] });
        expect(patched!.request_time.getTime()).to.equal(later.getTime());
        expect(patched!.user_id).to.equal('u1');
        expect((await p.getOneById(null, 's1'))!.data).to.deep.equal({ cart: [] });

        const replacement = makeSession('s1', 'u1', 2);
        replacement.user_name = 'Renamed';
        const updated = await p.update(null, replacement);
        expect(updated!.user_name).to.equal('Renamed');
        expect((await p.getOneById(null, 's1'))!.user_name).to.equal('Renamed');

        const deleted = await p.deleteById(null, 's1');
        expect(deleted!.id).to.equal('s1');
        expect(await p.getOneById(null, 's1')).to.equal(null);

        expect(await p.getOneById(null, 'missing')).to.equal(null);
        expect(await p.update(null, makeSession('missing', 'u1', 0))).to.equal(null);
        expect(await p.updatePartially(null, 'missing', AnyValueMap.fromTuples('data', 1))).to.equal(null);
        expect(await p.deleteById(null, 'missing')).to.equal(null);
        expect(await p.getOneById(null, 'missing')).to.equal(null);
    }

    public async testFilters(): Promise<void> {
        const p = this._persistence;
        await p.create(null, makeSession('a', 'u1', 0));         // 10:00, active
        await p.create(null, makeSession('b', 'u1', 1, false));  // 11:00, closed
        await p.create(null, makeSession('c', 'u2', 2));         // 12:00, active

        const ids = async (filter: Record<string, unknown>): Promise<string[]> => {
            const page = await p.getPageByFilter(null, FilterParams.fromValue(filter), null);
            return page.data.map(item => item.id);
        };

        expect(await ids({})).to.deep.equal(['c', 'b', 'a']);
        expect(await ids({ id: 'b' })).to.deep.equal(['b']);
        expect(await ids({ id: 'nope' })).to.deep.equal([]);
        expect(await ids({ user_id: 'u1' })).to.deep.equal(['b', 'a']);
        expect(await ids({ user_id: 'nobody' })).to.deep.equal([]);
        expect(await ids({ active: true })).to.deep.equal(['c', 'a']);
        expect(await ids({ active: 'true' })).to.deep.equal(['c', 'a']);
        expect(await ids({ active: false })).to.deep.equal(['b']);
        expect(await ids({ active: 'false' })).to.deep.equal(['b']);
        expect(await ids({ user_id: 'u1', active: true })).to.deep.equal(['a']);

        // from_time <= request_time < to_time, given as Dates or ISO strings
        const at11 = new Date(T0 + HOUR);
        expect(await ids({ from_time: at11 })).to.deep.equal(['c', 'b']);
        expect(await ids({ from_time: at11.toISOString() })).to.deep.equal(['c', 'b']);
        expect(await ids({ to_time: at11 })).to.deep.equal(['a']);
        expect(await ids({ to_time: at11.toISOString() })).to.deep.equal(['a']);
        expect(await ids({ from_time: new Date(T0), to_time: new Date(T0 + 2 * HOUR) })).to.deep.equal(['b', 'a']);
        expect(await ids({ from_time: new Date(T0 + 3 * HOUR) })).to.deep.equal([]);
        expect(await ids({ user_id: 'u1', from_time: at11.toISOString() })).to.deep.equal(['b']);

        let rejected: Error | null = null;
        try {
            await ids({ from_time: 'not a date' });
        } catch (err) {
            rejected = err as Error;
        }
        expect(rejected, 'an unparseable from_time is rejected, not ignored').to.not.equal(null);
        expect((rejected as unknown as { code: string }).code).to.equal('INVALID_DATA');
    }

    public async testPagingOrderAndProjection(): Promise<void> {
        const p = this._persistence;
        for (let index = 0; index < 105; index++) {
            // Minutes apart, created out of order, so order comes from request_time only.
            const id = 'p' + String((index * 37) % 105).padStart(3, '0');
            await p.create(null, makeSession(id, index % 2 === 0 ? 'even' : 'odd', ((index * 37) % 105) / 60));
        }

        const all = await p.getPageByFilter(null, null, null);
        expect(all.data.length, 'default page size is 100').to.equal(100);
        expect(all.data[0].id).to.equal('p104');
        expect(all.data[99].id).to.equal('p005');
        for (let index = 1; index < all.data.length; index++) {
            expect(all.data[index - 1].request_time.getTime()).to.be.greaterThan(all.data[index].request_time.getTime());
        }
        for (const item of all.data) {
            expect(item).to.not.have.property('user');
            expect(item).to.not.have.property('data');
            expect(item.user_id).to.be.a('string');
            expect(item.request_time).to.be.instanceOf(Date);
        }
        expect(all.total == null, 'no total unless asked').to.equal(true);

        const capped = await p.getPageByFilter(null, null, new PagingParams(0, 500, false));
        expect(capped.data.length, 'take is capped at the maximum page size').to.equal(100);

        const page = await p.getPageByFilter(null, null, new PagingParams(10, 5, true));
        expect(page.total).to.equal(105);
        expect(page.data.map(item => item.id)).to.deep.equal(['p094', 'p093', 'p092', 'p091', 'p090']);

        const tail = await p.getPageByFilter(null, null, PagingParams.fromValue({ skip: '100', take: '50', total: 'true' }));
        expect(tail.total).to.equal(105);
        expect(tail.data.map(item => item.id)).to.deep.equal(['p004', 'p003', 'p002', 'p001', 'p000']);

        const negative = await p.getPageByFilter(null, null, PagingParams.fromValue({ skip: -5, take: 2 }));
        expect(negative.data.map(item => item.id)).to.deep.equal(['p104', 'p103']);

        const users = await p.getPageByFilter(null, FilterParams.fromTuples('user_id', 'odd'), new PagingParams(0, 3, true));
        expect(users.total).to.equal(52);
        expect(users.data.every(item => item.user_id === 'odd')).to.equal(true);
    }

    public async testCloseExpired(): Promise<void> {
        const p = this._persistence;
        await p.create(null, makeSession('old1', 'u1', 0));
        await p.create(null, makeSession('old2', 'u2', 1));
        await p.create(null, makeSession('oldClosed', 'u2', 1, false));
        await p.create(null, makeSession('fresh', 'u1', 5));

        const closeTime = new Date(T0 + 10 * HOUR);
        const closed = await p.closeExpired(null, new Date(T0 + 2 * HOUR), closeTime, 'idle');
        expect(closed.map(item => item.id).sort(), 'the sessions it closed, for the audit log').to.deep.equal(['old1', 'old2']);
        for (const item of closed) expect(item).to.include({ active: false, close_reason: 'idle', user_id: item.id === 'old1' ? 'u1' : 'u2' });

        for (const id of ['old1', 'old2']) {
            const closed = await p.getOneById(null, id);
            expect(closed!.active).to.equal(false);
            expect(closed!.close_reason).to.equal('idle');
            expect(closed!.close_time!.getTime()).to.equal(closeTime.getTime());
            expect(closed!.request_time.getTime()).to.equal(closeTime.getTime());
            expect(closed!.user == null).to.equal(true);
            expect(closed!.data == null).to.equal(true);
        }
        const fresh = await p.getOneById(null, 'fresh');
        expect(fresh!.active).to.equal(true);
        expect(fresh!.data).to.deep.equal({ cart: ['fresh'] });
        const untouched = await p.getOneById(null, 'oldClosed');
        expect(untouched!.request_time.getTime()).to.equal(T0 + HOUR);

        expect((await p.closeExpired(null, new Date(T0 + 2 * HOUR), closeTime, 'idle')).length).to.equal(0);
    }

    public async testCloseUserSessions(): Promise<void> {
        const p = this._persistence;
        for (const id of ['a1', 'a2', 'a3']) await p.create(null, makeSession(id, 'u1', 1));
        const earlier = makeSession('a4', 'u1', 0, false);
        earlier.close_reason = 'logout';
        await p.create(null, earlier);
        await p.create(null, makeSession('b1', 'u2', 1));

        const closeTime = new Date(T0 + 3 * HOUR);
        expect((await p.closeUserSessions(null, 'u1', 'a2', closeTime, 'revoked')).length).to.equal(2);
        for (const id of ['a1', 'a3']) {
            const closed = await p.getOneById(null, id);
            expect(closed!.active, id).to.equal(false);
            expect(closed!.close_reason, id).to.equal('revoked');
            expect(closed!.close_time!.getTime(), id).to.equal(closeTime.getTime());
            expect(closed!.user == null && closed!.data == null, id + ': user and data cleared').to.equal(true);
        }
        expect((await p.getOneById(null, 'a2'))!.active, 'the session kept open').to.equal(true);
        expect((await p.getOneById(null, 'b1'))!.active, "another user's session").to.equal(true);
        const untouched = await p.getOneById(null, 'a4');
        expect([untouched!.close_reason, untouched!.close_time!.getTime()], 'a session closed before').to.deep.equal(['logout', T0]);

        expect((await p.closeUserSessions(null, 'u1', null, closeTime, 'revoked')).length, 'now the last one').to.equal(1);
        expect((await p.closeUserSessions(null, 'u1', null, closeTime, 'revoked')).length).to.equal(0);
        expect((await p.closeUserSessions(null, 'nobody', null, closeTime, 'revoked')).length).to.equal(0);
        const active = await p.getPageByFilter(null, FilterParams.fromTuples('user_id', 'u1', 'active', true), new PagingParams(0, 10, true));
        expect(active.total).to.equal(0);
    }

    public async testDetailFilters(): Promise<void> {
        const p = this._persistence;
        const web = makeSession('w1', 'u1', 1);
        web.client = 'web';
        web.address = '10.0.0.7';
        await p.create(null, web);
        await p.create(null, makeSession('m1', 'u1', 2));
        await p.create(null, makeSession('m2', 'u2', 3));
        await p.closeUserSessions(null, 'u2', null, new Date(T0 + 4 * HOUR), 'revoked');

        const ids = async (filter: Record<string, unknown>) => (await p.getPageByFilter(null,
            FilterParams.fromValue(filter), new PagingParams(0, 10, true))).data.map(item => item.id);
        expect(await ids({ client: 'web' })).to.deep.equal(['w1']);
        expect(await ids({ client: 'test-client' })).to.deep.equal(['m2', 'm1']);
        expect(await ids({ address: '10.0.0.7' })).to.deep.equal(['w1']);
        expect(await ids({ close_reason: 'revoked' })).to.deep.equal(['m2']);
        expect(await ids({ close_reason: 'idle' })).to.deep.equal([]);
        expect(await ids({ user_id: 'u1', client: 'test-client' })).to.deep.equal(['m1']);
        expect(await ids({ active: true, address: '10.0.0.1' })).to.deep.equal(['m1']);
    }
}
