import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsFilePersistence } from '../../../src/persistence/file/SessionsFilePersistence';
import { PowerCut, PowerCutFileLayer } from './PowerCutFileLayer';
import { makeSession } from '../SessionsPersistenceFixture';

/** Per session: the index, in its history, of the last write the store acknowledged. */
type Acknowledged = Map<string, number>;

/** Each session's states in the order they were written: data.v, or null once deleted. */
const histories = new Map<string, (number | null)[]>();
let acknowledged: Acknowledged = new Map();

/** Runs one write and records it: its state is written, then (once it resolves) acknowledged. */
async function write(id: string, state: number | null, operation: () => Promise<unknown>): Promise<void> {
    const history = histories.get(id) ?? [];
    histories.set(id, history);
    const index = history.push(state) - 1;
    await operation();
    acknowledged.set(id, index);
}

function sessionAt(id: string, user: string, version: number) {
    const session = makeSession(id, user, 0);
    session.data = { v: version };
    return session;
}

/**
 * One client's writes, one after another (so at most one of its writes is unacknowledged):
 * sessions created, updated, now and then deleted; lanes run side by side, so writes share
 * group commits and meet compactions.
 */
async function lane(store: SessionsFilePersistence, name: string, steps: number): Promise<void> {
    let current: string | null = null;
    let version = 0;
    let created = 0;
    for (let step = 0; step < steps; step++) {
        if (current == null) {
            const id: string = name + '-' + created++;
            current = id;
            version = 0;
            await write(id, 0, () => store.create(null, sessionAt(id, name, 0)));
        } else if (step % 7 === 6) {
            const id = current;
            current = null;
            await write(id, null, () => store.deleteById(null, id));
        } else {
            const id = current;
            const next = ++version;
            await write(id, next, () => store.updatePartially(null, id, AnyValueMap.fromTuples('data', { v: next })));
        }
    }
}

/** Updates the sessions that were in the original's one-line file before the store started. */
async function seedLane(store: SessionsFilePersistence, steps: number): Promise<void> {
    for (let step = 0; step < steps; step++) {
        const id = 'seed-' + (step % 3);
        const next = (histories.get(id)!.length);
        await write(id, next, () => store.updatePartially(null, id, AnyValueMap.fromTuples('data', { v: next })));
    }
}

/** Sessions written once and left alone, as most are: only the journal or snapshot that took them holds them. */
async function coldLane(store: SessionsFilePersistence, name: string, steps: number): Promise<void> {
    for (let step = 0; step < steps; step++) {
        const id = name + '-' + step;
        await write(id, 0, () => store.create(null, sessionAt(id, name, 0)));
    }
}

function openOver(filePath: string, layer: PowerCutFileLayer<Acknowledged>): Promise<SessionsFilePersistence> {
    // A tiny threshold: the journal is folded into the snapshot every few writes.
    return openStore(new SessionsFilePersistence(filePath, layer), filePath, 2048);
}

async function openStore(store: SessionsFilePersistence, filePath: string, threshold: number): Promise<SessionsFilePersistence> {
    store.configure(ConfigParams.fromTuples('path', filePath, 'options.compaction_threshold', threshold, 'options.compaction_ratio', 0));
    await store.open(null);
    return store;
}

/** Restarts a store from one disk a cut may leave; the first write found missing or wrong, or null. */
async function checkDisk(cut: PowerCut<Acknowledged>, disk: Map<string, Buffer>, root: string): Promise<string | null> {
    const dir = await fs.mkdtemp(path.join(root, 'disk-'));
    try {
        await PowerCutFileLayer.materialize(disk, dir);
        const where = 'cut before ' + cut.before + ' with ' + Array.from(disk.keys()).sort().join(', ');
        // Over a layer of its own, which skips the real fsyncs (fast) and folds in this thread.
        const files = await PowerCutFileLayer.over(dir, () => null);
        let restarted: SessionsFilePersistence;
        try {
            restarted = await openStore(new SessionsFilePersistence(path.join(dir, 'sessions.json'), files),
                path.join(dir, 'sessions.json'), 64 * 1024 * 1024);
        } catch (err) {
            return where + ': the store does not start: ' + (err as Error).message;
        }
        try {
            for (const [id, history] of histories) {
                const index = cut.acknowledged.get(id);
                // The acknowledged state, or the write after it (in flight at the cut: it may have landed).
                const allowed = index == null ? [null, history[0]] : history.slice(index, index + 2);
                const found = await restarted.getOneById(null, id);
                const state = found == null ? null : (found.data as { v: number }).v;
                if (!allowed.includes(state)) {
                    return where + ': ' + id + ' is ' + JSON.stringify(state) + ', acknowledged as ' + JSON.stringify(allowed[0]);
                }
            }
        } finally {
            await restarted.close(null);
        }
        return null;
    } finally {
        await fs.rm(dir, { recursive: true, force: true });
    }
}

describe('SessionsFilePersistence across a power cut', function () {
    this.timeout(300000);
    let root: string;

    beforeEach(async () => {
        root = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-power-cut-'));
        histories.clear();
        acknowledged = new Map();
    });

    afterEach(async () => {
        await fs.rm(root, { recursive: true, force: true });
    });

    it('keeps every acknowledged write on whatever the disk holds after a cut at any sync (journal, snapshot, fold, restart)', async () => {
        const dir = path.join(root, 'store');
        await fs.mkdir(dir);
        const filePath = path.join(dir, 'sessions.json');
        // The original's one-line file: the first fold writes the snapshot from memory, later ones merge the files.
        const seeds = [0, 1, 2].map(index => sessionAt('seed-' + index, 'seed', 0));
        await fs.writeFile(filePath, JSON.stringify(seeds));
        for (const seed of seeds) {
            histories.set(seed.id, [0]);
            acknowledged.set(seed.id, 0);
        }
        const layer = await PowerCutFileLayer.over(dir, () => new Map(acknowledged));

        // A run, a clean stop (which folds the journal), a restart and more writes.
        const first = await openOver(filePath, layer);
        await Promise.all([lane(first, 'a', 60), lane(first, 'b', 60), lane(first, 'c', 60), seedLane(first, 20), coldLane(first, 'cold', 40)]);
        await first.close(null);
        const second = await openOver(filePath, layer);
        await Promise.all([lane(second, 'd', 40), lane(second, 'e', 40), seedLane(second, 10), coldLane(second, 'frozen', 20)]);
        layer.cut('end');
        await second.close(null);
        layer.cut('end, closed');

        const kinds = new Set(layer.cuts.map(cut => cut.before));
        for (const kind of ['datasync sessions.json.journal', 'sync sessions.json.tmp', 'syncDirectory']) {
            expect(kinds.has(kind), 'the run has a cut before ' + kind + ': ' + Array.from(kinds).join(', ')).to.equal(true);
        }
        const checks = layer.cuts.flatMap(cut => cut.disks.map(disk => () => checkDisk(cut, disk, root)));
        const disks = checks.length;
        const failures: string[] = [];
        // A few restarts at a time: their file reads and writes overlap.
        for (let start = 0; start < checks.length; start += 8) {
            for (const failure of await Promise.all(checks.slice(start, start + 8).map(check => check()))) {
                if (failure != null) failures.push(failure);
            }
        }
        expect(failures, failures.length + ' of ' + disks + ' disks at ' + layer.cuts.length + ' cuts lost a write; the first: '
            + failures[0]).to.deep.equal([]);
        expect(disks, 'disks checked').to.be.greaterThan(100);
        console.log('      checked %d disks at %d cuts', disks, layer.cuts.length);
    });
});
