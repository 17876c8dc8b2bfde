import { expect } from 'chai';

import { SessionsController } from '../../src/logic/SessionsController';
import { makeSession } from '../persistence/SessionsPersistenceFixture';
import { ClockedController } from './ClockedController';
import { ControllerStore, ControllerStores, storePerTest } from './ControllerStore';
import { FailingSweepPersistence } from './FailingSweepPersistence';
import { buildController, MINUTE, waitFor } from './SessionsControllerFixture';

/** The sweep: closing expired sessions with their reason, on its timer, and deleting old closed ones, on one kind of store. */
function describeSweepRules(kind: ControllerStore): void {
    describe('SessionsController sweep, ' + kind.name + ' store', function () {
        const store = storePerTest(kind);
        let controller: SessionsController | null = null;

        afterEach(async () => {
            await controller?.close(null);
            controller = null;
        });

        it('closes only sessions idle longer than expire_timeout', async () => {
            controller = buildController(store(), { expire_timeout: 60000 });
            await store().create(null, makeSession('stale', 'u1', 0));
            const fresh = await controller.openSession(null, 'u2');
            await controller.closeExpiredSessions(null);
            expect(await controller.getSessionById(null, 'stale')).to.include({ active: false, close_reason: 'idle' });
            expect((await controller.getSessionById(null, fresh.id))!.active).to.equal(true);
        });

        it('sweeps sessions past the absolute timeout as absolute and idle ones as idle', async () => {
            const clocked = buildController(store(), { idle_timeout: 30 * MINUTE, absolute_timeout: 8 * 60 * MINUTE }, new ClockedController());
            const old = await clocked.openSession(null, 'u1');
            let idle = old;
            for (let step = 1; step <= 23; step++) {
                clocked.time += 20 * MINUTE;
                await clocked.storeSessionData(null, old.id, { step });
                if (step === 21) idle = await clocked.openSession(null, 'u2');
            }
            // 8 h 5 min after old opened, 25 min after its last request; idle untouched for 65 min.
            clocked.time += 25 * MINUTE;
            const fresh = await clocked.openSession(null, 'u3');
            await clocked.closeExpiredSessions(null);
            expect((await store().getOneById(null, old.id))!.close_reason).to.equal('absolute');
            expect((await store().getOneById(null, idle.id))!.close_reason).to.equal('idle');
            expect((await store().getOneById(null, fresh.id))!.active).to.equal(true);
        });

        it('sweeps idle sessions on its own timer', async () => {
            controller = buildController(store(), { expire_timeout: 150, cleanup_interval: 50 });
            await controller.open(null);
            const idle = await controller.openSession(null, 'idle-user');
            const busy = await controller.openSession(null, 'busy-user');
            const timed = controller;

            const closed = await waitFor(async () => {
                await timed.storeSessionData(null, busy.id, { at: Date.now() });
                return !(await timed.getSessionById(null, idle.id))!.active;
            }, 3000);
            expect(closed, 'the idle session was closed by the timer').to.equal(true);
            expect((await store().getOneById(null, idle.id))!.close_reason).to.equal('idle');
            expect((await timed.getSessionById(null, busy.id))!.active, 'a session in use stays open').to.equal(true);
        });

        it('deletes sessions closed longer than retention_period in the sweep, and keeps them by default', async () => {
            const keeping = buildController(store(), {}, new ClockedController());
            const retaining = buildController(store(), { retention_period: 60 * MINUTE }, new ClockedController());
            controller = retaining;
            await retaining.open(null);
            // As the controller heard at open: a store that deletes by itself (a real MongoDB's TTL index, not the
            // test servers) does so on the real clock, later, and the sweep leaves it to it.
            const byStore = await store().applyRetention(null, 60 * MINUTE);
            const closed = await retaining.openSession(null, 'u1');
            await retaining.closeSession(null, closed.id);
            const open = await retaining.openSession(null, 'u1');
            retaining.time += 60 * MINUTE;
            keeping.time = retaining.time + 1;
            await retaining.closeExpiredSessions(null);
            expect(await store().getOneById(null, closed.id), 'at the end of the period').to.not.equal(null);
            retaining.time += 1;
            await keeping.closeExpiredSessions(null);
            expect(await store().getOneById(null, closed.id), 'no retention_period: kept').to.not.equal(null);
            await retaining.closeExpiredSessions(null);
            const left = await store().getOneById(null, closed.id);
            if (byStore) expect(left, 'left to the store').to.not.equal(null);
            else expect(left, 'past it').to.equal(null);
            expect(await store().getOneById(null, open.id), 'an active session is not touched').to.not.equal(null);
        });
    });
}

for (const kind of ControllerStores) describeSweepRules(kind);

describe('SessionsController sweep, memory store only', () => {
    let failing: FailingSweepPersistence;
    let controller: SessionsController;

    beforeEach(async () => {
        failing = new FailingSweepPersistence();
        await failing.open(null);
    });

    afterEach(async () => {
        await controller.close(null);
    });

    it('logs a failing sweep and retries it, without an unhandled rejection', async () => {
        controller = buildController(failing, { cleanup_interval: 20 });
        const rejections: unknown[] = [];
        const onRejection = (reason: unknown) => { rejections.push(reason); };
        process.on('unhandledRejection', onRejection);
        try {
            await controller.open(null);
            expect(await waitFor(async () => failing.sweeps >= 3, 3000), 'the sweep is retried').to.equal(true);
            await new Promise(resolve => setImmediate(resolve));
            expect(rejections).to.deep.equal([]);
        } finally {
            process.off('unhandledRejection', onRejection);
        }
    });

    it('stops sweeping when closed', async () => {
        controller = buildController(failing, { cleanup_interval: 10 });
        await controller.open(null);
        expect(controller.isOpen()).to.equal(true);
        await waitFor(async () => failing.sweeps >= 1, 2000);
        await controller.close(null);
        const count = failing.sweeps;
        await new Promise(resolve => setTimeout(resolve, 80));
        expect(failing.sweeps).to.equal(count);
        expect(controller.isOpen()).to.equal(false);
    });
});
