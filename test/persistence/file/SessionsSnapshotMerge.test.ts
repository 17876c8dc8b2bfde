import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { SessionChange } from '../../../src/persistence/SessionChange';
import { SessionsJournal } from '../../../src/persistence/file/SessionsJournal';
import { SessionsSnapshotFile } from '../../../src/persistence/file/SessionsSnapshotFile';
import { SessionsSnapshotMerge } from '../../../src/persistence/file/SessionsSnapshotMerge';
import { SessionText } from '../../../src/persistence/file/SessionText';
import { makeSession } from '../SessionsPersistenceFixture';

/** The snapshot as a restart would read it, every session parsed. */
async function loadSnapshot(snapshotPath: string): Promise<SessionV1[]> {
    const entries = await new SessionsSnapshotFile(snapshotPath).load();
    return entries.map(entry => typeof entry === 'string' ? SessionText.parse(entry) : entry);
}

describe('SessionsSnapshotMerge', () => {
    let dir: string;
    let snapshotPath: string;
    let journalPath: string;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-merge-'));
        snapshotPath = path.join(dir, 'sessions.json');
        journalPath = snapshotPath + '.journal.old';
    });

    afterEach(async () => {
        await fs.rm(dir, { recursive: true, force: true });
    });

    async function writeJournal(changes: SessionChange[]): Promise<void> {
        const journal = new SessionsJournal(journalPath, false);
        await journal.open(0);
        await journal.append(changes);
        await journal.close();
    }

    /** What a restart would load: the snapshot with the journal replayed over it. */
    function replayed(snapshot: SessionV1[], changes: SessionChange[]): Map<string, SessionV1> {
        const result = new Map(snapshot.map(session => [session.id, session]));
        for (const change of changes) {
            if (change.kind === 'upsert') result.set(change.session.id, change.session);
            else result.delete(change.id);
        }
        return result;
    }

    it('in a worker thread, writes exactly what a restart would load from snapshot and journal', async () => {
        const snapshot = Array.from({ length: 500 }, (_, index) => makeSession('s' + index, 'u' + (index % 7), index));
        // Ids a plain prefix match would misread.
        snapshot.push(makeSession('with "quotes" and \\ backslash', 'u1', 600));
        snapshot.push(makeSession('ünïcødé ✓', 'u2', 601));
        await new SessionsSnapshotFile(snapshotPath).write(snapshot);

        const changes: SessionChange[] = [];
        for (let index = 0; index < 500; index += 3) {
            changes.push({ kind: 'upsert', session: { ...snapshot[index], data: { changed: index } } });
        }
        for (let index = 1; index < 500; index += 10) changes.push({ kind: 'delete', id: 's' + index });
        changes.push({ kind: 'upsert', session: { ...snapshot[500], active: false, close_time: new Date(T(700)) } });
        changes.push({ kind: 'delete', id: 'ünïcødé ✓' });
        for (let index = 0; index < 50; index++) changes.push({ kind: 'upsert', session: makeSession('new' + index, 'u9', 800 + index) });
        changes.push({ kind: 'delete', id: 'new3' });
        changes.push({ kind: 'upsert', session: makeSession('new3', 'u9', 900) });
        changes.push({ kind: 'delete', id: 'new4' });
        await writeJournal(changes);

        const written = await SessionsSnapshotMerge.inWorker(snapshotPath, journalPath);

        const expected = replayed(snapshot, changes);
        expect(written, 'the merge says how many sessions it wrote').to.equal(expected.size);
        const loaded = await loadSnapshot(snapshotPath);
        expect(loaded.length).to.equal(expected.size);
        for (const session of loaded) {
            expect(JSON.stringify(session), session.id).to.equal(JSON.stringify(expected.get(session.id)));
        }
        const text = await fs.readFile(snapshotPath, 'utf8');
        expect(text.startsWith('[\n') && text.endsWith('\n]\n'), 'one session per line, as SessionsSnapshotFile writes').to.equal(true);
        expect(JSON.parse(text)).to.have.length(expected.size);
        expect(await fs.readdir(dir)).to.have.members(['sessions.json', 'sessions.json.journal.old']);
    });

    it('starts from an empty snapshot when there is none, and writes an empty array for an empty result', async () => {
        await writeJournal([{ kind: 'upsert', session: makeSession('a', 'u1', 1) }, { kind: 'delete', id: 'a' }]);
        expect(await SessionsSnapshotMerge.merge(snapshotPath, journalPath)).to.equal(0);
        expect(JSON.parse(await fs.readFile(snapshotPath, 'utf8'))).to.deep.equal([]);
        expect(await loadSnapshot(snapshotPath)).to.deep.equal([]);

        await writeJournal([{ kind: 'upsert', session: makeSession('b', 'u1', 1) }]);
        expect(await SessionsSnapshotMerge.merge(snapshotPath, journalPath)).to.equal(1);
        expect((await loadSnapshot(snapshotPath)).map(session => session.id)).to.deep.equal(['b']);
    });

    it('refuses a journal with a bad record before good ones, leaving the snapshot as it was', async () => {
        await new SessionsSnapshotFile(snapshotPath).write([makeSession('a', 'u1', 1)]);
        const before = await fs.readFile(snapshotPath, 'utf8');
        await writeJournal([{ kind: 'upsert', session: makeSession('b', 'u1', 2) }]);
        const good = await fs.readFile(journalPath, 'utf8');
        await fs.writeFile(journalPath, '{"u":{"id":"c", broken\n' + good);
        let error: unknown = null;
        await SessionsSnapshotMerge.inWorker(snapshotPath, journalPath).catch((err: unknown) => { error = err; });
        expect(String((error as Error | null)?.message)).to.match(/unreadable record at line 1/);
        expect(await fs.readFile(snapshotPath, 'utf8')).to.equal(before);

        // A torn last record (no newline) was never acknowledged: it is left out.
        await fs.writeFile(journalPath, good + '{"u":{"id":"torn"');
        expect(await SessionsSnapshotMerge.merge(snapshotPath, journalPath)).to.equal(2);
        expect((await loadSnapshot(snapshotPath)).map(session => session.id)).to.deep.equal(['a', 'b']);
    });

    it('leaves a snapshot in another layout alone and says so (the original writes one line)', async () => {
        for (const text of [JSON.stringify([makeSession('a', 'u1', 1)]), JSON.stringify([makeSession('a', 'u1', 1)], null, 2)]) {
            await fs.writeFile(snapshotPath, text);
            await writeJournal([{ kind: 'upsert', session: makeSession('b', 'u1', 2) }]);
            expect(await SessionsSnapshotMerge.merge(snapshotPath, journalPath)).to.equal(null);
            expect(await fs.readFile(snapshotPath, 'utf8')).to.equal(text);
            expect(await fs.readdir(dir)).to.have.members(['sessions.json', 'sessions.json.journal.old']);
        }
    });
});

function T(hours: number): number {
    return makeSession('t', 'u', hours).open_time.getTime();
}
