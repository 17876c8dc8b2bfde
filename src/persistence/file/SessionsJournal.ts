import { promises as fs } from 'fs';
import * as path from 'path';
import { crc32 } from 'zlib';

import { FileException } from 'pip-services3-commons-nodex';

import { SessionV1Json } from '../../data/version1/SessionV1Json';
import { SessionsJsonText } from '../../logic/SessionsJsonText';
import { ISessionsFileHandle } from './ISessionsFileHandle';
import { ISessionsFileLayer } from './ISessionsFileLayer';
import { SessionChange } from '../SessionChange';
import { SessionsNodeFileLayer } from './SessionsNodeFileLayer';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

interface PendingAppend {
    readonly text: string;
    /** What the writer gave to know this append again when it fails (see onFailed). */
    readonly tag: unknown;
    readonly resolve: () => void;
    readonly reject: (err: unknown) => void;
}

/** What the journal says the snapshot held when the journal was last folded into it. */
export interface SnapshotMark {
    readonly sessions: number;
}

/** What a journal file held: its changes in order, and how many bytes of it were whole. */
export interface JournalContents {
    readonly changes: SessionChange[];
    readonly validBytes: number;
    readonly tornBytes: number;
    /** The last snapshot mark in the journal, or null. */
    readonly snapshot: SnapshotMark | null;
}

/** One record of a journal line. */
type JournalRecord = { readonly change: SessionChange } | { readonly snapshot: SnapshotMark };

/**
 * The file store's append-only journal: one CRC-checked JSON line per change, written in
 * groups that share one fsync (docs/file-store.md#the-journal). A failed group fails every
 * append queued behind it too, and onFailed hears of them all before any promise rejects,
 * so the store takes them out of memory before a later write can carry one to disk.
 */
export class SessionsJournal {
    public readonly path: string;
    private readonly _sync: boolean;
    private readonly _files: ISessionsFileLayer;
    private _handle: ISessionsFileHandle | null = null;
    private _size = 0;
    private _queue: PendingAppend[] = [];
    private _draining: Promise<void> | null = null;
    // Set while the file is being switched or closed: appends queue up, none is written.
    private _paused = false;
    // Set from close() until the next open(): appends are refused, not queued.
    private _closed = true;
    private _broken: Error | null = null;
    /** The last write's failure, until a write or probe() succeeds again. */
    private _writeFailure: Error | null = null;
    /** Told, synchronously, the tags of appends about to be refused. */
    public onFailed: (tags: unknown[]) => void = () => undefined;

    public constructor(filePath: string, sync: boolean, files: ISessionsFileLayer = SessionsNodeFileLayer.instance) {
        this.path = filePath;
        this._sync = sync;
        this._files = files;
    }

    /** Bytes in the journal, to decide when to fold it into the snapshot. */
    public get size(): number {
        return this._size;
    }

    /**
     * Reads a journal. A torn last record (a write cut short by a crash) is left out: it
     * was never acknowledged. A bad record followed by good ones is corruption, an error.
     */
    public static async read(filePath: string, onDamaged?: (lineNumber: number) => void): Promise<JournalContents> {
        const changes: SessionChange[] = [];
        let snapshot: SnapshotMark | null = null;
        const { validBytes, totalBytes } = await SessionsJournal.eachRecord(filePath, record => {
            if ('change' in record) changes.push(record.change);
            else snapshot = record.snapshot;
        }, onDamaged);
        return { changes, validBytes, tornBytes: totalBytes - validBytes, snapshot };
    }

    /**
     * Each session's last record in a journal, as the JSON text of the session (null when
     * the last record deletes it), in the order the journal first names them; for folding
     * a journal into the snapshot without building every session it holds. Checked as
     * read() checks.
     */
    public static async readLatest(filePath: string): Promise<Map<string, string | null>> {
        const latest = new Map<string, string | null>();
        await SessionsJournal.eachRecord(filePath, (record, json) => {
            if (!('change' in record)) return;
            const change = record.change;
            // The session's text as it was written: {"u":<session>}.
            if (change.kind === 'upsert') latest.set(change.session.id, json.slice(5, -1));
            else latest.set(change.id, null);
        });
        return latest;
    }

