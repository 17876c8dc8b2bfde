import { promises as fs } from 'fs';
import * as path from 'path';
import { crc32 } from 'zlib';

import { ISessionsFileHandle } from '../../../src/persistence/file/ISessionsFileHandle';
import { ISessionsFileLayer } from '../../../src/persistence/file/ISessionsFileLayer';
import { PowerCutFileHandle } from './PowerCutFileHandle';
import { PowerCutInode } from './PowerCutInode';

/** A create, rename or remove in the directory, not yet made durable by a directory fsync. */
interface DirectoryOperation {
    readonly what: string;
    /** The names it touches: a later operation on one of them persists only after it. */
    readonly names: readonly string[];
    apply(entries: Map<string, PowerCutInode>): void;
}

/** What the disk may hold after a power cut at one moment, and what the test had acknowledged by then. */
export interface PowerCut<Acknowledged> {
    /** The sync that was about to take effect (or 'end'), for failure messages. */
    readonly before: string;
    /** The possible contents of the directory: file name to bytes. */
    readonly disks: Map<string, Buffer>[];
    readonly acknowledged: Acknowledged;
}

/** Beyond this many unsynced directory operations, only their prefixes are tried (2^n subsets otherwise). */
const MAX_SUBSET_OPERATIONS = 12;

/**
 * A file layer for the file store that loses, at a power cut, everything not made durable:
 * a file keeps only the bytes its last fsync/fdatasync covered, and the directory only the
 * creates, renames and removes its last fsync covered. Directory operations not yet synced
 * may each persist or not, in any combination that keeps the order of those touching the
 * same name (POSIX promises nothing more; ext4 happens to keep them all in order).
 *
 * Files live in one directory and are written to the real disk too, so the store reads
 * them as usual. Just before each sync takes effect, the layer records a PowerCut: every
 * directory content the disk may hold then, with what the test had acknowledged so far
 * (all acknowledgements made before a sync takes effect may rely only on earlier ones).
 */
export class PowerCutFileLayer<Acknowledged> implements ISessionsFileLayer {
    public readonly cuts: PowerCut<Acknowledged>[] = [];
    private readonly _entries = new Map<string, PowerCutInode>();
    private readonly _durableEntries = new Map<string, PowerCutInode>();
    private _pending: DirectoryOperation[] = [];

    private constructor(public readonly dir: string, private readonly _acknowledged: () => Acknowledged) {
    }

    /** A layer over dir, whose files as they are now count as durable. */
    public static async over<A>(dir: string, acknowledged: () => A): Promise<PowerCutFileLayer<A>> {
        const layer = new PowerCutFileLayer(path.resolve(dir), acknowledged);
        for (const name of await fs.readdir(layer.dir)) {
            const content = await fs.readFile(path.join(layer.dir, name));
            const inode: PowerCutInode = { live: content, durable: content };
            layer._entries.set(name, inode);
            layer._durableEntries.set(name, inode);
        }
        return layer;
    }

    public async open(filePath: string, flags: 'a+' | 'w'): Promise<ISessionsFileHandle> {
        const name = this.nameOf(filePath);
        const real = await fs.open(filePath, flags);
        let inode = this._entries.get(name);
        if (inode == null) {
            const created: PowerCutInode = { live: Buffer.alloc(0), durable: Buffer.alloc(0) };
            inode = created;
            this._entries.set(name, created);
            this._pending.push({ what: 'create ' + name, names: [name], apply: entries => entries.set(name, created) });
        } else if (flags === 'w') {
            inode.live = Buffer.alloc(0);
        }
        return new PowerCutFileHandle(real, inode, flags === 'a+', (synced, content, what) => this.synced(synced, content, what), name);
    }

    public async rename(from: string, to: string): Promise<void> {
        const source = this.nameOf(from);
        const target = this.nameOf(to);
        await fs.rename(from, to);
        const inode = this._entries.get(source);
        if (inode == null) throw new Error('PowerCutFileLayer: renamed a file it does not know: ' + source);
        this._entries.delete(source);
        this._entries.set(target, inode);
        this._pending.push({ what: 'rename ' + source + ' ' + target, names: [source, target], apply: entries => {
            entries.delete(source);
            entries.set(target, inode);
        } });
    }

    public async remove(filePath: string): Promise<void> {
        const name = this.nameOf(filePath);
        await fs.rm(filePath, { force: true });
        if (!this._entries.delete(name)) return;
        this._pending.push({ what: 'remove ' + name, names: [name], apply: entries => { entries.delete(name); } });
    }

    public async syncDirectory(dir: string): Promise<void> {
        if (path.resolve(dir) !== this.dir) throw new Error('PowerCutFileLayer: synced another directory: ' + dir);
        const covered = this._pending.length;
        // As a real fsync would, let other work run meanwhile.
        await new Promise(resolve => setImmediate(resolve));
        this.cut('syncDirectory');
        for (const operation of this._pending.splice(0, covered)) operation.apply(this._durableEntries);
    }

    /** Records a cut now (at the end of a run, say). */
    public cut(before: string): void {
        this.cuts.push({ before, disks: this.possibleDisks(), acknowledged: this._acknowledged() });
    }

    /** Writes one possible disk's files into dir (which must be empty). */
    public static async materialize(disk: Map<string, Buffer>, dir: string): Promise<void> {
        for (const [name, content] of disk) await fs.writeFile(path.join(dir, name), content);
    }

    private synced(inode: PowerCutInode, content: Buffer, what: string): void {
        this.cut(what);
        inode.durable = content;
    }

    /** Each directory content the disk may hold now, without duplicates. */
    private possibleDisks(): Map<string, Buffer>[] {
        const operations = this._pending;
        const subsets: boolean[][] = [];
        if (operations.length <= MAX_SUBSET_OPERATIONS) {
            for (let mask = 0; mask < 1 << operations.length; mask++) {
                const chosen = operations.map((_, index) => (mask & (1 << index)) !== 0);
                // An operation persists only after the earlier ones on the same names.
                const ordered = chosen.every((taken, index) => !taken || operations.slice(0, index).every((earlier, before) =>
                    chosen[before] || !earlier.names.some(name => operations[index].names.includes(name))));
                if (ordered) subsets.push(chosen);
            }
        } else {
            for (let length = 0; length <= operations.length; length++) subsets.push(operations.map((_, index) => index < length));
        }
        const disks = new Map<string, Map<string, Buffer>>();
        for (const chosen of subsets) {
            const entries = new Map(this._durableEntries);
            operations.forEach((operation, index) => { if (chosen[index]) operation.apply(entries); });
            const disk = new Map<string, Buffer>();
            for (const [name, inode] of entries) disk.set(name, inode.durable);
            const key = Array.from(disk).sort(([a], [b]) => a.localeCompare(b))
                .map(([name, content]) => name + ':' + content.length + ':' + crc32(content)).join('|');
            disks.set(key, disk);
        }
        return Array.from(disks.values());
    }

    private nameOf(filePath: string): string {
        const resolved = path.resolve(filePath);
        if (path.dirname(resolved) !== this.dir) throw new Error('PowerCutFileLayer: a file outside ' + this.dir + ': ' + filePath);
        return path.basename(resolved);
    }
}
