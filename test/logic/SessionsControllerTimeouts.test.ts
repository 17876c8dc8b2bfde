import { expect } from 'chai';
import { ApplicationException, FilterParams } from 'pip-services3-commons-nodex';

import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { ClockedController } from './ClockedController';
import { ControllerStore, ControllerStores, storePerTest } from './ControllerStore';
import { CountingPersistence } from './CountingPersistence';
import { buildController, MINUTE, refusal } from './SessionsControllerFixture';

/** Idle and absolute timeouts as the controller applies them on reads, writes, listings and validate_session, on one kind of store. */
function describeTimeoutRules(kind: ControllerStore): void {
    describe('SessionsController timeouts, ' + kind.name + ' store', function () {
        const store = storePerTest(kind);
        let clocked: ClockedController;

        beforeEach(() => {
            clocked = buildController(store(), { idle_timeout: 30 * MINUTE, absolute_timeout: 8 * 60 * MINUTE }, new ClockedController());
        });

        it('stamps expires_at: the idle deadline, or the absolute one when it comes first', async () => {
            const session = await clocked.openSession(null, 'u1');
            expect(session.expires_at!.getTime()).to.equal(clocked.time + 30 * MINUTE);
            for (let step = 0; step < 31; step++) {
                clocked.time += 15 * MINUTE;
                await clocked.storeSessionData(null, session.id, { step });
            }
            clocked.time += 5 * MINUTE;
            const late = await clocked.storeSessionData(null, session.id, { n: 1 });
            expect(late!.expires_at!.getTime(), 'capped by open_time + 8 h').to.equal(session.open_time.getTime() + 8 * 60 * MINUTE);
            expect((await store().getOneById(null, session.id))!.expires_at!.getTime(), 'as stored')
                .to.equal(session.open_time.getTime() + 8 * 60 * MINUTE);

            const short = buildController(store(), { idle_timeout: 30 * MINUTE, absolute_timeout: 10 * MINUTE }, new ClockedController());
            const capped = await short.openSession(null, 'u1');
            expect(capped.expires_at!.getTime()).to.equal(short.time + 10 * MINUTE);
            const untimed = await buildController(store(), { idle_timeout: 0 }).openSession(null, 'u1');
            expect(untimed).to.not.have.property('expires_at');
        });

        it('closes an idle session on the first read after its deadline, before any sweep', async () => {
            const session = await clocked.openSession(null, 'u1', null, null, null, { role: 'a' }, { cart: 1 });
            clocked.time += 30 * MINUTE;
            expect((await clocked.getSessionById(null, session.id))!.active, 'at the deadline itself').to.equal(true);
            clocked.time += 1;
            const active = await clocked.getSessions(null, FilterParams.fromTuples('active', true), null);
            expect(active.data, 'the active filter leaves it out').to.deep.equal([]);
            expect((await store().getOneById(null, session.id))!.active, 'a filtered list writes nothing').to.equal(true);

            const read = await clocked.getSessionById(null, session.id);
            expect(read).to.include({ active: false, close_reason: 'idle' });
            expect(read!.close_time!.getTime()).to.equal(clocked.time);
            expect(read!.user).to.equal(null);
            expect((await store().getOneById(null, session.id))!.active, 'closed in the store too').to.equal(false);
        });

        it('refuses writes to an expired session with 409 SESSION_CLOSED, and closes it with its reason', async () => {
            const session = await clocked.openSession(null, 'u1');
            clocked.time += 31 * MINUTE;
            const error = await refusal<ApplicationException>(clocked.storeSessionData(null, session.id, { n: 1 }));
            expect([error.code, error.status]).to.deep.equal(['SESSION_CLOSED', 409]);
            expect((await refusal<ApplicationException>(clocked.updateSessionUser(null, session.id, { n: 1 }))).code).to.equal('SESSION_CLOSED');
            const stored = await store().getOneById(null, session.id);
            expect(stored).to.include({ active: false, close_reason: 'idle' });
            expect(stored!.data ?? null, 'the refused data was not written').to.equal(null);
            // close_session on it reports how it really ended, not a logout.
            expect((await clocked.closeSession(null, session.id))!.close_reason).to.equal('idle');
        });

        it('ends a busy session at the absolute timeout, with reason absolute', async () => {
            const session = await clocked.openSession(null, 'u1');
            for (let step = 0; step < 24; step++) {
                clocked.time += 20 * MINUTE;
                await clocked.storeSessionData(null, session.id, { step });
            }
            clocked.time += 1;
            const error = await refusal<ApplicationException>(clocked.storeSessionData(null, session.id, { step: 'late' }));
            expect(error.code).to.equal('SESSION_CLOSED');
            const read = await clocked.getSessionById(null, session.id);
            expect(read).to.include({ active: false, close_reason: 'absolute' });
        });

        it('lists sessions past their time as closed when no filter keeps them out', async () => {
            const stale = await clocked.openSession(null, 'u1');
            clocked.time += 20 * MINUTE;
            const fresh = await clocked.openSession(null, 'u2');
            clocked.time += 11 * MINUTE;
            const page = await clocked.getSessions(null, null, null);
            const byId = new Map(page.data.map(item => [item.id, item]));
            expect(byId.get(stale.id)).to.include({ active: false, close_reason: 'idle' });
            expect(byId.get(stale.id)).to.not.have.property('user');
            expect(byId.get(fresh.id)!.active).to.equal(true);
            const closed = await clocked.getSessions(null, FilterParams.fromTuples('active', false), null);
            expect(closed.data.map(item => item.id)).to.deep.equal([stale.id]);
        });

        it('validate_session: the live session with user and data, else null', async () => {
            const session = await clocked.openSession(null, 'u1', null, null, null, { role: 'a' }, { cart: 1 });
            const valid = await clocked.validateSession(null, session.id);
            expect(valid).to.include({ id: session.id, active: true });
            expect(valid!.user).to.deep.equal({ role: 'a' });
            expect(valid!.data).to.deep.equal({ cart: 1 });
            expect(await clocked.validateSession(null, 'missing')).to.equal(null);

            const closed = await clocked.openSession(null, 'u1');
            await clocked.closeSession(null, closed.id);
            expect(await clocked.validateSession(null, closed.id)).to.equal(null);

            clocked.time += 31 * MINUTE;
            expect(await clocked.validateSession(null, session.id), 'expired').to.equal(null);
            expect((await store().getOneById(null, session.id))!.close_reason, 'and closed').to.equal('idle');
        });

        it('validate_session exactly at the idle deadline: live and touched; 1 ms past it: null and closed', async () => {
            const before = await clocked.openSession(null, 'u1');
            const session = await clocked.openSession(null, 'u1');
            const deadline = clocked.time + 30 * MINUTE;
            clocked.time = deadline - 1;
            expect(await clocked.validateSession(null, before.id), 'just before').to.not.equal(null);
            clocked.time = deadline;
            const touched = await clocked.validateSession(null, session.id);
            expect(touched!.request_time.getTime(), 'at the deadline: touched').to.equal(deadline);
            expect(touched!.expires_at!.getTime()).to.equal(deadline + 30 * MINUTE);
            clocked.time = deadline + 30 * MINUTE + 1;
            expect(await clocked.validateSession(null, session.id), 'just after the new deadline').to.equal(null);
            expect((await store().getOneById(null, session.id))!.close_reason).to.equal('idle');
        });

        it('validate_session exactly at the absolute deadline: live; 1 ms past it: null and closed as absolute', async () => {
            const session = await clocked.openSession(null, 'u1');
            const deadline = clocked.time + 8 * 60 * MINUTE;
            while (clocked.time + 20 * MINUTE < deadline) {
                clocked.time += 20 * MINUTE;
                expect(await clocked.validateSession(null, session.id)).to.not.equal(null);
            }
            clocked.time = deadline;
            const last = await clocked.validateSession(null, session.id);
            expect(last!.request_time.getTime(), 'touched at the deadline').to.equal(deadline);
            expect(last!.expires_at!.getTime(), 'and it ends now').to.equal(deadline);
            clocked.time = deadline + 1;
            expect(await clocked.validateSession(null, session.id)).to.equal(null);
            expect((await store().getOneById(null, session.id))!.close_reason).to.equal('absolute');
        });

        it('validate_session moves request_time once per touch_interval, and keeps a session it sees every 20 minutes alive', async () => {
            const session = await clocked.openSession(null, 'u1');
            const opened = clocked.time;
            clocked.time += 59 * 1000;
            expect((await clocked.validateSession(null, session.id))!.request_time.getTime(), 'inside the interval').to.equal(opened);
            expect((await store().getOneById(null, session.id))!.request_time.getTime(), 'as stored').to.equal(opened);
            clocked.time += 1000;
            const touched = await clocked.validateSession(null, session.id);
            expect(touched!.request_time.getTime()).to.equal(clocked.time);
            expect(touched!.expires_at!.getTime()).to.equal(clocked.time + 30 * MINUTE);
            expect((await store().getOneById(null, session.id))!.request_time.getTime(), 'as stored').to.equal(clocked.time);

            for (let step = 0; step < 5; step++) {
                clocked.time += 20 * MINUTE;
                expect(await clocked.validateSession(null, session.id), 'step ' + step).to.not.equal(null);
            }
            expect((await store().getOneById(null, session.id))!.active).to.equal(true);
        });
    });
}