    /**
     * Calls take for each record of a journal, in order, with the JSON it was read from. A
     * missing file has none. Only a last line without its newline is a torn write (never
     * acknowledged) and left out; any whole line that does not read, or fails its
     * checksum, is corruption, an error: its newline shows the write that made it was
     * complete. Lines written before checksums (older versions) are read as they are, but
     * not once a checksummed line has been seen. With onDamaged, a bad line is reported
     * to it and skipped instead (recovery).
     */
    private static async eachRecord(filePath: string, take: (record: JournalRecord, json: string) => void,
        onDamaged?: (lineNumber: number) => void): Promise<{ validBytes: number; totalBytes: number }> {
        let bytes: Buffer;
        try {
            bytes = await fs.readFile(filePath);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { validBytes: 0, totalBytes: 0 };
            throw new FileException(undefined, SessionsErrorCode.READ_FAILED, 'Cannot read the journal ' + filePath).wrap(err);
        }
        let offset = 0;
        let lineNumber = 0;
        let checksummed = false;
        while (offset < bytes.length) {
            const end = bytes.indexOf(0x0a, offset);
            if (end < 0) break; // a record without its newline was cut short
            lineNumber++;
            const line = bytes.toString('utf8', offset, end);
            const tab = line.lastIndexOf('\t');
            let json = line;
            if (tab >= 0) {
                json = line.slice(0, tab);
                checksummed = true;
                if (line.slice(tab + 1) !== SessionsJournal.checksum(json)) json = '';
            } else if (checksummed) {
                json = '';
            }
            const record = SessionsJournal.parse(json);
            offset = end + 1;
            if (record != null) {
                take(record, json);
            } else if (onDamaged != null) {
                onDamaged(lineNumber);
            } else {
                throw new FileException(undefined, SessionsErrorCode.CORRUPT_JOURNAL,
                    'The journal ' + filePath + ' has an unreadable record at line ' + lineNumber + ' (damaged or altered)');
            }
        }
        return { validBytes: offset, totalBytes: bytes.length };
    }

    /** Opens for appending, first cutting off a torn tail so new records start on a clean line. */
    public async open(validBytes: number): Promise<void> {
        await fs.mkdir(path.dirname(this.path), { recursive: true });
        this._handle = await this._files.open(this.path, 'a+');
        // The new file's directory entry must be durable before records in it count.
        await this._files.syncDirectory(path.dirname(this.path));
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
        return this._closed ? new FileException(undefined, SessionsErrorCode.JOURNAL_CLOSED, 'The sessions journal is not open') : null;
    }

    /** The last write's failure (a full disk, say) until a later write or probe() succeeds. */
    public get writeFailure(): Error | null {
        return this._writeFailure;
    }

    /**
     * Checks that the journal's folder takes a durable write (a small file written,
     * fsynced and removed): forgets the last write failure if so, records it if not.
     */
    public async probe(): Promise<void> {
        const probePath = this.path + '.probe';
        try {
            const handle = await this._files.open(probePath, 'w');
            try {
                await handle.write(Buffer.alloc(4096, 0x20));
                await handle.sync();
            } finally {
                await handle.close();
            }
            this._writeFailure = null;
        } catch (err) {
            this._writeFailure = err as Error;
            throw err;
        } finally {
            await this._files.remove(probePath).catch(() => undefined);
        }
    }

    /** Appends the changes; tag names this append to onFailed if it fails. */
    public append(changes: readonly SessionChange[], tag: unknown = null): Promise<void> {
        return this.appendText(changes.map(SessionsJournal.format).join(''), tag);
    }

