import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionsFilePersistence } from '../../../src/persistence/file/SessionsFilePersistence';
import { SessionsJournal } from '../../../src/persistence/file/SessionsJournal';
import { journalRecords } from './JournalFile';
import { makeSession } from '../SessionsPersistenceFixture';

async function openStore(filePath: string, options: Record<string, unknown> = {}): Promise<SessionsFilePersistence> {
    const tuples: unknown[] = ['path', filePath];
    for (const [key, value] of Object.entries(options)) tuples.push('options.' + key, value);
    const persistence = new SessionsFilePersistence();
    persistence.configure(ConfigParams.fromTuples(...tuples));
    await persistence.open(null);
    return persistence;
}

/** A crash: the process is gone without close(), so the journal is never folded in. */
async function crash(persistence: SessionsFilePersistence): Promise<void> {
    await persistence.waitForCompaction();
    // Closing the file handle alone is what the OS does when a process dies: what was
    // written stays, nothing is folded into the snapshot.
    await (persistence as unknown as { _journal: SessionsJournal | null })._journal?.close();
}

async function openStoreAfter(previous: SessionsFilePersistence, filePath: string): Promise<SessionsFilePersistence> {
    await previous.close(null);
    return await openStore(filePath);
}

async function allIds(persistence: SessionsFilePersistence): Promise<string[]> {
    const page = await persistence.getPageByFilter(null, null, new PagingParams(0, 100, true));
    return page.data.map(item => item.id).sort();
}

