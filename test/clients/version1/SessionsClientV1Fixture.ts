import { randomBytes } from 'crypto';

import { expect } from 'chai';
import { BadRequestException, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { ISessionsClientV1, SessionV1 } from '../../../src';
import { rejection } from '../../fixtures/Rejection';

const UNKNOWN_ID = 'ffffffffffffffffffffffffffffffff';

/** A user id no other test uses, so tests can share one service and still count exactly. */
function newUserId(): string {
    return 'u-' + randomBytes(6).toString('hex');
}

/** Lets the clock move on, so sessions opened one after the other have distinct request_times. */
async function tick(ms = 3): Promise<void> {
    await new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * What every sessions client must do the same way, whatever it talks to: the direct client
 * (the controller in process), the HTTP client (a started service) and the mock client.
 * Each client's test runs all of it, unchanged, through describeSharedBehaviour().
 */
export class SessionsClientV1Fixture {
    /**
     * Registers the shared tests on the client that client() returns at test time;
     * expireTimeout is the expire_timeout (ms) the service behind it was configured with.
     */
    public static describeSharedBehaviour(client: () => ISessionsClientV1, expireTimeout: number): void {
        describe('shared client fixture', () => {
            let fixture: SessionsClientV1Fixture;
            beforeEach(() => { fixture = new SessionsClientV1Fixture(client(), expireTimeout); });

            it('opens, reads, stores data, updates the user, closes and deletes a session', () => fixture.testLifecycle());
            it('answers null for an unknown session id', () => fixture.testUnknownSession());
            it('filters by user_id, id, active and time range, newest request_time first', () => fixture.testFilterAndOrder());
            it('pages with skip, take and total, without user and data', () => fixture.testPaging());
            it('caps a page at 100 sessions', () => fixture.testPageSizeCap());
            it('rejects an invalid filter value with 400 INVALID_DATA naming the field', () => fixture.testInvalidFilter());
            it('closes the sessions idle longer than expire_timeout, and never reports them active', () => fixture.testCloseExpired());
            it('validates a session: the live session with user and data, else null', () => fixture.testValidateSession());
            it('closes all sessions of a user but one, and says why each session was closed', () => fixture.testCloseUserSessions());
        });
    }

    private readonly _client: ISessionsClientV1;
    private readonly _expireTimeout: number;

    public constructor(client: ISessionsClientV1, expireTimeout: number) {
        this._client = client;
        this._expireTimeout = expireTimeout;
    }

    public async testCloseUserSessions(): Promise<void> {
        const client = this._client;
        const userId = newUserId();
        const kept = await client.openSession('fixture', userId, undefined, undefined, 'web');
        const others = [await client.openSession(null, userId), await client.openSession(null, userId)];
        const stranger = await client.openSession(null, newUserId());

        expect(await client.closeUserSessions('fixture', userId, kept.id)).to.equal(2);
        for (const other of others) {
            const closed = await client.getSessionById(null, other.id);
            expect(closed!.active).to.equal(false);
            expect(closed!.close_reason).to.equal('revoked');
            expect(closed!.close_time).to.be.instanceOf(Date);
        }
        expect((await client.getSessionById(null, kept.id))!.active).to.equal(true);
        expect((await client.getSessionById(null, stranger.id))!.active).to.equal(true);

        const revoked = await client.getSessions(null, FilterParams.fromTuples('user_id', userId, 'close_reason', 'revoked'),
            new PagingParams(0, 10, true));
        expect(revoked.data.map(item => item.id).sort()).to.deep.equal(others.map(item => item.id).sort());
        const web = await client.getSessions(null, FilterParams.fromTuples('user_id', userId, 'client', 'web'), null);
        expect(web.data.map(item => item.id)).to.deep.equal([kept.id]);

        expect(await client.closeUserSessions(null, userId), 'the one left').to.equal(1);
        expect(await client.closeUserSessions(null, userId)).to.equal(0);
        const error = await rejection(client.closeUserSessions(null, ''));
        expect(error).to.be.instanceOf(BadRequestException);
    }

    public async testValidateSession(): Promise<void> {
        const client = this._client;
        const opened = await client.openSession('fixture', newUserId(), 'Ann', undefined, 'web', { roles: ['admin'] }, { cart: 1 });
        expect(opened.expires_at).to.be.instanceOf(Date);
        expect(opened.expires_at!.getTime()).to.equal(opened.request_time.getTime() + this._expireTimeout);

        const valid = await client.validateSession('fixture', opened.id);
        expect(valid).to.deep.equal(opened);
        expect(await client.validateSession(null, UNKNOWN_ID)).to.equal(null);
        await client.closeSession(null, opened.id);
        expect(await client.validateSession(null, opened.id), 'closed').to.equal(null);
    }

    public async testLifecycle(): Promise<void> {
        const client = this._client;
        const userId = newUserId();

        const opened = await client.openSession('fixture', userId, 'Test User', '192.168.1.1', 'Test Client',
            { name: 'Ann', roles: ['admin'] }, { theme: 'dark' });
        expect(opened.id).to.match(/^[0-9a-f]{32}$/);
        expect(opened).to.include({ user_id: userId, user_name: 'Test User', address: '192.168.1.1', client: 'Test Client', active: true });
        expect(opened.open_time).to.be.instanceOf(Date);
        expect(opened.request_time).to.be.instanceOf(Date);
        expect(opened.request_time.getTime()).to.equal(opened.open_time.getTime());
        expect(Math.abs(opened.open_time.getTime() - Date.now())).to.be.below(60000);
        expect(opened.close_time == null).to.equal(true);
        expect(opened.user).to.deep.equal({ name: 'Ann', roles: ['admin'] });
        expect(opened.data).to.deep.equal({ theme: 'dark' });

        expect(await client.getSessionById('fixture', opened.id)).to.deep.equal(opened);

        await tick();
        const stored = await client.storeSessionData('fixture', opened.id, { theme: 'light' });
        expect(stored!.data).to.deep.equal({ theme: 'light' });
        expect(stored!.user).to.deep.equal({ name: 'Ann', roles: ['admin'] });
        expect(stored!.request_time).to.be.instanceOf(Date);
        expect(stored!.request_time.getTime()).to.be.above(opened.request_time.getTime());
        expect(stored!.open_time.getTime()).to.equal(opened.open_time.getTime());

        const updated = await client.updateSessionUser('fixture', opened.id, { name: 'Ann', roles: ['viewer'] });
        expect(updated!.user).to.deep.equal({ name: 'Ann', roles: ['viewer'] });
        expect(updated!.data).to.deep.equal({ theme: 'light' });
        expect(await client.getSessionById('fixture', opened.id)).to.deep.equal(updated);

        const closed = await client.closeSession('fixture', opened.id);
        expect(closed!.active).to.equal(false);
        expect(closed!.close_time).to.be.instanceOf(Date);
        expect(closed!.request_time.getTime()).to.equal(closed!.close_time!.getTime());
        expect(closed!.user).to.equal(null);
        expect(closed!.data).to.equal(null);
        expect(closed!.close_reason).to.equal('logout');

        const deleted = await client.deleteSessionById('fixture', opened.id);
        expect(deleted).to.deep.equal(closed);
        expect(await client.getSessionById('fixture', opened.id)).to.equal(null);

        // Only user_id is required. Fields never given are left out in process and null over
        // the wire (every API sends each optional field, null when unset, as the original did).
        const minimal = await client.openSession(null, userId);
        expect(minimal.user_id).to.equal(userId);
        for (const field of ['user_name', 'address', 'client', 'close_time', 'close_reason'] as const) {
            expect(minimal[field] ?? null, field).to.equal(null);
        }
        expect(minimal.user == null && minimal.data == null).to.equal(true);
        expect(minimal.id).to.not.equal(opened.id);
    }

    public async testUnknownSession(): Promise<void> {
        const client = this._client;
        expect(await client.getSessionById(null, UNKNOWN_ID)).to.equal(null);
        expect(await client.storeSessionData(null, UNKNOWN_ID, { a: 1 })).to.equal(null);
        expect(await client.updateSessionUser(null, UNKNOWN_ID, { a: 1 })).to.equal(null);
        expect(await client.closeSession(null, UNKNOWN_ID)).to.equal(null);
        expect(await client.deleteSessionById(null, UNKNOWN_ID)).to.equal(null);
        expect(await client.getSessionById(null, UNKNOWN_ID)).to.equal(null);
    }

    public async testFilterAndOrder(): Promise<void> {
        const client = this._client;
        const userId = newUserId();
        const first = await client.openSession(null, userId, 'First');
        await tick();
        const second = await client.openSession(null, userId, 'Second');
        await tick();
        const third = await client.openSession(null, userId, 'Third');
        await tick();
        // Activity moves the first session to the top.
        const touched = (await client.storeSessionData(null, first.id, { step: 2 }))!;
        await tick();
        const other = await client.openSession(null, newUserId(), 'Someone else');

        const ids = async (filter: FilterParams): Promise<string[]> =>
            (await client.getSessions(null, filter, null)).data.map(item => item.id);

        expect(await ids(FilterParams.fromTuples('user_id', userId))).to.deep.equal([first.id, third.id, second.id]);
        expect(await ids(FilterParams.fromTuples('id', second.id))).to.deep.equal([second.id]);
        expect(await ids(FilterParams.fromTuples('user_id', userId, 'id', other.id))).to.deep.equal([]);

        await tick();
        await client.closeSession(null, second.id);
        const closedAt = (await client.getSessionById(null, second.id))!.request_time;
        expect(await ids(FilterParams.fromTuples('user_id', userId, 'active', false))).to.deep.equal([second.id]);
        expect(await ids(FilterParams.fromTuples('user_id', userId, 'active', 'true'))).to.deep.equal([first.id, third.id]);

        // from_time <= request_time < to_time
        expect(await ids(FilterParams.fromTuples('user_id', userId, 'from_time', third.request_time, 'to_time', touched.request_time)))
            .to.deep.equal([third.id]);
        expect(await ids(FilterParams.fromTuples('user_id', userId, 'from_time', touched.request_time)))
            .to.deep.equal([second.id, first.id]);
        expect(await ids(FilterParams.fromTuples('user_id', userId, 'to_time', closedAt.toISOString())))
            .to.deep.equal([first.id, third.id]);

        // Without a filter: every session, still newest first.
        const all = (await client.getSessions(null)).data;
        const times = all.map(item => item.request_time.getTime());
        expect(times).to.deep.equal([...times].sort((a, b) => b - a));
        expect(all.map(item => item.id)).to.include.members([first.id, second.id, third.id, other.id]);
    }

    public async testPaging(): Promise<void> {
        const client = this._client;
        const userId = newUserId();
        const opened: SessionV1[] = [];
        for (let index = 0; index < 5; index++) {
            opened.push(await client.openSession(null, userId, 'User', undefined, undefined, { n: index }, { n: index }));
            await tick();
        }
        const newestFirst = opened.map(session => session.id).reverse();
        const filter = FilterParams.fromTuples('user_id', userId);

        const page = await client.getSessions(null, filter, new PagingParams(1, 2, true));
        expect(page.data.map(item => item.id)).to.deep.equal(newestFirst.slice(1, 3));
        expect(page.total).to.equal(5);
        for (const item of page.data) {
            expect(item).to.not.have.property('user');
            expect(item).to.not.have.property('data');
            expect(item.request_time).to.be.instanceOf(Date);
            expect(item.open_time).to.be.instanceOf(Date);
        }

        const untotalled = await client.getSessions(null, filter, new PagingParams(3, 10));
        expect(untotalled.data.map(item => item.id)).to.deep.equal(newestFirst.slice(3));
        expect(untotalled.total == null).to.equal(true);

        const beyond = await client.getSessions(null, filter, new PagingParams(10, 10, true));
        expect(beyond.data).to.deep.equal([]);
        expect(beyond.total).to.equal(5);

        expect((await client.getSessions(null, filter)).data.map(item => item.id)).to.deep.equal(newestFirst);
    }

    public async testPageSizeCap(): Promise<void> {
        const client = this._client;
        const userId = newUserId();
        for (let index = 0; index < 101; index++) await client.openSession(null, userId);
        const filter = FilterParams.fromTuples('user_id', userId);

        const page = await client.getSessions(null, filter, new PagingParams(0, 1000, true));
        expect(page.data).to.have.length(100);
        expect(page.total).to.equal(101);
        expect((await client.getSessions(null, filter, null)).data).to.have.length(100);
        expect((await client.getSessions(null, filter, new PagingParams(100, 100))).data).to.have.length(1);
    }

    public async testInvalidFilter(): Promise<void> {
        const error = await rejection(this._client.getSessions('fixture', FilterParams.fromTuples('from_time', 'yesterday'), null));
        expect(error).to.be.instanceOf(BadRequestException);
        expect(error.code).to.equal('INVALID_DATA');
        expect(error.status).to.equal(400);
        expect(error.message).to.contain('from_time');
        expect(error.details).to.deep.include({ field: 'filter.from_time' });

        const active = await rejection(this._client.getSessions('fixture', FilterParams.fromTuples('active', 'maybe'), null));
        expect(active.code).to.equal('INVALID_DATA');
        expect(active.details).to.deep.include({ field: 'filter.active' });
    }

    public async testCloseExpired(): Promise<void> {
        const client = this._client;
        const userId = newUserId();
        const idle = await client.openSession(null, userId, 'Idle', undefined, undefined, { a: 1 }, { b: 2 });
        await tick(this._expireTimeout + 50);
        const fresh = await client.openSession(null, userId, 'Fresh', undefined, undefined, { a: 1 }, { b: 2 });

        // Past its time, before any sweep: not active to any command.
        const active = await client.getSessions(null, FilterParams.fromTuples('user_id', userId, 'active', true), null);
        expect(active.data.map(item => item.id)).to.deep.equal([fresh.id]);
        expect(await client.validateSession(null, idle.id)).to.equal(null);
        const error = await rejection(client.storeSessionData(null, idle.id, { b: 3 }));
        expect((error as { code?: string }).code).to.equal('SESSION_CLOSED');

        expect(await client.closeExpiredSessions('fixture')).to.equal(undefined);

        const expired = (await client.getSessionById(null, idle.id))!;
        expect(expired.active).to.equal(false);
        expect(expired.close_reason).to.equal('idle');
        expect(expired.close_time).to.be.instanceOf(Date);
        expect(expired.close_time!.getTime()).to.be.at.least(fresh.open_time.getTime());
        expect(expired.user).to.equal(null);
        expect(expired.data).to.equal(null);
        const kept = (await client.getSessionById(null, fresh.id))!;
        expect(kept.active).to.equal(true);
        expect(kept.data).to.deep.equal({ b: 2 });

        // Sweeping again changes nothing.
        await client.closeExpiredSessions(null);
        expect(await client.getSessionById(null, idle.id)).to.deep.equal(expired);
    }
}
