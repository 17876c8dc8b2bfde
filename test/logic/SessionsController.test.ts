import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ApplicationException, ConfigParams, Descriptor, FilterParams, References } from 'pip-services3-commons-nodex';
import { ContainerConfigReader } from 'pip-services3-container-nodex';

import { SessionsProcess } from '../../src/container/SessionsProcess';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsCommand } from '../../src/logic/SessionsCommand';
import { SessionsController } from '../../src/logic/SessionsController';
import { SessionsMetrics } from '../../src/logic/SessionsMetrics';
import { SessionLiveness } from '../../src/rules/SessionLiveness';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { makeSession } from '../persistence/SessionsPersistenceFixture';
import { PACKAGE_ROOT } from '../fixtures/TestService';
import { KeptLogger } from '../fixtures/KeptLogger';
import { TEST_AUDIT_KEY } from '../fixtures/TestAuditKey';

function buildController<T extends SessionsController = SessionsController>(persistence: SessionsMemoryPersistence,
    options: Record<string, number | string> = {}, controller: T = new SessionsController() as T): T {
    const tuples: unknown[] = ['options.audit_key', TEST_AUDIT_KEY];
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

/** A controller whose clock the test sets. */
class ClockedController extends SessionsController {
    public time = Date.parse('2026-03-01T12:00:00.000Z');

    protected now(): number {
        return this.time;
    }
}

/** A memory store that counts the writes it is asked for. */
class CountingPersistence extends SessionsMemoryPersistence {
    public writes = 0;

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness) {
        this.writes++;
        return await super.updatePartially(correlationId, id, data, condition);
    }
}

const MINUTE = 60000;

/** A memory store whose sweep fails, as a store does when its database is down. */
class FailingSweepPersistence extends SessionsMemoryPersistence {
    public sweeps = 0;

