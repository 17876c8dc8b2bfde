import { promises as fs } from 'fs';

import { ConfigException, ConfigParams, Descriptor, FileException, IReferences } from 'pip-services3-commons-nodex';

import { ISessionsFileLayer } from './ISessionsFileLayer';
import { SessionsSettingReader } from '../../logic/SessionsSettingReader';
import { LoadedSessions } from '../memory/LoadedSessions';
import { LoadedSummaries } from '../memory/LoadedSummaries';
import { PendingWrite } from '../memory/PendingWrite';
import { SessionChange } from '../SessionChange';
import { SessionsFileRecovery } from './SessionsFileRecovery';
import { SessionsJournal } from './SessionsJournal';
import { SessionsMemoryPersistence } from '../memory/SessionsMemoryPersistence';
import { SessionsNodeFileLayer } from './SessionsNodeFileLayer';
import { SessionsSnapshotFile } from './SessionsSnapshotFile';
import { SessionsSnapshotMerge } from './SessionsSnapshotMerge';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** What the store reports to the metrics component (service-sessions:metrics), if there is one. */
interface StoreFailureCounter {
    storeFailed(operation: string, error: unknown): void;
}

/** Waits between retries of a failed compaction: doubling from 1 s up to 5 min. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 5 * 60 * 1000;

/**
 * The memory store plus durability: a snapshot file (a JSON array of sessions, the
 * original's format) and a journal beside it (`<path>.journal`); the design is in the
 * docs/file-store.md.
 *
 * Configuration: path (default ./data/sessions.json), options.sync (default true: fsync
 * before acknowledging), options.compaction_threshold (journal bytes, default 64 MB),
 * options.compaction_ratio (default 0.5), options.recover (default false: load what can
 * be read from damaged files, keeping them aside), options.max_page_size.
 * References: service-sessions:metrics:*:*:1.0 (optional) counts failed compactions.
 *
 * files (tests only): the layer that writes and syncs; by default Node's fs. With a layer
 * given, the fold runs in this thread over it instead of in a worker (the layer lives here).
 */
export class SessionsFilePersistence extends SessionsMemoryPersistence {
    private readonly _files: ISessionsFileLayer | null;
    private _snapshot: SessionsSnapshotFile;
    private _sync = true;
    private _compactionThreshold = 64 * 1024 * 1024;
    private _compactionRatio = 0.5;
    private _recover = false;
    private _snapshotBytes = 0;
    private _journal: SessionsJournal | null = null;
    private _compaction: Promise<void> | null = null;
    private _journalValidBytes = 0;
    /** `.journal.old` holds records not yet folded into a durable snapshot. */
    private _pendingOld = false;
    /** The last compaction's failure, until one succeeds. */
    private _compactionFailure: Error | null = null;
    private _retryDelay = RETRY_MIN_MS;
    private _retryAt = 0;
    /** Set by a recovering load that left damaged records out: the files are written anew. */
    private _rewriteAfterLoad = false;
    private _metrics: StoreFailureCounter | null = null;

    public constructor(filePath?: string, files?: ISessionsFileLayer) {
        super();
        this._files = files ?? null;
        this._snapshot = new SessionsSnapshotFile(filePath ?? './data/sessions.json', this.files);
    }

    private get files(): ISessionsFileLayer {
        return this._files ?? SessionsNodeFileLayer.instance;
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        const filePath = config.getAsNullableString('path');
        if (filePath != null) {
            if (filePath.trim() === '') throw new ConfigException(undefined, SessionsErrorCode.NO_PATH, 'The file store needs a path');
            this._snapshot = new SessionsSnapshotFile(filePath, this.files);
        }
        const settings = new SessionsSettingReader(config);
        this._sync = settings.flag('options.sync', this._sync);
        this._compactionThreshold = settings.bytes('options.compaction_threshold', this._compactionThreshold, 0);
        this._compactionRatio = settings.number('options.compaction_ratio', this._compactionRatio, 0);
        this._recover = settings.flag('options.recover', this._recover);
    }