for (const kind of ControllerStores) describeTimeoutRules(kind);

describe('SessionsController timeouts, memory store only', () => {
    it('reads idle_timeout, or expire_timeout by its old name, and absolute_timeout (off by default)', () => {
        const persistence = new SessionsMemoryPersistence();
        expect(buildController(persistence, { expire_timeout: 5000 }).timeouts).to.include({ idle: 5000, absolute: 0 });
        expect(buildController(persistence, { expire_timeout: 5000, idle_timeout: 7000 }).timeouts.idle).to.equal(7000);
        expect(buildController(persistence).timeouts).to.include({ idle: 24 * 60 * MINUTE, absolute: 0 });
    });

    it('validate_session makes no write inside touch_interval, one when it is over (writes counted)', async () => {
        const counting = new CountingPersistence();
        await counting.open(null);
        const clocked = buildController(counting, { idle_timeout: 30 * MINUTE }, new ClockedController());
        const session = await clocked.openSession(null, 'u1');
        counting.writes = 0;
        for (let step = 0; step < 59; step++) {
            clocked.time += 1000;
            await clocked.validateSession(null, session.id);
        }
        expect(counting.writes, 'inside the interval').to.equal(0);
        clocked.time += 1000;
        await clocked.validateSession(null, session.id);
        expect(counting.writes).to.equal(1);
        clocked.time += 1000;
        await clocked.validateSession(null, session.id);
        expect(counting.writes, 'the interval starts again').to.equal(1);
    });
});
