import { promises as fs } from 'fs';
import * as path from 'path';

import { FileException } from 'pip-services3-commons-nodex';

import { SessionV1Json } from '../data/version1/SessionV1Json';
import { SessionChange } from './SessionChange';
import { SessionsSnapshotFile } from './SessionsSnapshotFile';

interface PendingAppend {
    readonly text: string;
    readonly resolve: () => void;
    readonly reject: (err: unknown) => void;
}

/** What a journal file held: its changes in order, and how many bytes of it were whole. */
export interface JournalContents {
    readonly changes: SessionChange[];
    readonly validBytes: number;
    readonly tornBytes: number;
}

/**
 * The append-only journal of the file store: one JSON line per change (a whole session
 * for an upsert, an id for a delete), so replaying it over the snapshot, in order,
 * rebuilds the state, and replaying a record twice does no harm.
 *
 * Group commit: appends made while a write is in flight are written together by the
 * next write and share its fsync; each append resolves only after the fsync that covers
 * it (with options.sync false, after the write reaches the OS, which survives a process
 * crash but not a power cut).
 */
export class SessionsJournal {
    public readonly path: string;
    private readonly _sync: boolean;
    private _handle: fs.FileHandle | null = null;
    private _size = 0;
    private _queue: PendingAppend[] = [];
    private _draining: Promise<void> | null = null;
    // Set while the file is being switched or closed: appends queue up, none is written.
    private _paused = false;
    // Set from close() until the next open(): appends are refused, not queued.
    private _closed = true;
    private _broken: Error | null = null;

    public constructor(filePath: string, sync: boolean) {
        this.path = filePath;
        this._sync = sync;
    }

    /** Bytes in the journal, to decide when to fold it into the snapshot. */
    public get size(): number {
        return this._size;
    }

    /**
     * Reads a journal. A torn last record (a write cut short by a crash) is left out: it
     * was never acknowledged. A bad record followed by good ones is corruption, an error.
     */
    public static async read(filePath: string): Promise<JournalContents> {
        const changes: SessionChange[] = [];
        const { validBytes, totalBytes } = await SessionsJournal.eachRecord(filePath, change => changes.push(change));
        return { changes, validBytes, tornBytes: totalBytes - validBytes };
    }

    /**
     * Each session's last record in a journal, as the JSON text of the session (null when
     * the last record deletes it), in the order the journal first names them; for folding
     * a journal into the snapshot without building every session it holds. Checked as
     * read() checks.
     */
    public static async readLatest(filePath: string): Promise<Map<string, string | null>> {
        const latest = new Map<string, string | null>();
        await SessionsJournal.eachRecord(filePath, (change, line) => {
            // The session's text as it was written: {"u":<session>}.
            if (change.kind === 'upsert') latest.set(change.session.id, line.slice(5, -1));
            else latest.set(change.id, null);
        });
        return latest;
    }

    /**
     * Calls take for each whole record of a journal, in order, with the line it was read
     * from. A missing file has none; a torn last record is left out; a bad record followed
     * by good ones is corruption, an error.
     */
    private static async eachRecord(filePath: string, take: (change: SessionChange, line: string) => void):
        Promise<{ validBytes: number; totalBytes: number }> {
        let bytes: Buffer;
        try {
            bytes = await fs.readFile(filePath);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { validBytes: 0, totalBytes: 0 };
            throw new FileException(undefined, 'READ_FAILED', 'Cannot read the journal ' + filePath).wrap(err);
        }
        let offset = 0;
        let validBytes = 0;
        let badLine: number | null = null;
        let lineNumber = 0;
        while (offset < bytes.length) {
            const end = bytes.indexOf(0x0a, offset);
            if (end < 0) break; // a record without its newline was cut short
            lineNumber++;
            const line = bytes.toString('utf8', offset, end);
            const change = SessionsJournal.parse(line);
            if (change != null) {
                if (badLine != null) {
                    throw new FileException(undefined, 'CORRUPT_JOURNAL',
                        'The journal ' + filePath + ' has an unreadable record at line ' + badLine + ' followed by good ones');
                }
                take(change, line);
                validBytes = end + 1;
            } else if (end > offset && badLine == null) {
                badLine = lineNumber;
            }
            offset = end + 1;
        }
        return { validBytes, totalBytes: bytes.length };
    }

    /** Opens for appending, first cutting off a torn tail so new records start on a clean line. */
    public async open(validBytes: number): Promise<void> {
        await fs.mkdir(path.dirname(this.path), { recursive: true });
        this._handle = await fs.open(this.path, 'a+');
        // The new file's directory entry must be durable before records in it count.
        await SessionsSnapshotFile.syncDirectory(path.dirname(this.path));
        const { size } = await this._handle.stat();
        if (size > validBytes) {
            await this._handle.truncate(validBytes);
            await this._handle.sync();
        }
        this._size = validBytes;
        this._broken = null;
        this._closed = false;
    }