describe('SessionsFilePersistence journal', () => {
    let dir: string;
    let filePath: string;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-journal-'));
        filePath = path.join(dir, 'sessions.json');
    });

    afterEach(async () => {
        await fs.rm(dir, { recursive: true, force: true });
    });

    it('writes one journal record per change and never rewrites the snapshot on a write', async () => {
        const store = await openStore(filePath);
        await store.create(null, makeSession('a', 'u', 0));
        await store.updatePartially(null, 'a', AnyValueMap.fromTuples('data', { n: 2 }));
        await store.deleteById(null, 'a');
        await store.create(null, makeSession('b', 'u', 1));
        const lines = (await fs.readFile(store.journalPath, 'utf8')).split('\n').filter(line => line !== '');
        expect(lines.length).to.equal(4);
        // Each line: the record's JSON, a tab, its CRC-32 in hex.
        expect(lines.every(line => /^\{.*\}\t[0-9a-f]{8}$/.test(line))).to.equal(true);
        expect(JSON.parse(lines[2].split('\t')[0])).to.deep.equal({ d: 'a' });
        expect(JSON.parse(lines[1].split('\t')[0]).u.data).to.deep.equal({ n: 2 });
        await fs.access(filePath).then(() => expect.fail('no snapshot before the first compaction'), () => undefined);
        await crash(store);

        const reopened = await openStore(filePath);
        expect(await allIds(reopened)).to.deep.equal(['b']);
        await reopened.close(null);
    });

    it('skips a torn last record after a crash and keeps every acknowledged one', async () => {
        const store = await openStore(filePath);
        for (let index = 0; index < 10; index++) await store.create(null, makeSession('s' + index, 'u', index));
        await store.updatePartially(null, 's3', AnyValueMap.fromTuples('data', { kept: true }));
        await crash(store);

        // Power cut in the middle of writing the next record.
        const torn = JSON.stringify({ u: makeSession('torn', 'u', 20) });
        await fs.appendFile(store.journalPath, torn.slice(0, torn.length / 2));

        const reopened = await openStore(filePath);
        expect(await allIds(reopened)).to.deep.equal(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
        expect((await reopened.getOneById(null, 's3'))!.data).to.deep.equal({ kept: true });

        // New records start on a clean line after the cut-off tail.
        await reopened.create(null, makeSession('after', 'u', 30));
        await crash(reopened);
        const again = await openStore(filePath);
        expect(await allIds(again)).to.include('after');
        expect(await allIds(again)).to.not.include('torn');
        await again.close(null);
    });

    it('refuses a journal with a bad record in the middle', async () => {
        const store = await openStore(filePath);
        await store.create(null, makeSession('a', 'u', 0));
        await crash(store);
        await fs.appendFile(store.journalPath, '{"u": {"broken\n' + JSON.stringify({ d: 'a' }) + '\n');
        try {
            await openStore(filePath);
            expect.fail('a corrupt journal must stop the start');
        } catch (err) {
            expect((err as { code: string }).code).to.equal('CORRUPT_JOURNAL');
        }
    });

    it('waits to compact until the journal is also compaction_ratio of the snapshot', async () => {
        const seed = await openStore(filePath);
        for (let index = 0; index < 200; index++) await seed.create(null, makeSession('s' + index, 'u1', index / 60));
        await seed.close(null);
        const snapshotBytes = (await fs.stat(filePath)).size;

        const store = await openStore(filePath, { compaction_threshold: 1024, compaction_ratio: 0.5 });
        let step = 0;
        const journalBytes = async () => (await fs.stat(store.journalPath)).size;
        while (step < 5000 && await journalBytes() < snapshotBytes * 0.45) {
            await store.updatePartially(null, 's' + (step++ % 200), AnyValueMap.fromTuples('data', { step }));
            await store.waitForCompaction();
        }
        expect(await journalBytes(), 'past the threshold, short of half the snapshot: no fold yet')
            .to.be.above(snapshotBytes * 0.45);
        for (let more = 0; more < 100 && await journalBytes() > 0; more++) {
            await store.updatePartially(null, 's' + (step++ % 200), AnyValueMap.fromTuples('data', { step }));
            await store.waitForCompaction();
        }
        expect(await journalBytes(), 'folded once the journal passed half the snapshot').to.be.below(snapshotBytes * 0.5);
        expect(step, 'writes until the fold').to.be.above(10);
        const reopened = await openStoreAfter(store, filePath);
        expect((await reopened.getOneById(null, 's' + ((step - 1) % 200)))!.data).to.deep.equal({ step });
        await reopened.close(null);
    });

    it('compacts while writes continue and loses none of them', async () => {
        const store = await openStore(filePath, { compaction_threshold: 4096 });
        const writes: Promise<unknown>[] = [];
        for (let index = 0; index < 300; index++) {
            writes.push(store.create(null, makeSession('c' + index, 'u' + (index % 5), index / 60)));
            if (index % 50 === 49) {
                writes.push(store.compact(null));
                await new Promise(resolve => setImmediate(resolve));
            }
        }
        await Promise.all(writes);
        await store.waitForCompaction();
        const snapshot = JSON.parse(await fs.readFile(filePath, 'utf8')) as unknown[];
        expect(snapshot.length, 'compactions happened and wrote snapshots').to.be.greaterThan(0);
        await store.compact(null);
        expect(await journalRecords(store.journalPath), 'a compaction leaves only its mark in the journal')
            .to.deep.equal([{ s: { sessions: 300 } }]);
        expect((JSON.parse(await fs.readFile(filePath, 'utf8')) as unknown[]).length).to.equal(300);
        await crash(store);

        const reopened = await openStore(filePath);
        const page = await reopened.getPageByFilter(null, null, new PagingParams(0, 1, true));
        expect(page.total).to.equal(300);
        await reopened.close(null);
    });

    it('takes every write made while a compaction switches files', async () => {
        const store = await openStore(filePath);
        for (let index = 0; index < 2000; index++) await store.create(null, makeSession('base' + index, 'u', index / 60));
        let compacting = true;
        const compaction = store.compact(null).finally(() => { compacting = false; });
        const writes: Array<Promise<unknown>> = [];
        let count = 0;
        while (compacting || count < 50) {
            writes.push(store.create(null, makeSession('during' + count, 'u', 100 + count)));
            count++;
            await new Promise(resolve => setImmediate(resolve));
        }
        await compaction;
        const outcomes = await Promise.allSettled(writes);
        expect(outcomes.filter(outcome => outcome.status === 'rejected').map(outcome => String((outcome as PromiseRejectedResult).reason)))
            .to.deep.equal([]);
        await crash(store);

        const reopened = await openStore(filePath);
        const page = await reopened.getPageByFilter(null, null, new PagingParams(0, 1, true));
        expect(page.total).to.equal(2000 + count);
        await reopened.close(null);
    });

    it('recovers from a crash in the middle of a compaction', async () => {
        const store = await openStore(filePath);
        await store.create(null, makeSession('before', 'u', 0));
        await store.create(null, makeSession('gone', 'u', 1));
        await store.compact(null);
        await store.create(null, makeSession('moved', 'u', 2));
        await store.deleteById(null, 'gone');
        await crash(store);

        // As if the process died after moving the journal aside, before the new snapshot.
        await fs.rename(store.journalPath, store.journalPath + '.old');
        await fs.writeFile(store.journalPath, JSON.stringify({ u: makeSession('late', 'u', 3) }) + '\n');

        const reopened = await openStore(filePath);
        expect(await allIds(reopened)).to.deep.equal(['before', 'late', 'moved']);
        await fs.access(store.journalPath + '.old').then(() => expect.fail('the old journal is folded in at start'), () => undefined);
        await crash(reopened);
        const again = await openStore(filePath);
        expect(await allIds(again)).to.deep.equal(['before', 'late', 'moved']);
        await again.close(null);
    });

    it('reads a journal without the torn tail and reports the sizes', async () => {
        const journalPath = path.join(dir, 'raw.journal');
        const record = JSON.stringify({ d: 'x' }) + '\n';
        await fs.writeFile(journalPath, record + record + '{"d": "y');
        const contents = await SessionsJournal.read(journalPath);
        expect(contents.changes).to.deep.equal([{ kind: 'delete', id: 'x' }, { kind: 'delete', id: 'x' }]);
        expect(contents.validBytes).to.equal(Buffer.byteLength(record) * 2);
        expect(contents.tornBytes).to.equal(Buffer.byteLength('{"d": "y'));
    });
});
