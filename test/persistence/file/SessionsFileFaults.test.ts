import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams, Descriptor, PagingParams, References } from 'pip-services3-commons-nodex';

import { SessionsMetrics } from '../../../src/logic/SessionsMetrics';
import { SessionsFilePersistence } from '../../../src/persistence/file/SessionsFilePersistence';
import { SessionsJournal } from '../../../src/persistence/file/SessionsJournal';
import { SmallDisk } from '../../fixtures/SmallDisk';
import { makeSession } from '../SessionsPersistenceFixture';

async function openStore(filePath: string, options: Record<string, unknown> = {}, metrics?: SessionsMetrics): Promise<SessionsFilePersistence> {
    const tuples: unknown[] = ['path', filePath];
    for (const [key, value] of Object.entries(options)) tuples.push('options.' + key, value);
    const persistence = new SessionsFilePersistence();
    persistence.configure(ConfigParams.fromTuples(...tuples));
    if (metrics != null) persistence.setReferences(References.fromTuples(new Descriptor('service-sessions', 'metrics', 'prometheus', 'default', '1.0'), metrics));
    await persistence.open(null);
    return persistence;
}

/** A crash: the process is gone without close(): what was written stays, nothing more is folded. */
async function crash(persistence: SessionsFilePersistence): Promise<void> {
    await persistence.waitForCompaction();
    await (persistence as unknown as { _journal: SessionsJournal | null })._journal?.close();
}

async function allIds(persistence: SessionsFilePersistence): Promise<string[]> {
    const page = await persistence.getPageByFilter(null, null, new PagingParams(0, 1000, true));
    return page.data.map(item => item.id).sort();
}

async function exists(filePath: string): Promise<boolean> {
    return await fs.access(filePath).then(() => true, () => false);
}

function ids(prefix: string, count: number): string[] {
    return Array.from({ length: count }, (_, index) => prefix + index);
}

async function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string; status?: number }> {
    return await promise.then(() => expect.fail('expected a failure'), (err: Error) => err);
}

