import {
    AnyValueMap, BadRequestException, ConfigParams, ConflictException, DataPage, FilterParams, ICleanable, IConfigurable,
    InvalidStateException, IOpenable, IReferenceable, IReferences, PagingParams
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionCloseReason, SessionCloseReasonV1 } from '../../data/version1/SessionCloseReasonV1';
import { SessionClosing } from '../../rules/SessionClosing';
import { SessionIdGenerator } from '../../logic/SessionIdGenerator';
import { SessionsSettingReader } from '../../logic/SessionsSettingReader';
import { ISessionsPersistence } from '../ISessionsPersistence';
import { SessionClosedException } from '../../rules/SessionClosedException';
import { SessionLimit } from '../../rules/SessionLimit';
import { SessionLimitReachedException } from '../../rules/SessionLimitReachedException';
import { SessionLiveness } from '../../rules/SessionLiveness';
import { SessionChange } from '../SessionChange';
import { NewestSessions } from './NewestSessions';
import { LoadedSessions } from './LoadedSessions';
import { SessionsFilter } from '../SessionsFilter';
import { SessionsMemoryIndex, SessionsMemoryStep } from './SessionsMemoryIndex';
import { SessionsWriteUndo } from './SessionsWriteUndo';
import { StoredSession, StoredSessions } from './StoredSession';
import { PendingWrite, UndoStep } from './PendingWrite';

export { SessionsMemoryStep } from './SessionsMemoryIndex';

/**
 * Sessions kept in process memory (SessionsMemoryIndex). Every write stores a new object
 * in place of the old one. Durable stores extend this class and override persistChanges():
 * a write changes memory, then persists, and is taken back if that fails (SessionsWriteUndo);
 * a layer that fails several writes at once hands them all to rollBack() before rejecting any.
 *
 * Configuration: options.max_page_size (default 100).
 */
