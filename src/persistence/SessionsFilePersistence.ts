import { promises as fs } from 'fs';

import { ConfigException, ConfigParams, FileException } from 'pip-services3-commons-nodex';

import { LoadedSessions } from './LoadedSessions';
import { SessionChange } from './SessionChange';
import { SessionsJournal } from './SessionsJournal';
import { SessionsMemoryPersistence } from './SessionsMemoryPersistence';
import { SessionsSnapshotFile } from './SessionsSnapshotFile';
import { SessionsSnapshotMerge } from './SessionsSnapshotMerge';

/**
 * The memory store plus durability: a snapshot file (a JSON array of sessions, the
 * original's format) and a journal beside it (`<path>.journal`).
 *
 * A write appends one record to the journal and is acknowledged once that is durable,
 * so its cost does not grow with the number of sessions (the original rewrote the whole
 * file on every write). When the journal passes options.compaction_threshold and
 * options.compaction_ratio times the snapshot's size, it is folded into a new snapshot
 * in the background: the journal is moved aside to
 * `<path>.journal.old`, new records go to a fresh journal, the snapshot is rewritten
 * atomically from the old snapshot and that journal (SessionsSnapshotMerge, in a worker
 * thread), and the old journal is deleted; close() does the same, so after a clean
 * stop the snapshot alone holds every session. Start-up loads the snapshot and replays
 * `.journal.old` (left by a crash mid-compaction) and `.journal` over it; replay is
 * idempotent, so every crash point recovers every acknowledged write.
 *
 * Configuration: path (default ./data/sessions.json), options.sync (default true: fsync
 * before acknowledging), options.compaction_threshold (journal bytes, default 64 MB),
 * options.compaction_ratio (default 0.5), options.max_page_size.
 */
export class SessionsFilePersistence extends SessionsMemoryPersistence {
    private _snapshot: SessionsSnapshotFile;
    private _sync = true;
    private _compactionThreshold = 64 * 1024 * 1024;
    private _compactionRatio = 0.5;
    private _snapshotBytes = 0;
    private _journal: SessionsJournal | null = null;
    private _compaction: Promise<void> | null = null;
    private _journalValidBytes = 0;

    public constructor(filePath?: string) {
        super();
        this._snapshot = new SessionsSnapshotFile(filePath ?? './data/sessions.json');
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        const filePath = config.getAsNullableString('path');
        if (filePath != null) {
            if (filePath.trim() === '') throw new ConfigException(undefined, 'NO_PATH', 'The file store needs a path');
            this._snapshot = new SessionsSnapshotFile(filePath);
        }
        this._sync = config.getAsBooleanWithDefault('options.sync', this._sync);
        this._compactionThreshold = config.getAsLongWithDefault('options.compaction_threshold', this._compactionThreshold);
        this._compactionRatio = config.getAsFloatWithDefault('options.compaction_ratio', this._compactionRatio);
        if (!(this._compactionRatio >= 0)) {
            throw new ConfigException(undefined, 'BAD_COMPACTION_RATIO', 'options.compaction_ratio must be a number of at least 0');
        }
    }

    public get journalPath(): string {
        return this._snapshot.path + '.journal';
    }

    /** Not ready once the journal refuses writes (say, after the disk failed under it). */
    public async checkReady(correlationId: string | null): Promise<void> {
        await super.checkReady(correlationId);
        const failure = this._journal?.failure;
        if (failure != null) throw failure;
    }

    /** Folds the journal into the snapshot first, so after a clean stop sessions.json is whole. */
    public async close(correlationId: string | null): Promise<void> {
        await this.waitForCompaction();
        if (this._journal != null && this._journal.size > 0) await this.compact(correlationId);
        await this._journal?.close();
        this._journal = null;
        await super.close(correlationId);
    }

    /** Folds the journal into a new snapshot now; resolves when done. */
    public async compact(correlationId: string | null): Promise<void> {
        if (this._compaction == null) {
            this._compaction = this.runCompaction(correlationId).finally(() => { this._compaction = null; });
        }
        await this._compaction;
    }

    /** Resolves when a compaction in progress, if any, has finished. */
    public async waitForCompaction(): Promise<void> {
        while (this._compaction != null) await this._compaction.catch(() => undefined);
    }