describe('SessionsFilePersistence under faults', function () {
    this.timeout(60000);
    let dir: string;
    let filePath: string;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-faults-'));
        filePath = path.join(dir, 'sessions.json');
    });

    afterEach(async () => {
        await fs.rm(dir, { recursive: true, force: true });
    });

    describe('a compaction that fails', () => {
        it('never drops an unfolded journal, cleans up, says so, and is retried until it works', async () => {
            const metrics = new SessionsMetrics();
            const store = await openStore(filePath, { compaction_threshold: 1024 * 1024 * 1024 }, metrics);
            for (const id of ids('a', 40)) await store.create(null, makeSession(id, 'u', 1));
            // The temporary snapshot's place is taken: every merge fails until it is freed.
            await fs.mkdir(filePath + '.tmp');
            expect((await failureOf(store.compact(null))).message).to.match(/EISDIR|illegal operation on a directory/);
            expect(store.degradation).to.equal('COMPACTION_FAILED');
            expect(await exists(filePath + '.journal.old'), 'the moved journal stays until it is folded').to.equal(true);
            for (const id of ids('b', 40)) await store.create(null, makeSession(id, 'u', 2));
            // Again: the next fold must not move the new journal over the unfolded one.
            await failureOf(store.compact(null));
            expect(await metrics.text()).to.match(/sessions_store_errors_total\{operation="compaction"\} 2/);
            await crash(store);

            const restarted = await openStore(filePath, { compaction_threshold: 1024 * 1024 * 1024 });
            expect(await allIds(restarted)).to.deep.equal([...ids('a', 40), ...ids('b', 40)].sort());
            expect(restarted.degradation, 'the fold left over is tried at start, and still fails').to.equal('COMPACTION_FAILED');

            await fs.rmdir(filePath + '.tmp');
            // Retried by the next write once the wait (1 s after the first failure) is over.
            await new Promise(resolve => setTimeout(resolve, 1100));
            await restarted.create(null, makeSession('c0', 'u', 3));
            await restarted.waitForCompaction();
            expect(restarted.degradation).to.equal(null);
            expect(await exists(filePath + '.journal.old')).to.equal(false);
            expect(await exists(filePath + '.tmp')).to.equal(false);
            const snapshot = JSON.parse(await fs.readFile(filePath, 'utf8')) as Array<{ id: string }>;
            expect(snapshot.length, 'the journal left over is folded into the snapshot').to.equal(40);
            await crash(restarted);
            const again = await openStore(filePath);
            expect((await allIds(again)).length).to.equal(81);
            await again.close(null);
        });
    });

    describe('on a full disk', () => {
        let disk: SmallDisk | null = null;

        beforeEach(async function () {
            const mounted = await SmallDisk.mount(4 * 1024 * 1024);
            if (typeof mounted === 'string') this.skip();
            disk = mounted as SmallDisk;
            filePath = path.join(disk.dir, 'sessions.json');
        });

        afterEach(async () => {
            await disk?.unmount();
            disk = null;
        });

        it('answers a refused write with 503 and never lets a later write carry it to disk', async () => {
            const store = await openStore(filePath);
            await store.create(null, makeSession('s', 'u', 1));
            await disk!.fill();
            // Two writes to one session in two group writes: the second builds on the first.
            const bigUser = { name: 'x'.repeat(64 * 1024) };
            const first = store.updatePartially(null, 's', AnyValueMap.fromTuples('user', bigUser));
            const second = store.updatePartially(null, 's', AnyValueMap.fromTuples('data', { second: 'y'.repeat(64 * 1024) }));
            const errors = [await failureOf(first), await failureOf(second)];
            expect(errors.map(err => [err.code, err.status])).to.deep.equal([['STORE_NOT_WRITABLE', 503], ['STORE_NOT_WRITABLE', 503]]);
            const inMemory = (await store.getOneById(null, 's'))!;
            expect(inMemory.user, 'a refused write is not visible').to.deep.equal({ id: 'u', roles: ['user'] });
            expect(inMemory.data).to.deep.equal({ cart: ['s'] });

            await disk!.free();
            await store.updatePartially(null, 's', AnyValueMap.fromTuples('address', '10.9.9.9'));
            await crash(store);
            const restarted = await openStore(filePath);
            const onDisk = (await restarted.getOneById(null, 's'))!;
            expect(onDisk.address).to.equal('10.9.9.9');
            expect(onDisk.user, 'no refused write became durable').to.deep.equal({ id: 'u', roles: ['user'] });
            expect(onDisk.data).to.deep.equal({ cart: ['s'] });
            await restarted.close(null);
        });

        it('closes without leaving a temporary snapshot, restarts serving reads only, and takes writes once there is room', async () => {
            const store = await openStore(filePath);
            for (const id of ids('s', 30)) await store.create(null, makeSession(id, 'u', 1));
            await disk!.fill();
            await store.close(null);
            expect(await fs.readdir(disk!.dir), 'no partial temporary snapshot').to.not.include('sessions.json.tmp');

            const restarted = await openStore(filePath);
            expect(await allIds(restarted)).to.deep.equal(ids('s', 30).sort());
            const notReady = await failureOf(restarted.checkReady(null));
            expect([notReady.code, notReady.status]).to.deep.equal(['STORE_NOT_WRITABLE', 503]);
            const refused = await failureOf(restarted.create(null, makeSession('late', 'u', 2)));
            expect([refused.code, refused.status]).to.deep.equal(['STORE_NOT_WRITABLE', 503]);
            expect(await restarted.getOneById(null, 'late')).to.equal(null);

            await disk!.free();
            await restarted.checkReady(null);
            await restarted.create(null, makeSession('late', 'u', 2));
            await restarted.close(null);
            expect(await fs.readdir(disk!.dir)).to.not.include('sessions.json.tmp');
            const again = await openStore(filePath);
            expect(await allIds(again)).to.deep.equal([...ids('s', 30), 'late'].sort());
            await again.close(null);
        });
    });

    describe('damaged files', () => {
        async function openFails(options: Record<string, unknown> = {}): Promise<Error & { code?: string }> {
            const store = new SessionsFilePersistence();
            store.configure(ConfigParams.fromTuples('path', filePath, ...Object.entries(options).flatMap(([key, value]) => ['options.' + key, value])));
            return await failureOf(store.open(null));
        }

        it('refuses a whole last journal record that does not read, and leaves it in place', async () => {
            const store = await openStore(filePath);
            await store.create(null, makeSession('a', 'u', 1));
            await crash(store);
            await fs.appendFile(filePath + '.journal', '{"u":{"id":"b", not json}\n');
            const before = await fs.readFile(filePath + '.journal', 'utf8');
            expect((await openFails()).code).to.equal('CORRUPT_JOURNAL');
            expect(await fs.readFile(filePath + '.journal', 'utf8'), 'the evidence is not cut off').to.equal(before);
        });

        it('catches a journal record changed on disk by its checksum', async () => {
            const store = await openStore(filePath);
            await store.create(null, makeSession('a', 'u', 1));
            await store.create(null, makeSession('b', 'u', 2));
            await crash(store);
            const text = await fs.readFile(filePath + '.journal', 'utf8');
            // Still valid JSON, one character changed: only the checksum tells.
            await fs.writeFile(filePath + '.journal', text.replace('"user_id":"u"', '"user_id":"v"'));
            const error = await openFails();
            expect(error.code).to.equal('CORRUPT_JOURNAL');
            expect(error.message).to.match(/line 1/);
        });

        it('refuses a snapshot cut short at a line boundary, or emptied while its journal says it held sessions', async () => {
            const store = await openStore(filePath);
            for (const id of ids('s', 5)) await store.create(null, makeSession(id, 'u', 1));
            await store.close(null);
            const whole = await fs.readFile(filePath, 'utf8');

            const lines = whole.split('\n');
            await fs.writeFile(filePath, lines.slice(0, 3).join('\n') + '\n');
            expect((await openFails()).code, 'cut after a whole line').to.equal('CORRUPT_FILE');
            await fs.writeFile(filePath, whole.replace('\n]\n', '\n'));
            expect((await openFails()).code, 'only the closing bracket missing').to.equal('CORRUPT_FILE');
            await fs.writeFile(filePath, '');
            expect((await openFails()).code, 'emptied').to.equal('CORRUPT_FILE');
            await fs.rm(filePath);
            expect((await openFails()).code, 'deleted').to.equal('CORRUPT_FILE');
            await fs.writeFile(filePath, whole);
            const intact = await openStore(filePath);
            expect(await allIds(intact)).to.deep.equal(ids('s', 5));
            await intact.close(null);
        });

        it('with options.recover, loads what reads, keeps the damaged files aside, and starts clean the next time', async () => {
            const store = await openStore(filePath);
            for (const id of ids('s', 4)) await store.create(null, makeSession(id, 'u', 1));
            await store.close(null);
            const more = await openStore(filePath);
            await more.create(null, makeSession('j0', 'u', 2));
            await more.create(null, makeSession('j1', 'u', 2));
            await crash(more);
            const snapshot = await fs.readFile(filePath, 'utf8');
            await fs.writeFile(filePath, snapshot.replace('"id":"s1"', '"id":"s1",broken'));
            const journal = await fs.readFile(filePath + '.journal', 'utf8');
            await fs.writeFile(filePath + '.journal', journal.replace('"id":"j0"', '"id":"jX"'));

            expect((await openFails()).code, 'without the option the start is refused').to.equal('CORRUPT_JOURNAL');
            const recovered = await openStore(filePath, { recover: true });
            expect(await allIds(recovered)).to.deep.equal(['j1', 's0', 's2', 's3']);
            const aside = (await fs.readdir(dir)).filter(name => name.includes('.damaged-')).sort();
            expect(aside.map(name => name.replace(/-[0-9T-]+Z$/, ''))).to.deep.equal(['sessions.json.damaged', 'sessions.json.journal.damaged']);
            expect(await fs.readFile(path.join(dir, aside[0]), 'utf8'), 'kept as it was').to.include('"id":"s1",broken');
            await recovered.create(null, makeSession('after', 'u', 3));
            await crash(recovered);

            const normal = await openStore(filePath);
            expect(await allIds(normal)).to.deep.equal(['after', 'j1', 's0', 's2', 's3']);
            await normal.close(null);
        });
    });
});