    /** Why appends would be refused now, or null while the journal takes writes. */
    public get failure(): Error | null {
        if (this._broken != null) return this._broken;
        return this._closed ? new FileException(undefined, 'JOURNAL_CLOSED', 'The sessions journal is not open') : null;
    }

    public append(changes: readonly SessionChange[]): Promise<void> {
        if (this._broken != null) return Promise.reject(this._broken);
        if (this._closed) {
            return Promise.reject(new FileException(undefined, 'JOURNAL_CLOSED', 'The sessions journal is not open'));
        }
        const text = changes.map(SessionsJournal.format).join('');
        return new Promise<void>((resolve, reject) => {
            this._queue.push({ text, resolve, reject });
            this.startDraining();
        });
    }

    /**
     * Moves the current journal to target and starts an empty one, between two group
     * writes, so every record lands in exactly one of the two files.
     */
    public async rotate(target: string): Promise<void> {
        this._paused = true;
        try {
            await this.settle();
            const handle = this.requireHandle();
            this._handle = null;
            await handle.close();
            await fs.rename(this.path, target);
            await this.open(0);
        } catch (err) {
            // Keep taking writes in whichever file is now at the journal's path; if even
            // that fails, refuse writes rather than queue them forever.
            if (this._handle == null) {
                await this.open(await SessionsJournal.sizeOf(this.path)).catch((reopenError: unknown) => {
                    this._broken = new FileException(undefined, 'JOURNAL_BROKEN',
                        'The sessions journal cannot be reopened').wrap(reopenError);
                    for (const item of this._queue.splice(0)) item.reject(this._broken);
                });
            }
            throw err;
        } finally {
            this._paused = false;
            this.startDraining();
        }
    }

    /** Writes what is queued, then closes; later appends are refused. */
    public async close(): Promise<void> {
        while (this._handle != null && (this._queue.length > 0 || this._draining != null)) {
            this.startDraining();
            await this.settle();
        }
        // Checked and cleared in one step, so no append can slip in between.
        const handle = this._handle;
        this._handle = null;
        this._closed = true;
        for (const item of this._queue.splice(0)) {
            item.reject(new FileException(undefined, 'JOURNAL_CLOSED', 'The sessions journal is closed'));
        }
        await handle?.close();
    }

    private static async sizeOf(filePath: string): Promise<number> {
        return await fs.stat(filePath).then(stat => stat.size, () => 0);
    }

    private startDraining(): void {
        if (this._draining == null && !this._paused && this._queue.length > 0) this._draining = this.drain();
    }

    private async settle(): Promise<void> {
        while (this._draining != null) await this._draining;
    }

    private async drain(): Promise<void> {
        try {
            while (this._queue.length > 0 && this._handle != null && !this._paused) {
                const batch = this._queue;
                this._queue = [];
                try {
                    await this.writeBatch(batch.map(item => item.text).join(''));
                    for (const item of batch) item.resolve();
                } catch (err) {
                    for (const item of batch) item.reject(err);
                }
            }
        } finally {
            this._draining = null;
        }
    }

    private async writeBatch(text: string): Promise<void> {
        const handle = this.requireHandle();
        const bytes = Buffer.from(text, 'utf8');
        try {
            let written = 0;
            while (written < bytes.length) {
                const result = await handle.write(bytes, written, bytes.length - written);
                written += result.bytesWritten;
            }
            if (this._sync) await handle.datasync();
            this._size += bytes.length;
        } catch (err) {
            // Cut off whatever part of the batch reached the file, so the next record
            // does not follow half a line; if even that fails, stop taking writes.
            try {
                await handle.truncate(this._size);
            } catch (truncateError) {
                this._broken = new FileException(undefined, 'JOURNAL_BROKEN',
                    'The sessions journal cannot be written').wrap(truncateError);
            }
            throw new FileException(undefined, 'WRITE_FAILED', 'Writing the sessions journal failed').wrap(err);
        }
    }

    private requireHandle(): fs.FileHandle {
        if (this._handle == null) throw new FileException(undefined, 'JOURNAL_CLOSED', 'The sessions journal is not open');
        return this._handle;
    }

    private static format(change: SessionChange): string {
        return (change.kind === 'upsert'
            ? JSON.stringify({ u: change.session })
            : JSON.stringify({ d: change.id })) + '\n';
    }

    private static parse(line: string): SessionChange | null {
        try {
            const record = JSON.parse(line) as { u?: unknown; d?: unknown };
            if (typeof record.d === 'string') return { kind: 'delete', id: record.d };
            if (record.u != null) return { kind: 'upsert', session: SessionV1Json.toSession(record.u) };
            return null;
        } catch {
            return null;
        }
    }
}