export class SessionsMemoryPersistence
    implements ISessionsPersistence, IConfigurable, IReferenceable, IOpenable, ICleanable {

    protected readonly _logger = new CompositeLogger();
    protected _maxPageSize = 100;
    private readonly _index = new SessionsMemoryIndex(step => this.beforeStep(step));
    private readonly _undo = new SessionsWriteUndo(this._index);
    private _opened = false;

    public configure(config: ConfigParams): void {
        this._maxPageSize = new SessionsSettingReader(config).count('options.max_page_size', this._maxPageSize, 1);
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
    }

    public isOpen(): boolean {
        return this._opened;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this._opened) return;
        const loaded = await this.loadAll(correlationId);
        this._index.load(loaded.sessions, loaded.summaries ?? null);
        for (const change of loaded.changes) {
            if (change.kind === 'upsert') {
                this._index.upsert({ ...change.session });
            } else {
                const existing = this._index.get(change.id);
                if (existing != null) this._index.remove(existing);
            }
        }
        await this.loaded(correlationId);
        this._index.indexUsersInBackground();
        this._opened = true;
    }

    public async close(correlationId: string | null): Promise<void> {
        this._opened = false;
    }

    public async checkReady(correlationId: string | null): Promise<void> {
        if (!this._opened) {
            throw new InvalidStateException(correlationId ?? undefined, 'STORE_NOT_OPEN', 'The session store is not open')
                .withStatus(503);
        }
    }

    public async clear(correlationId: string | null): Promise<void> {
        const entries = [...this._index.values()];
        const removed: SessionChange[] = [...this._index.ids()].map(id => ({ kind: 'delete', id }));
        this._index.atomically(() => {
            for (const entry of entries) this._index.remove(entry);
        });
        try {
            await this.persistChanges(correlationId, removed, null);
        } catch (err) {
            // Back as they were, except where a write since has put a session of that id.
            this._index.atomically(() => {
                for (const entry of entries) {
                    if (!this._index.has(StoredSessions.idOf(entry))) this._index.add(StoredSessions.copy(entry));
                }
            });
            throw err;
        }
    }

    /** How many sessions are held; cheap, for diagnostics and tests. */
    public get size(): number {
        return this._index.size;
    }

    /** False while the user index is still being built after a load; for diagnostics and tests. */
    public get usersIndexed(): boolean {
        return this._index.usersIndexed;
    }

    /** How many sessions are still held as the text they were loaded as; for diagnostics and tests. */
    public get sessionsAsText(): number {
        return this._index.textCount;
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null, liveness?: SessionLiveness): Promise<DataPage<SessionV1>> {
        const criteria = SessionsFilter.fromParams(filter);
        paging = paging ?? new PagingParams();
        const skip = paging.getSkip(0);
        const take = paging.getTake(this._maxPageSize);

        const newest = new NewestSessions<StoredSession>(skip + take);
        // The live sessions, when nothing else filters them and no absolute timeout applies, are
        // counted as the active ones less those idle too long: no walk of them all for the total.
        const countsLive = paging.total && criteria.activeOnly && (liveness == null || liveness.timeouts.absolute === 0);
        const candidates = this._index.candidates(criteria, paging.total && !countsLive && criteria.fromTime == null);
        // Newest first: no candidate after one older than from_time matches, and when the walk
        // counts nothing the page is done at the first candidate older than all it keeps.
        const canStop = candidates.newestFirst && (!paging.total || countsLive);
        const from = candidates.newestFirst && criteria.fromTime != null ? criteria.fromTime.getTime() : -Infinity;
        let total = 0;
        for (const entry of candidates.entries) {
            const summary = StoredSessions.summary(entry);
            if (summary.requestTime < from || (canStop && newest.keepsOnlyNewerThan(summary.requestTime))) break;
            if (!criteria.matches(summary, liveness)) continue;
            // Filters on fields no index holds read the session itself (parsing a text).
            if (criteria.readsDetails && !criteria.matchesDetails(StoredSessions.session(entry))) continue;
            total++;
            newest.offer(entry, summary.requestTime, summary.id);
        }
        const data = newest.toArray().slice(skip)
            .map(entry => SessionsMemoryPersistence.withoutContent(StoredSessions.session(entry)));
        if (countsLive) total = this._index.activeSince(liveness == null ? null : liveness.timeouts.idleBound(liveness.now));
        return new DataPage<SessionV1>(data, (paging.total ? total : null) as number);
    }

    public async getOneById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        const entry = this._index.get(id);
        return entry != null ? StoredSessions.copy(entry) : null;
    }

    public async create(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        const stored = SessionsMemoryPersistence.withId(item);
        this.checkNew(correlationId, stored.id);
        this._index.atomically(() => this._index.add(stored));
        await this.persistOrUndo(correlationId, [{ kind: 'upsert', session: stored }], [[stored, null]]);
        return { ...stored };
    }

    /** The sessions with the given ids that exist, as the toolkit's memory store had it. */
    public async getListByIds(correlationId: string | null, ids: string[]): Promise<SessionV1[]> {
        const result: SessionV1[] = [];
        for (const id of ids ?? []) {
            const entry = this._index.get(id);
            if (entry != null) result.push(StoredSessions.copy(entry));
        }
        return result;
    }

    /** Creates or replaces a session as given (a missing id is filled in), as the toolkit's set() did. */
    public async set(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        const stored = SessionsMemoryPersistence.withId(item);
        const existing = this._index.get(stored.id);
        return existing == null ? await this.create(correlationId, stored) : await this.replace(correlationId, existing, stored);
    }

    /** Deletes the sessions with the given ids, in one step, as the toolkit's deleteByIds() did. */
    public async deleteByIds(correlationId: string | null, ids: string[]): Promise<void> {
        const entries = [...new Set(ids ?? [])].map(id => this._index.get(id)).filter(entry => entry != null) as StoredSession[];
        if (entries.length === 0) return;
        await this.deleteEntries(correlationId, entries);
    }

    /** Deletes the given sessions in memory in one step, then durably in one batch. */
    private async deleteEntries(correlationId: string | null, entries: StoredSession[]): Promise<void> {
        const changes: SessionChange[] = [];
        const undo: UndoStep[] = [];
        this._index.atomically(() => {
            for (const entry of entries) {
                const id = StoredSessions.idOf(entry);
                this._index.remove(entry);
                changes.push({ kind: 'delete', id });
                undo.push([null, entry]);
            }
        });
        await this.persistOrUndo(correlationId, changes, undo);
    }

    /** The count, the choice and the writes are one synchronous step, so concurrent opens for a user queue up. */
    public async createWithinLimit(correlationId: string | null, item: SessionV1, limit: SessionLimit,
        liveness: SessionLiveness): Promise<{ created: SessionV1; evicted: SessionV1[] }> {
        const stored = SessionsMemoryPersistence.withId(item);
        this.checkNew(correlationId, stored.id);
        const live: Array<{ entry: StoredSession; time: number; id: string }> = [];
        for (const entry of this._index.sessionsOf(item.user_id)) {
            const summary = StoredSessions.summary(entry);
            if (summary.active && liveness.timeouts.isLive(summary.openTime, summary.requestTime, liveness.now)) {
                live.push({ entry, time: summary.requestTime, id: summary.id });
            }
        }
        const excess = live.length + 1 - limit.max;
        let evicted: StoredSession[] = [];
        if (excess > 0) {
            if (limit.policy === 'reject') throw new SessionLimitReachedException(correlationId, limit.max);
            // Least recently active first; the id breaks ties as the MongoDB store's sort does.
            live.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
            evicted = live.slice(0, excess).map(item => item.entry);
        }
        const changes: SessionChange[] = [];
        const undo: UndoStep[] = [];
        const closed = this._index.atomically(() => {
            const result = this.closeInMemory(evicted, new Date(liveness.now), limit.reason, changes, undo);
            this._index.add(stored);
            return result;
        });
        changes.push({ kind: 'upsert', session: stored });
        undo.push([stored, null]);
        await this.persistOrUndo(correlationId, changes, undo);
        return { created: { ...stored }, evicted: closed.map(session => ({ ...session })) };
    }

    public async update(correlationId: string | null, item: SessionV1): Promise<SessionV1 | null> {
        const existing = this._index.get(item.id);
        if (existing == null) return null;
        return await this.replace(correlationId, existing, { ...item });
    }

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness): Promise<SessionV1 | null> {
        const entry = this._index.get(id);
        if (entry == null) return null;
        const existing = StoredSessions.session(entry);
        if (condition != null && !(existing.active && condition.timeouts.isLive(
            existing.open_time.getTime(), existing.request_time.getTime(), condition.now))) {
            throw new SessionClosedException(correlationId);
        }
        const fields = data.getAsObject() as Partial<SessionV1>;
        const stored = { ...existing, ...fields } as SessionV1;
        stored.id = id;
        if (condition != null && stored.active && fields.request_time != null) {
            const expiresAt = condition.timeouts.expiresAt(stored.open_time.getTime(), stored.request_time.getTime());
            if (expiresAt != null) stored.expires_at = new Date(expiresAt);
        }
        return await this.replace(correlationId, entry, stored);
    }

    public async deleteById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        const entry = this._index.get(id);
        if (entry == null) return null;
        const deleted = StoredSessions.copy(entry);
        this._index.atomically(() => this._index.remove(entry));
        await this.persistOrUndo(correlationId, [{ kind: 'delete', id }], [[null, entry]]);
        return deleted;
    }

    /** closeTime and reason may be left out, as the original's closeExpired(correlationId, requestTime) is called: now and idle. */
    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date = new Date(),
        reason: SessionCloseReason = SessionCloseReasonV1.Idle): Promise<SessionV1[]> {
        const expired = this._index.activeBefore(SessionsMemoryPersistence.timeOf(requestTime, 'requestTime'));
        return await this.closeAll(correlationId, expired, closeTime, reason);
    }

    public async deleteClosedBefore(correlationId: string | null, closeTime: Date): Promise<number> {
        const due = this._index.closedBefore(closeTime.getTime());
        if (due.length === 0) return 0;
        await this.deleteEntries(correlationId, due);
        return due.length;
    }

    public async applyRetention(correlationId: string | null, period: number): Promise<boolean> {
        return false;
    }

    public async closeOpenedBefore(correlationId: string | null, openTime: Date, closeTime: Date,
        reason: SessionCloseReason): Promise<SessionV1[]> {
        return await this.closeAll(correlationId, this._index.openedBefore(openTime.getTime()), closeTime, reason);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptId: string | null,
        closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]> {
        const active = this._index.sessionsOf(userId)
            .filter(entry => StoredSessions.isActive(entry) && StoredSessions.idOf(entry) !== exceptId);
        return await this.closeAll(correlationId, active, closeTime, reason);
    }

    private checkNew(correlationId: string | null, id: string): void {
        if (this._index.has(id)) {
            throw new ConflictException(correlationId ?? undefined, 'SESSION_ALREADY_EXISTS', 'A session with this id already exists');
        }
    }

    /** All sessions, in no particular order, some as text; for durability layers that write snapshots. */
    protected allSessions(): IterableIterator<StoredSession> {
        return this._index.values();
    }

    /** The sessions to start from when opening; a durable store reads them from disk. */
    protected async loadAll(correlationId: string | null): Promise<LoadedSessions> {
        return { sessions: [], changes: [] };
    }

    /** Called once the loaded sessions are in place, before the store takes requests. */
    protected async loaded(correlationId: string | null): Promise<void> {
        // Nothing to prepare: this store keeps nothing outside memory.
    }

    /** Makes the given changes durable; resolves once they are. Memory keeps nothing. */
    protected async persistChanges(correlationId: string | null, changes: SessionChange[], write: PendingWrite | null): Promise<void> {
        // Nothing to persist: this store lives and dies with the process.
    }

    /**
     * Closes the given active sessions as close_session does (user and data cleared), in
     * memory at once and durably in one batch; returns them closed.
     */
    private async closeAll(correlationId: string | null, entries: StoredSession[], closeTime: Date,
        reason: SessionCloseReason): Promise<SessionV1[]> {
        if (entries.length === 0) return [];
        SessionsMemoryPersistence.timeOf(closeTime, 'closeTime');
        const changes: SessionChange[] = [];
        const undo: UndoStep[] = [];
        const closed = this._index.atomically(() => this.closeInMemory(entries, closeTime, reason, changes, undo));
        await this.persistOrUndo(correlationId, changes, undo);
        return closed.map(session => ({ ...session }));
    }

    /** closeAll's change in memory, adding what to persist and how to undo it; the closed sessions. */
    private closeInMemory(entries: StoredSession[], closeTime: Date, reason: SessionCloseReason, changes: SessionChange[],
        undo: UndoStep[]): SessionV1[] {
        const result: SessionV1[] = [];
        for (const entry of entries) {
            const closed: SessionV1 = { ...StoredSessions.session(entry), ...SessionClosing.fields(closeTime, reason) };
            this._index.replace(entry, closed);
            changes.push({ kind: 'upsert', session: closed });
            undo.push([closed, entry]);
            result.push(closed);
        }
        return result;
    }

    private async replace(correlationId: string | null, existing: StoredSession, stored: SessionV1): Promise<SessionV1> {
        this._index.atomically(() => this._index.replace(existing, stored));
        await this.persistOrUndo(correlationId, [{ kind: 'upsert', session: stored }], [[stored, existing]]);
        return { ...stored };
    }

    /**
     * Persists changes already made in memory; if that fails, takes them back out (unless
     * the durability layer already did, see rollBack) and rethrows.
     */
    private async persistOrUndo(correlationId: string | null, changes: SessionChange[], undo: UndoStep[]): Promise<void> {
        const write = this._undo.begin(undo);
        try {
            await this.persistChanges(correlationId, changes, write);
        } catch (err) {
            if (!write.undone) this.rollBack([write]);
            throw err;
        }
    }

    /** Takes failed writes back out of memory, newest first (see SessionsWriteUndo). */
    protected rollBack(writes: PendingWrite[]): void {
        this._undo.rollBack(writes);
    }

    /**
     * Called before each step that changes the store's structures, inside atomically();
     * does nothing. A test overrides it to make a given step fail.
     */
    protected beforeStep(step: SessionsMemoryStep): void {
        // The seam for fault injection: nothing to do in service.
    }

    /** A copy of a session to store, with a new id if it has none (as the toolkit's stores fill one in). */
    private static withId(item: SessionV1): SessionV1 {
        const stored = { ...item };
        if (stored.id == null || stored.id === '') stored.id = SessionIdGenerator.next();
        return stored;
    }

    /** The time of a Date argument, or 400 INVALID_DATA naming it (a caller's mistake, before anything changes). */
    private static timeOf(value: Date, name: string): number {
        const time = value instanceof Date ? value.getTime() : NaN;
        if (isNaN(time)) {
            throw new BadRequestException(undefined, 'INVALID_DATA', name + ' must be a valid Date').withDetails('field', name);
        }
        return time;
    }

    private static withoutContent(item: SessionV1): SessionV1 {
        const { user, data, ...rest } = item;
        return rest as SessionV1;
    }
}