    /** Records that the snapshot now holds this many sessions. */
    public appendMark(mark: SnapshotMark): Promise<void> {
        return this.appendText(SessionsJournal.line(JSON.stringify({ s: mark })), null);
    }

    private appendText(text: string, tag: unknown): Promise<void> {
        const refusal = this._broken ?? (this._closed ? new FileException(undefined, SessionsErrorCode.JOURNAL_CLOSED, 'The sessions journal is not open') : null);
        if (refusal != null) {
            this.onFailed([tag]);
            return Promise.reject(refusal);
        }
        return new Promise<void>((resolve, reject) => {
            this._queue.push({ text, tag, resolve, reject });
            this.startDraining();
        });
    }

    /** Refuses these appends: onFailed first, then their promises. */
    private fail(items: PendingAppend[], err: unknown): void {
        if (items.length === 0) return;
        this.onFailed(items.map(item => item.tag));
        for (const item of items) item.reject(err);
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
            await this._files.rename(this.path, target);
            await this.open(0);
        } catch (err) {
            // Keep taking writes in whichever file is now at the journal's path; if even
            // that fails, refuse writes rather than queue them forever.
            if (this._handle == null) {
                await this.open(await SessionsJournal.sizeOf(this.path)).catch((reopenError: unknown) => {
                    this._broken = new FileException(undefined, SessionsErrorCode.JOURNAL_BROKEN,
                        'The sessions journal cannot be reopened').wrap(reopenError).withStatus(503);
                    this.fail(this._queue.splice(0), this._broken);
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
        this.fail(this._queue.splice(0), new FileException(undefined, SessionsErrorCode.JOURNAL_CLOSED, 'The sessions journal is closed'));
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
                    this._writeFailure = null;
                    for (const item of batch) item.resolve();
                } catch (err) {
                    this._writeFailure = err as Error;
                    // What was queued meanwhile may build on the refused batch: refused too.
                    this.fail([...batch, ...this._queue.splice(0)], err);
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
                this._broken = new FileException(undefined, SessionsErrorCode.JOURNAL_BROKEN,
                    'The sessions journal cannot be written').wrap(truncateError).withStatus(503);
            }
            // 503: the store cannot make writes durable now (a full or failing disk); reads still work.
            throw new FileException(undefined, SessionsErrorCode.STORE_NOT_WRITABLE, 'The session store cannot write to its disk')
                .wrap(err).withStatus(503);
        }
    }

    private requireHandle(): ISessionsFileHandle {
        if (this._handle == null) throw new FileException(undefined, SessionsErrorCode.JOURNAL_CLOSED, 'The sessions journal is not open');
        return this._handle;
    }

    private static format(change: SessionChange): string {
        // The session's text as JSON.stringify writes it, with its dates written first (their toJSON is slow).
        return SessionsJournal.line(change.kind === 'upsert'
            ? '{"u":' + SessionsJsonText.stringify(change.session) + '}'
            : JSON.stringify({ d: change.id }));
    }

    /** JSON, a tab, its checksum, a newline: JSON.stringify never writes a raw tab. */
    private static line(json: string): string {
        return json + '\t' + SessionsJournal.checksum(json) + '\n';
    }

    private static checksum(json: string): string {
        return crc32(json).toString(16).padStart(8, '0');
    }

    private static parse(json: string): JournalRecord | null {
        try {
            const record = JSON.parse(json) as { u?: unknown; d?: unknown; s?: { sessions?: unknown } };
            if (typeof record.d === 'string') return { change: { kind: 'delete', id: record.d } };
            if (record.u != null) return { change: { kind: 'upsert', session: SessionV1Json.toSession(record.u) } };
            const mark = record.s;
            if (mark != null && Number.isSafeInteger(mark.sessions)) return { snapshot: { sessions: mark.sessions as number } };
            return null;
        } catch {
            return null;
        }
    }
}