    public setReferences(references: IReferences): void {
        super.setReferences(references);
        this._metrics = references.getOneOptional<StoreFailureCounter>(new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    /** The snapshot's path as configured. */
    public get snapshotPath(): string {
        return this._snapshot.path;
    }

    public get journalPath(): string {
        return this._snapshot.path + '.journal';
    }

    /**
     * Not ready once the journal refuses writes: broken, or its last write failed (a full
     * disk, say) and a probe write still fails. A probe that succeeds makes it ready again.
     */
    public async checkReady(correlationId: string | null): Promise<void> {
        await super.checkReady(correlationId);
        const journal = this._journal;
        const failure = journal?.failure;
        if (failure != null) throw failure;
        if (journal?.writeFailure != null) {
            await journal.probe().catch((err: unknown) => {
                throw new FileException(correlationId ?? undefined, SessionsErrorCode.STORE_NOT_WRITABLE, 'The session store cannot write to its disk')
                    .wrap(err).withStatus(503);
            });
        }
    }

    /** COMPACTION_FAILED while the journal could not be folded into the snapshot (it is retried); else null. */
    public get degradation(): string | null {
        return this._compactionFailure != null ? SessionsErrorCode.COMPACTION_FAILED : null;
    }

    /** Folds the journal into the snapshot first, so after a clean stop sessions.json is whole. */
    public async close(correlationId: string | null): Promise<void> {
        await this.waitForCompaction();
        if (this._journal != null && (this._journal.size > 0 || this._pendingOld)) {
            // A disk that cannot take the fold now loses nothing: the journal stays and is replayed at start.
            await this.compact(correlationId).catch(() => undefined);
        }
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
            if ((err as { code?: string }).code !== SessionsErrorCode.CORRUPT_SESSION) throw err;
            throw new FileException(correlationId ?? undefined, SessionsErrorCode.CORRUPT_FILE,
                'The sessions file ' + this._snapshot.path + ' holds a session that cannot be read').withCause(err as Error);
        }
        this._logger.info(correlationId ?? '', 'Loaded %d sessions from %s in %d ms',
            this.size, this._snapshot.path, Date.now() - started);
    }

    protected async loadAll(correlationId: string | null): Promise<LoadedSessions> {
        const recovery = this._recover ? new SessionsFileRecovery(this._snapshot.path, this._logger, correlationId) : null;
        const summaries = new LoadedSummaries();
        const sessions = recovery != null ? await recovery.loadSnapshot(this._snapshot) : await this._snapshot.load(summaries);
        const oldJournal = recovery != null ? await recovery.readJournal(this.oldJournalPath) : await SessionsJournal.read(this.oldJournalPath);
        const journal = recovery != null ? await recovery.readJournal(this.journalPath) : await SessionsJournal.read(this.journalPath);
        if (journal.tornBytes > 0 || oldJournal.tornBytes > 0) {
            this._logger.warn(correlationId ?? '', 'Skipped a torn last journal record (%d bytes): it was never acknowledged',
                journal.tornBytes + oldJournal.tornBytes);
        }
        this._pendingOld = await SessionsFilePersistence.exists(this.oldJournalPath);
        // The mark is the snapshot the last fold wrote; mid-fold (an old journal left) it may be either one.
        const mark = journal.snapshot;
        if (mark != null && !this._pendingOld && mark.sessions !== sessions.length) {
            const error = new FileException(correlationId ?? undefined, SessionsErrorCode.CORRUPT_FILE, 'The sessions file ' + this._snapshot.path
                + ' does not match its journal: it was written with ' + mark.sessions + ' sessions and now holds '
                + sessions.length + ' (cut short, emptied or replaced)');
            if (recovery == null) throw error;
            await recovery.damaged(error.message);
        }
        this._rewriteAfterLoad = recovery?.found === true;
        this._journalValidBytes = this._rewriteAfterLoad ? 0 : journal.validBytes;
        return { sessions, changes: [...oldJournal.changes, ...journal.changes], summaries };
    }

    protected async loaded(correlationId: string | null): Promise<void> {
        if (this._rewriteAfterLoad) {
            // What was read is now the whole store: a clean snapshot, and no journal to trip on again.
            await this._snapshot.write(Array.from(this.allSessions()));
            await this.files.remove(this.oldJournalPath);
            this._pendingOld = false;
        }
        const journal = new SessionsJournal(this.journalPath, this._sync, this.files);
        journal.onFailed = (writes: unknown[]) => this.rollBack(writes.filter(write => write != null) as PendingWrite[]);
        await journal.open(this._journalValidBytes);
        this._journal = journal;
        // A disk that cannot take a write (full, say) still lets the store serve reads; it
        // reports not ready, and writes get 503, until the disk takes writes again.
        await journal.probe().catch((err: unknown) => {
            this._logger.warn(correlationId ?? '', 'The sessions file store cannot write to its disk (%s): serving reads only until it can',
                (err as NodeJS.ErrnoException).code ?? (err as Error).message);
        });
        this._snapshotBytes = await this._snapshot.size();
        // A fold was cut short: finish it now; if the disk cannot take it (full, say) the
        // store still serves, and the fold is retried.
        if (this._pendingOld) await this.compact(correlationId).catch(() => undefined);
    }

    protected async persistChanges(correlationId: string | null, changes: SessionChange[], write: PendingWrite | null): Promise<void> {
        if (this._journal == null) throw new ConfigException(correlationId ?? undefined, SessionsErrorCode.NOT_OPEN, 'The file store is not open');
        await this._journal.append(changes, write);
        if (this._compaction == null && this.compactionDue()) {
            this.compact(correlationId).catch(() => undefined);
        }
    }

    private compactionDue(): boolean {
        if (this._compactionFailure != null || this._pendingOld) return Date.now() >= this._retryAt;
        // A fold rewrites the whole snapshot: with the journal allowed to grow in step with
        // it, the bytes rewritten per byte written stay bounded at any size (Redis sizes
        // its AOF rewrites the same way). At a million sessions the snapshot is ~280 MB.
        const threshold = Math.max(this._compactionThreshold, this._compactionRatio * this._snapshotBytes);
        return this._journal != null && this._journal.size >= threshold;
    }

    private get oldJournalPath(): string {
        return this.journalPath + '.old';
    }

    /**
     * Moves the journal aside (unless an earlier fold left one there: never over it) and
     * folds it into a new snapshot; only then is the old journal deleted. A failure leaves
     * both files as they were, is logged and counted, and is retried later.
     */
    private async runCompaction(correlationId: string | null): Promise<void> {
        const journal = this._journal;
        if (journal == null) return;
        const started = Date.now();
        try {
            if (!this._pendingOld) {
                await journal.rotate(this.oldJournalPath);
                this._pendingOld = true;
            }
            // From the files in a worker thread, off the request thread; from memory only when
            // the snapshot is in another layout (the original's one-line file, once).
            let how = 'from the files';
            let sessions = this._files != null
                ? await SessionsSnapshotMerge.merge(this._snapshot.path, this.oldJournalPath, this._files)
                : await SessionsSnapshotMerge.inWorker(this._snapshot.path, this.oldJournalPath);
            if (sessions == null) {
                how = 'from memory';
                // Taken after the rotation: it holds at least everything in the old journal.
                const all = Array.from(this.allSessions());
                await this._snapshot.write(all);
                sessions = all.length;
            }
            await this.files.remove(this.oldJournalPath);
            this._pendingOld = false;
            this._snapshotBytes = await this._snapshot.size();
            await journal.appendMark({ sessions }).catch(() => undefined);
            if (this._compactionFailure != null) this._logger.info(correlationId ?? '', 'Compacting the sessions journal works again');
            this._compactionFailure = null;
            this._retryDelay = RETRY_MIN_MS;
            this._logger.debug(correlationId ?? '', 'Compacted the journal into the snapshot %s in %d ms',
                how, Date.now() - started);
        } catch (err) {
            this._compactionFailure = err as Error;
            this._retryAt = Date.now() + this._retryDelay;
            // A disk fault is expected here, not a bug: one line, without a stack.
            this._logger.error(correlationId ?? '', null as unknown as Error, 'Compacting the sessions journal failed (%s); nothing is lost, retrying in %d s',
                (err as Error).message, Math.round(this._retryDelay / 1000));
            this._retryDelay = Math.min(this._retryDelay * 2, RETRY_MAX_MS);
            this._metrics?.storeFailed('compaction', err);
            throw err;
        }
    }

    private static async exists(filePath: string): Promise<boolean> {
        return await fs.access(filePath).then(() => true, () => false);
    }
}