    /** Reads the files and builds the indexes; the time logged covers both. */
    public async open(correlationId: string | null): Promise<void> {
        if (this.isOpen()) return;
        const started = Date.now();
        try {
            await super.open(correlationId);
        } catch (err) {
            // A snapshot line that is not a session: the file is refused, as one that is not JSON is.
            if ((err as { code?: string }).code !== 'CORRUPT_SESSION') throw err;
            throw new FileException(correlationId ?? undefined, 'CORRUPT_FILE',
                'The sessions file ' + this._snapshot.path + ' holds a session that cannot be read').withCause(err as Error);
        }
        this._logger.info(correlationId ?? '', 'Loaded %d sessions from %s in %d ms',
            this.size, this._snapshot.path, Date.now() - started);
    }

    protected async loadAll(correlationId: string | null): Promise<LoadedSessions> {
        const sessions = await this._snapshot.load();
        const oldJournal = await SessionsJournal.read(this.oldJournalPath);
        const journal = await SessionsJournal.read(this.journalPath);
        if (journal.tornBytes > 0 || oldJournal.tornBytes > 0) {
            this._logger.warn(correlationId ?? '', 'Skipped a torn last journal record (%d bytes): it was never acknowledged',
                journal.tornBytes + oldJournal.tornBytes);
        }
        this._journalValidBytes = journal.validBytes;
        return { sessions, changes: [...oldJournal.changes, ...journal.changes] };
    }

    protected async loaded(correlationId: string | null): Promise<void> {
        // A compaction was cut short: finish it before taking writes, so the next one
        // has a free place to move the journal to.
        if (await SessionsFilePersistence.exists(this.oldJournalPath)) {
            await this._snapshot.write(Array.from(this.allSessions()));
            await fs.rm(this.oldJournalPath, { force: true });
        }
        this._journal = new SessionsJournal(this.journalPath, this._sync);
        await this._journal.open(this._journalValidBytes);
        this._snapshotBytes = await this.snapshotBytes();
    }

    protected async persistChanges(correlationId: string | null, changes: SessionChange[]): Promise<void> {
        if (this._journal == null) throw new ConfigException(correlationId ?? undefined, 'NOT_OPEN', 'The file store is not open');
        await this._journal.append(changes);
        // A fold rewrites the whole snapshot: with the journal allowed to grow in step with
        // it, the bytes rewritten per byte written stay bounded at any size (Redis sizes
        // its AOF rewrites the same way). At a million sessions the snapshot is ~280 MB.
        const threshold = Math.max(this._compactionThreshold, this._compactionRatio * this._snapshotBytes);
        if (this._journal.size >= threshold && this._compaction == null) {
            this.compact(correlationId).catch((err: unknown) => {
                this._logger.error(correlationId ?? '', err as Error, 'Compacting the sessions journal failed; will retry');
            });
        }
    }

    private get oldJournalPath(): string {
        return this.journalPath + '.old';
    }

    private async runCompaction(correlationId: string | null): Promise<void> {
        const journal = this._journal;
        if (journal == null) return;
        const started = Date.now();
        await journal.rotate(this.oldJournalPath);
        // From the files in a worker thread, off the request thread; from memory only when
        // the snapshot is in another layout (the original's one-line file, once).
        let how = 'from the files';
        if (!await SessionsSnapshotMerge.inWorker(this._snapshot.path, this.oldJournalPath)) {
            how = 'from memory';
            // Taken right after the rotation: it holds at least everything in the old journal.
            await this._snapshot.write(Array.from(this.allSessions()));
        }
        await fs.rm(this.oldJournalPath, { force: true });
        this._snapshotBytes = await this.snapshotBytes();
        this._logger.debug(correlationId ?? '', 'Compacted the journal into the snapshot %s in %d ms',
            how, Date.now() - started);
    }

    private async snapshotBytes(): Promise<number> {
        return await fs.stat(this._snapshot.path).then(stat => stat.size, () => 0);
    }

    private static async exists(filePath: string): Promise<boolean> {
        return await fs.access(filePath).then(() => true, () => false);
    }
}