    public async closeExpired(): Promise<SessionV1[]> {
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

    describe('max_data_size', () => {
        /** A JSON value whose text is exactly `bytes` bytes of UTF-8 (2 bytes per character but the quotes). */
        function valueOf(bytes: number): { v: string } {
            // {"v":"..."} is 8 bytes around the text; an odd remainder takes one ASCII character.
            const text = bytes - 8;
            return { v: 'é'.repeat(Math.floor(text / 2)) + 'x'.repeat(text % 2) };
        }

        async function refusal(call: Promise<unknown>): Promise<ApplicationException> {
            const error = await call.then(() => null, (err: unknown) => err) as ApplicationException | null;
            expect(error, 'the call must fail').to.not.equal(null);
            return error!;
        }

        it('is 1048576 bytes (the HTTP body limit) by default, in the controller and in the bundled config', () => {
            expect(new SessionsController().maxDataSize).to.equal(1048576);
            expect(buildController(persistence).maxDataSize).to.equal(1048576);
            const config = ContainerConfigReader.readFromFile('test', path.join(PACKAGE_ROOT, 'config', 'config.yml'),
                SessionsProcess.parameters([], {}));
            const component = config.find(item => item.descriptor?.getType() === 'controller');
            expect(component!.config.getAsNullableLong('options.max_data_size')).to.equal(1048576);
            const configured = ContainerConfigReader.readFromFile('test', path.join(PACKAGE_ROOT, 'config', 'config.yml'),
                SessionsProcess.parameters([], { MAX_DATA_SIZE: '2048' }));
            expect(configured.find(item => item.descriptor?.getType() === 'controller')!.config
                .getAsNullableLong('options.max_data_size')).to.equal(2048);
            expect(() => buildController(persistence, { max_data_size: 0 })).to.throw(/options\.max_data_size is "-?\d+": allowed is a whole number of bytes, 1 or more/);
            expect(() => buildController(persistence, { max_data_size: -5 })).to.throw(/options\.max_data_size is "-?\d+": allowed is a whole number of bytes, 1 or more/);
        });

        it('refuses user and data over the limit in open_session, store_session_data and update_session_user with 413, storing nothing', async () => {
            const limited = buildController(persistence, { max_data_size: 100 });
            const commands = limited.getCommandSet();
            expect(JSON.stringify(valueOf(101)).length, 'measured in bytes, not characters').to.be.below(101);
            const session = await limited.openSession(null, 'u1', null, null, null, { role: 'kept' }, { step: 'kept' });
            const cases: Array<[string, Record<string, unknown>, string]> = [
                ['open_session', { user_id: 'u2', user: valueOf(101) }, 'user'],
                ['open_session', { user_id: 'u2', data: valueOf(101) }, 'data'],
                ['open_session', { user_id: 'u2', user: valueOf(100), data: 'x'.repeat(200) }, 'data'],
                ['store_session_data', { session_id: session.id, data: valueOf(101) }, 'data'],
                ['update_session_user', { session_id: session.id, user: valueOf(5000) }, 'user'],
                // Checked before the session is looked up: an unknown id changes nothing either way.
                ['store_session_data', { session_id: 'missing', data: valueOf(101) }, 'data']
            ];
            for (const [command, args, field] of cases) {
                const error = await refusal(commands.execute('c1', command, SessionsCommand.argumentsOf(args)));
                expect([error.status, error.code], command).to.deep.equal([413, 'DATA_TOO_LARGE']);
                expect(error.details, command).to.include({ field, max_data_size: '100' }, 'the toolkit keeps details as strings');
                expect(error.message, command).to.contain(field).and.contain('100 bytes').and.contain('max_data_size');
                expect(error.correlation_id).to.equal('c1');
            }
            const page = await limited.getSessions(null, new FilterParams(), null);
            expect(page.data.map(item => item.id), 'no session opened').to.deep.equal([session.id]);
            const kept = await limited.getSessionById(null, session.id);
            expect(kept).to.deep.include({ user: { role: 'kept' }, data: { step: 'kept' } });
            expect(kept!.request_time.getTime(), 'not even touched').to.equal(session.request_time.getTime());
        });

        it('accepts user and data of exactly the limit', async () => {
            const limited = buildController(persistence, { max_data_size: 100 });
            const commands = limited.getCommandSet();
            const session = await commands.execute('c2', 'open_session', SessionsCommand.argumentsOf(
                { user_id: 'u1', user: valueOf(100), data: valueOf(100) })) as SessionV1;
            expect(session.data).to.deep.equal(valueOf(100));
            const stored = await commands.execute('c2', 'store_session_data', SessionsCommand.argumentsOf(
                { session_id: session.id, data: valueOf(99) })) as SessionV1;
            expect(stored.data).to.deep.equal(valueOf(99));
            const updated = await commands.execute('c2', 'update_session_user', SessionsCommand.argumentsOf(
                { session_id: session.id, user: valueOf(100) })) as SessionV1;
            expect(updated.user).to.deep.equal(valueOf(100));
            // A string of the limit's size: its JSON has two quotes more, so it is over.
            const error = await refusal(limited.storeSessionData(null, session.id, 'x'.repeat(100)));
            expect(error.details).to.include({ field: 'data', size: '102' });
        });
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

    describe('timeouts', () => {
        let clocked: ClockedController;
        let counting: CountingPersistence;
        const code = (err: unknown): string | undefined => (err as ApplicationException).code;

        beforeEach(async () => {
            counting = new CountingPersistence();
            await counting.open(null);
            clocked = buildController(counting, { idle_timeout: 30 * MINUTE, absolute_timeout: 8 * 60 * MINUTE }, new ClockedController());
        });

        it('reads idle_timeout, or expire_timeout by its old name, and absolute_timeout (off by default)', () => {
            expect(buildController(persistence, { expire_timeout: 5000 }).timeouts).to.include({ idle: 5000, absolute: 0 });
            expect(buildController(persistence, { expire_timeout: 5000, idle_timeout: 7000 }).timeouts.idle).to.equal(7000);
            expect(buildController(persistence).timeouts).to.include({ idle: 24 * 60 * MINUTE, absolute: 0 });
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

            const short = buildController(counting, { idle_timeout: 30 * MINUTE, absolute_timeout: 10 * MINUTE }, new ClockedController());
            const capped = await short.openSession(null, 'u1');
            expect(capped.expires_at!.getTime()).to.equal(short.time + 10 * MINUTE);
            const untimed = await buildController(counting, { idle_timeout: 0 }).openSession(null, 'u1');
            expect(untimed).to.not.have.property('expires_at');
        });

        it('closes an idle session on the first read after its deadline, before any sweep', async () => {
            const session = await clocked.openSession(null, 'u1', null, null, null, { role: 'a' }, { cart: 1 });
            clocked.time += 30 * MINUTE;
            expect((await clocked.getSessionById(null, session.id))!.active, 'at the deadline itself').to.equal(true);
            clocked.time += 1;
            const active = await clocked.getSessions(null, FilterParams.fromTuples('active', true), null);
            expect(active.data, 'the active filter leaves it out').to.deep.equal([]);
            expect((await counting.getOneById(null, session.id))!.active, 'a filtered list writes nothing').to.equal(true);

            const read = await clocked.getSessionById(null, session.id);
            expect(read).to.include({ active: false, close_reason: 'idle' });
            expect(read!.close_time!.getTime()).to.equal(clocked.time);
            expect(read!.user).to.equal(null);
            expect((await counting.getOneById(null, session.id))!.active, 'closed in the store too').to.equal(false);
        });

        it('refuses writes to an expired session with 409 SESSION_CLOSED, and closes it with its reason', async () => {
            const session = await clocked.openSession(null, 'u1');
            clocked.time += 31 * MINUTE;
            const error = await clocked.storeSessionData(null, session.id, { n: 1 }).catch((err: unknown) => err);
            expect(code(error)).to.equal('SESSION_CLOSED');
            expect(code(await clocked.updateSessionUser(null, session.id, { n: 1 }).catch((err: unknown) => err))).to.equal('SESSION_CLOSED');
            const stored = await counting.getOneById(null, session.id);
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
            const error = await clocked.storeSessionData(null, session.id, { step: 'late' }).catch((err: unknown) => err);
            expect(code(error)).to.equal('SESSION_CLOSED');
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

        it('sweeps sessions past the absolute timeout as absolute and idle ones as idle', async () => {
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
            expect((await counting.getOneById(null, old.id))!.close_reason).to.equal('absolute');
            expect((await counting.getOneById(null, idle.id))!.close_reason).to.equal('idle');
            expect((await counting.getOneById(null, fresh.id))!.active).to.equal(true);
        });

        it('max_sessions_per_user with evict_oldest closes the least recently active, reason evicted', async () => {
            const limited = buildController(counting, { idle_timeout: 30 * MINUTE, max_sessions_per_user: 2 }, new ClockedController());
            const first = await limited.openSession(null, 'u1');
            limited.time += MINUTE;
            const second = await limited.openSession(null, 'u1');
            limited.time += MINUTE;
            await limited.storeSessionData(null, first.id, { busy: true });
            limited.time += MINUTE;
            const third = await limited.openSession(null, 'u1');
            expect(await limited.getSessionById(null, second.id)).to.include({ active: false, close_reason: 'evicted' });
            expect((await limited.getSessionById(null, first.id))!.active, 'used more recently').to.equal(true);
            expect((await limited.getSessionById(null, third.id))!.active).to.equal(true);
            expect((await limited.openSession(null, 'u2')).active, 'per user').to.equal(true);

            // Expired sessions do not count.
            limited.time += 31 * MINUTE;
            const later = [await limited.openSession(null, 'u1'), await limited.openSession(null, 'u1')];
            for (const session of later) expect((await limited.getSessionById(null, session.id))!.active).to.equal(true);
            expect((await limited.getSessionById(null, first.id))!.close_reason).to.equal('idle');
        });

        it('max_sessions_per_user with reject refuses with 409 SESSION_LIMIT_REACHED', async () => {
            const limited = buildController(counting, { max_sessions_per_user: 1, session_limit_policy: 'reject' },
                new ClockedController());
            const first = await limited.openSession(null, 'u1');
            const error = await limited.openSession(null, 'u1').catch((err: unknown) => err) as ApplicationException;
            expect([error.code, error.status]).to.deep.equal(['SESSION_LIMIT_REACHED', 409]);
            expect(error.message).to.contain('(1)');
            await limited.closeSession(null, first.id);
            expect((await limited.openSession(null, 'u1')).active, 'a closed session frees its place').to.equal(true);
            expect(() => buildController(counting, { session_limit_policy: 'newest' })).to.throw(/session_limit_policy is "newest": allowed is one of evict_oldest, reject/);
        });

        it('deletes sessions closed longer than retention_period in the sweep, and keeps them by default', async () => {
            const keeping = buildController(counting, {}, new ClockedController());
            const retaining = buildController(counting, { retention_period: 60 * MINUTE }, new ClockedController());
            await retaining.open(null);
            try {
                const closed = await retaining.openSession(null, 'u1');
                await retaining.closeSession(null, closed.id);
                const open = await retaining.openSession(null, 'u1');
                retaining.time += 60 * MINUTE;
                keeping.time = retaining.time + 1;
                await retaining.closeExpiredSessions(null);
                expect(await counting.getOneById(null, closed.id), 'at the end of the period').to.not.equal(null);
                retaining.time += 1;
                await keeping.closeExpiredSessions(null);
                expect(await counting.getOneById(null, closed.id), 'no retention_period: kept').to.not.equal(null);
                await retaining.closeExpiredSessions(null);
                expect(await counting.getOneById(null, closed.id), 'past it').to.equal(null);
                expect(await counting.getOneById(null, open.id), 'an active session is not touched').to.not.equal(null);
            } finally {
                await retaining.close(null);
            }
        });

        it('writes an audit line for every open and every close, with its reason, and counts closes by reason', async () => {
            const logger = new KeptLogger();
            const metrics = new SessionsMetrics();
            const audited = new ClockedController();
            audited.configure(ConfigParams.fromTuples('options.idle_timeout', 30 * MINUTE, 'options.absolute_timeout', 60 * MINUTE,
                'options.max_sessions_per_user', 2, 'options.audit_key', 'audit-key-of-the-tests-0123456789'));
            audited.setReferences(References.fromTuples(
                new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), counting,
                new Descriptor('pip-services', 'logger', 'kept', 'default', '1.0'), logger,
                new Descriptor('service-sessions', 'metrics', 'prometheus', 'default', '1.0'), metrics));
            const hash = (id: string) => audited.auditHash(id);

            const a = await audited.openSession(null, 'u1', null, '10.0.0.1', 'web');
            audited.time += 1000;
            const b = await audited.openSession(null, 'u1');
            audited.time += 1000;
            const c = await audited.openSession(null, 'u1');                  // evicts a, the least recently active
            await audited.closeSession(null, b.id);                           // logout
            const d = await audited.openSession(null, 'u2');
            const e = await audited.openSession(null, 'u2');
            await audited.closeUserSessions(null, 'u2', e.id);                // revokes d
            audited.time += 20 * MINUTE;
            await audited.storeSessionData(null, e.id, { step: 0 });
            audited.time += 11 * MINUTE;
            await audited.getSessionById(null, c.id);                         // idle, on access
            for (let step = 1; step <= 2; step++) {
                audited.time += 10 * MINUTE;
                await audited.storeSessionData(null, e.id, { step });
            }
            audited.time += 10 * MINUTE;
            await audited.closeExpiredSessions(null);                         // e: absolute

            const events = logger.audit.map(item => [item.event, item.reason ?? '', item.session]);
            expect(events).to.deep.equal([
                ['open', '', hash(a.id)], ['open', '', hash(b.id)], ['open', '', hash(c.id)], ['close', 'evicted', hash(a.id)],
                ['close', 'logout', hash(b.id)], ['open', '', hash(d.id)], ['open', '', hash(e.id)], ['close', 'revoked', hash(d.id)],
                ['close', 'idle', hash(c.id)], ['close', 'absolute', hash(e.id)]
            ]);
            expect(logger.audit[0]).to.include({ user_id: 'u1', client: 'web', address: '10.0.0.1' });
            const text = logger.messages.map(item => item.message).join('\n');
            for (const session of [a, b, c, d, e]) expect(text).to.not.contain(session.id);

            const exposed = await metrics.registry.metrics();
            for (const reason of ['evicted', 'logout', 'revoked', 'idle', 'absolute']) {
                expect(exposed).to.contain('sessions_ended_total{reason="' + reason + '"} 1');
            }
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
            expect((await counting.getOneById(null, session.id))!.close_reason, 'and closed').to.equal('idle');
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
            expect((await counting.getOneById(null, session.id))!.close_reason).to.equal('idle');
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
            expect((await counting.getOneById(null, session.id))!.close_reason).to.equal('absolute');
        });

        it('validate_session records activity at most once per touch_interval, with no write in between', async () => {
            const session = await clocked.openSession(null, 'u1');
            const opened = clocked.time;
            counting.writes = 0;
            for (let step = 0; step < 59; step++) {
                clocked.time += 1000;
                const valid = await clocked.validateSession(null, session.id);
                expect(valid!.request_time.getTime()).to.equal(opened);
            }
            expect(counting.writes, 'inside the interval').to.equal(0);

            clocked.time += 1000;
            const touched = await clocked.validateSession(null, session.id);
            expect(counting.writes).to.equal(1);
            expect(touched!.request_time.getTime()).to.equal(clocked.time);
            expect(touched!.expires_at!.getTime()).to.equal(clocked.time + 30 * MINUTE);
            clocked.time += 1000;
            await clocked.validateSession(null, session.id);
            expect(counting.writes, 'the interval starts again').to.equal(1);

            // A gateway that validates every 20 minutes keeps the session alive past the idle timeout.
            for (let step = 0; step < 5; step++) {
                clocked.time += 20 * MINUTE;
                expect(await clocked.validateSession(null, session.id), 'step ' + step).to.not.equal(null);
            }
        });
    });
});
