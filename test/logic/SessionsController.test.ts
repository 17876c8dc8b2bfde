import { expect } from 'chai';
import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';

import { SessionsController } from '../../src/logic/SessionsController';
import { SessionsMemoryPersistence } from '../../src/persistence/SessionsMemoryPersistence';
import { makeSession } from '../persistence/SessionsPersistenceFixture';

function buildController(persistence: SessionsMemoryPersistence, options: Record<string, number> = {}): SessionsController {
    const controller = new SessionsController();
    const tuples: unknown[] = [];
    for (const [key, value] of Object.entries(options)) tuples.push('options.' + key, value);
    controller.configure(ConfigParams.fromTuples(...tuples));
    controller.setReferences(References.fromTuples(
        new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence
    ));
    return controller;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await condition()) return true;
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    return await condition();
}

/** A memory store whose sweep fails, as a store does when its database is down. */
class FailingSweepPersistence extends SessionsMemoryPersistence {
    public sweeps = 0;

    public async closeExpired(): Promise<number> {
        this.sweeps++;
        throw new Error('database unreachable');
    }
}

describe('SessionsController', () => {
    let persistence: SessionsMemoryPersistence;
    let controller: SessionsController;

    beforeEach(async () => {
        persistence = new SessionsMemoryPersistence();
        await persistence.open(null);
        controller = buildController(persistence);
    });

    afterEach(async () => {
        await controller.close(null);
    });

    it('opens a session with a fresh 128-bit id and the times set to now', async () => {
        const before = Date.now();
        const session = await controller.openSession(null, 'u1', 'Ann', '10.0.0.1', 'web', { role: 'admin' }, { cart: [] });
        expect(session.id).to.match(/^[0-9a-f]{32}$/);
        expect(session.active).to.equal(true);
        expect(session.open_time.getTime()).to.be.within(before, Date.now());
        expect(session.request_time.getTime()).to.equal(session.open_time.getTime());
        expect(session.close_time == null).to.equal(true);
        expect(session).to.include({ user_id: 'u1', user_name: 'Ann', address: '10.0.0.1', client: 'web' });
        expect((await controller.getSessionById(null, session.id))!.user).to.deep.equal({ role: 'admin' });

        // Opening always creates: the same user gets a second, different session.
        const second = await controller.openSession(null, 'u1');
        expect(second.id).to.not.equal(session.id);
        expect(second).to.not.have.property('user_name');
        expect((await controller.getSessions(null, null, null)).data.length).to.equal(2);
    });

    it('draws ids without repeats and with every hex digit in use', async () => {
        const ids = new Set<string>();
        const digits = new Set<string>();
        for (let index = 0; index < 2000; index++) {
            const id = SessionsController.newSessionId();
            ids.add(id);
            for (const char of id) digits.add(char);
        }
        expect(ids.size).to.equal(2000);
        expect(digits.size).to.equal(16);
    });

    it('stores data and user, moving request_time forward', async () => {
        const session = await controller.openSession(null, 'u1', 'Ann', null, null, { v: 1 }, { v: 1 });
        await new Promise(resolve => setTimeout(resolve, 5));

        const stored = await controller.storeSessionData(null, session.id, { v: 2 });
        expect(stored!.data).to.deep.equal({ v: 2 });
        expect(stored!.user).to.deep.equal({ v: 1 });
        expect(stored!.request_time.getTime()).to.be.greaterThan(session.request_time.getTime());
        expect(stored!.open_time.getTime()).to.equal(session.open_time.getTime());

        const updated = await controller.updateSessionUser(null, session.id, { v: 3 });
        expect(updated!.user).to.deep.equal({ v: 3 });
        expect(updated!.data).to.deep.equal({ v: 2 });

        expect(await controller.storeSessionData(null, 'missing', { v: 1 })).to.equal(null);
        expect(await controller.updateSessionUser(null, 'missing', { v: 1 })).to.equal(null);
    });

    it('closes a session: inactive, close_time set, user and data cleared', async () => {
        const session = await controller.openSession(null, 'u1', 'Ann', null, null, { v: 1 }, { v: 1 });
        const closed = await controller.closeSession(null, session.id);
        expect(closed!.active).to.equal(false);
        expect(closed!.close_time).to.be.instanceOf(Date);
        expect(closed!.request_time.getTime()).to.equal(closed!.close_time!.getTime());
        expect(closed!.user).to.equal(null);
        expect(closed!.data).to.equal(null);
        expect(await controller.closeSession(null, 'missing')).to.equal(null);
    });

    it('deletes a session', async () => {
        const session = await controller.openSession(null, 'u1');
        expect((await controller.deleteSessionById(null, session.id))!.id).to.equal(session.id);
        expect(await controller.getSessionById(null, session.id)).to.equal(null);
        expect(await controller.deleteSessionById(null, session.id)).to.equal(null);
    });

    it('closes only sessions idle longer than expire_timeout', async () => {
        controller = buildController(persistence, { expire_timeout: 60000 });
        await persistence.create(null, makeSession('stale', 'u1', 0));
        const fresh = await controller.openSession(null, 'u2');
        await controller.closeExpiredSessions(null);
        expect((await controller.getSessionById(null, 'stale'))!.active).to.equal(false);
        expect((await controller.getSessionById(null, fresh.id))!.active).to.equal(true);
    });

    it('sweeps idle sessions on its own timer', async () => {
        controller = buildController(persistence, { expire_timeout: 150, cleanup_interval: 50 });
        await controller.open(null);
        const idle = await controller.openSession(null, 'idle-user');
        const busy = await controller.openSession(null, 'busy-user');

        const closed = await waitFor(async () => {
            await controller.storeSessionData(null, busy.id, { at: Date.now() });
            return !(await controller.getSessionById(null, idle.id))!.active;
        }, 3000);
        expect(closed, 'the idle session was closed by the timer').to.equal(true);
        expect((await controller.getSessionById(null, busy.id))!.active, 'a session in use stays open').to.equal(true);
    });

    it('logs a failing sweep and retries it, without an unhandled rejection', async () => {
        const failing = new FailingSweepPersistence();
        await failing.open(null);
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
        const failing = new FailingSweepPersistence();
        await failing.open(null);
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
