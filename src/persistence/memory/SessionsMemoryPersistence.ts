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
import { SessionsTimeQueue, SessionsTimeQueueMark } from './SessionsTimeQueue';
import { SessionSummary } from '../SessionSummary';
import { SessionText } from '../file/SessionText';
import { StoredSession } from './StoredSession';
import { PendingWrite, UndoStep } from './PendingWrite';

/** Loaded sessions, at the same index in each list, whose user index is still to build. */
type UsersToIndex = { ids: string[]; userIds: string[]; entries: StoredSession[]; next: number };

/** Takes back one step of a change to the store's structures (see atomically). */
type Revert = () => void;

/** The step names beforeStep() is told, one per kind of change to the structures. */
export type SessionsMemoryStep = 'set' | 'delete' | 'index-user' | 'unindex-user' | 'count' | 'queue';

/**
 * Sessions kept in process memory, indexed so that no request walks all sessions:
 * by id, by user_id, and the active ones by last activity and by open time (so the
 * expiry sweeps stop at the first session that is still fresh). The toolkit's memory store scans an array.
 * Every write stores a new object in place of the old one (never changes one in place),
 * which is how the activity queue tells its current entries from stale ones. Sessions a
 * durable store loads may stay the text they were read as (see SessionText) until a
 * write replaces them with an object; a read parses such a text afresh.
 *
 * Durable stores extend this class and override persistChanges(): every write changes
 * memory, then calls it, and is undone if it fails, so a write that is not acknowledged
 * is not left visible either. A layer that fails several writes at once (a later one may
 * carry an earlier one's change) hands them all to rollBack() before rejecting any.
 *
 * Configuration: options.max_page_size (default 100).
 */
export class SessionsMemoryPersistence
    implements ISessionsPersistence, IConfigurable, IReferenceable, IOpenable, ICleanable {

    protected readonly _logger = new CompositeLogger();
    protected _maxPageSize = 100;
    private readonly _items = new Map<string, StoredSession>();
    private readonly _idsByUser = new Map<string, Set<string>>();
    /** Sessions still to add to _idsByUser after a load (see indexUsersLater). */
    private _usersToIndex: UsersToIndex | null = null;
    private readonly _activeByActivity = new SessionsTimeQueue<StoredSession>();
    private _activeCount = 0;
    /** Closed sessions with a close_time, by it, for the retention sweep (current as _activeByActivity's). */
    private readonly _closedByTime = new SessionsTimeQueue<StoredSession>();
    private _closedCount = 0;
    // Queue entries are pushed only while active (closed, for _closedByTime), and an
    // entry never changes: it is current exactly while the map still holds it.
    private readonly _isCurrentActive = (id: string, entry: StoredSession): boolean => this._items.get(id) === entry;
    /**
     * Active sessions by open_time, which no write changes: an id is pushed when its
     * session becomes active (not on every write), and stays current while it is active.
     * An undone write may push an id twice; the absolute sweep skips the repeat.
     */
    private readonly _activeByOpening = new SessionsTimeQueue<string>();
    private readonly _isCurrentOpening = (id: string): boolean => {
        const entry = this._items.get(id);
        return entry != null && this.summaryOf(entry).active;
    };
    /** Filled again by summaryOf() for every session read; see SessionSummary. */
    private readonly _summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
    private _opened = false;
    private _writeSeq = 0;
    /** While a change runs (see atomically): how to take back each step it has taken. */
    private _reverts: Revert[] | null = null;

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
        const usersToIndex = this.replaceAll(loaded.sessions);
        for (const change of loaded.changes) {
            if (change.kind === 'upsert') {
                this.put({ ...change.session });
            } else {
                const existing = this._items.get(change.id);
                if (existing != null) this.remove(existing);
            }
        }
        await this.loaded(correlationId);
        if (usersToIndex != null) this.indexUsersLater(usersToIndex);
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
        const entries = [...this._items.values()];
        const removed: SessionChange[] = [...this._items.keys()].map(id => ({ kind: 'delete', id }));
        this.atomically(() => {
            for (const entry of entries) this.remove(entry);
        });
        try {
            await this.persistChanges(correlationId, removed, null);
        } catch (err) {
            // Back as they were, except where a write since has put a session of that id.
            this.atomically(() => {
                for (const entry of entries) {
                    if (!this._items.has(this.summaryOf(entry).id)) this.put(SessionsMemoryPersistence.copyOf(entry));
                }
            });
            throw err;
        }
    }

    /** How many sessions are held; cheap, for diagnostics and tests. */
    public get size(): number {
        return this._items.size;
    }

    /** False while the user index is still being built after a load; for diagnostics and tests. */
    public get usersIndexed(): boolean {
        return this._usersToIndex == null;
    }

    /** How many sessions are still held as the text they were loaded as; for diagnostics and tests. */
    public get sessionsAsText(): number {
        let count = 0;
        for (const entry of this._items.values()) if (typeof entry === 'string') count++;
        return count;
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null, liveness?: SessionLiveness): Promise<DataPage<SessionV1>> {
        const criteria = SessionsFilter.fromParams(filter);
        paging = paging ?? new PagingParams();
        const skip = paging.getSkip(0);
        const take = paging.getTake(this._maxPageSize);

        const newest = new NewestSessions<StoredSession>(skip + take);
        let total = 0;
        for (const entry of this.candidates(criteria)) {
            const summary = this.summaryOf(entry);
            if (!criteria.matches(summary, liveness)) continue;
            // Filters on fields no index holds read the session itself (parsing a text).
            if (criteria.readsDetails && !criteria.matchesDetails(SessionsMemoryPersistence.sessionOf(entry))) continue;
            total++;
            newest.offer(entry, summary.requestTime, summary.id);
        }
        const data = newest.toArray().slice(skip)
            .map(entry => SessionsMemoryPersistence.withoutContent(SessionsMemoryPersistence.sessionOf(entry)));
        return new DataPage<SessionV1>(data, (paging.total ? total : null) as number);
    }

    public async getOneById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        const entry = this._items.get(id);
        return entry != null ? SessionsMemoryPersistence.copyOf(entry) : null;
    }

    public async create(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        const stored = SessionsMemoryPersistence.withId(item);
        this.checkNew(correlationId, stored.id);
        this.atomically(() => this.put(stored));
        await this.persistOrUndo(correlationId, [{ kind: 'upsert', session: stored }], [[stored, null]]);
        return { ...stored };
    }

    /** The sessions with the given ids that exist, as the toolkit's memory store had it. */
    public async getListByIds(correlationId: string | null, ids: string[]): Promise<SessionV1[]> {
        const result: SessionV1[] = [];
        for (const id of ids ?? []) {
            const entry = this._items.get(id);
            if (entry != null) result.push(SessionsMemoryPersistence.copyOf(entry));
        }
        return result;
    }

    /** Creates or replaces a session as given (a missing id is filled in), as the toolkit's set() did. */
    public async set(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        const stored = SessionsMemoryPersistence.withId(item);
        const existing = this._items.get(stored.id);
        return existing == null ? await this.create(correlationId, stored) : await this.replace(correlationId, existing, stored);
    }

    /** Deletes the sessions with the given ids, in one step, as the toolkit's deleteByIds() did. */
    public async deleteByIds(correlationId: string | null, ids: string[]): Promise<void> {
        const entries = [...new Set(ids ?? [])].map(id => this._items.get(id)).filter(entry => entry != null) as StoredSession[];
        if (entries.length === 0) return;
        await this.deleteEntries(correlationId, entries);
    }

    /** Deletes the given sessions in memory in one step, then durably in one batch. */
    private async deleteEntries(correlationId: string | null, entries: StoredSession[]): Promise<void> {
        const changes: SessionChange[] = [];
        const undo: UndoStep[] = [];
        this.atomically(() => {
            for (const entry of entries) {
                const id = this.summaryOf(entry).id;
                this.remove(entry);
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
        this.indexUsers(Infinity);
        const live: Array<{ entry: StoredSession; time: number; id: string }> = [];
        for (const id of this._idsByUser.get(item.user_id) ?? []) {
            const entry = this._items.get(id);
            if (entry == null) continue;
            const summary = this.summaryOf(entry);
            if (summary.active && liveness.timeouts.isLive(summary.openTime, summary.requestTime, liveness.now)) {
                live.push({ entry, time: summary.requestTime, id });
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
        const closed = this.atomically(() => {
            const result = this.closeInMemory(evicted, new Date(liveness.now), limit.reason, changes, undo);
            this.put(stored);
            return result;
        });
        changes.push({ kind: 'upsert', session: stored });
        undo.push([stored, null]);
        await this.persistOrUndo(correlationId, changes, undo);
        return { created: { ...stored }, evicted: closed.map(session => ({ ...session })) };
    }

    public async update(correlationId: string | null, item: SessionV1): Promise<SessionV1 | null> {
        const existing = this._items.get(item.id);
        if (existing == null) return null;
        return await this.replace(correlationId, existing, { ...item });
    }

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness): Promise<SessionV1 | null> {
        const entry = this._items.get(id);
        if (entry == null) return null;
        const existing = SessionsMemoryPersistence.sessionOf(entry);
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
        const entry = this._items.get(id);
        if (entry == null) return null;
        const deleted = SessionsMemoryPersistence.copyOf(entry);
        this.atomically(() => this.remove(entry));
        await this.persistOrUndo(correlationId, [{ kind: 'delete', id }], [[null, entry]]);
        return deleted;
    }

    /** closeTime and reason may be left out, as the original's closeExpired(correlationId, requestTime) is called: now and idle. */
    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date = new Date(),
        reason: SessionCloseReason = SessionCloseReasonV1.Idle): Promise<SessionV1[]> {
        const expired = this._activeByActivity.due(SessionsMemoryPersistence.timeOf(requestTime, 'requestTime'), this._isCurrentActive);
        return await this.closeAll(correlationId, expired, closeTime, reason);
    }

    public async deleteClosedBefore(correlationId: string | null, closeTime: Date): Promise<number> {
        const due = this._closedByTime.due(closeTime.getTime(), this._isCurrentActive);
        if (due.length === 0) return 0;
        await this.deleteEntries(correlationId, due);
        return due.length;
    }

    public async applyRetention(correlationId: string | null, period: number): Promise<boolean> {
        return false;
    }

    public async closeOpenedBefore(correlationId: string | null, openTime: Date, closeTime: Date,
        reason: SessionCloseReason): Promise<SessionV1[]> {
        const limit = openTime.getTime();
        const entries: StoredSession[] = [];
        const seen = new Set<string>();
        for (const id of this._activeByOpening.due(limit, this._isCurrentOpening)) {
            if (seen.has(id)) continue;
            seen.add(id);
            const entry = this._items.get(id)!;
            // update() may have given the session another open_time since it was queued.
            if (this.summaryOf(entry).openTime < limit) entries.push(entry);
        }
        return await this.closeAll(correlationId, entries, closeTime, reason);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptId: string | null,
        closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]> {
        this.indexUsers(Infinity);
        const active: StoredSession[] = [];
        for (const id of this._idsByUser.get(userId) ?? []) {
            const entry = this._items.get(id);
            if (entry != null && id !== exceptId && this.summaryOf(entry).active) active.push(entry);
        }
        return await this.closeAll(correlationId, active, closeTime, reason);
    }

    private checkNew(correlationId: string | null, id: string): void {
        if (this._items.has(id)) {
            throw new ConflictException(correlationId ?? undefined, 'SESSION_ALREADY_EXISTS', 'A session with this id already exists');
        }
    }

    /** All sessions, in no particular order, some as text; for durability layers that write snapshots. */
    protected allSessions(): IterableIterator<StoredSession> {
        return this._items.values();
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
        const closed = this.atomically(() => this.closeInMemory(entries, closeTime, reason, changes, undo));
        await this.persistOrUndo(correlationId, changes, undo);
        return closed.map(session => ({ ...session }));
    }

    /** closeAll's change in memory, adding what to persist and how to undo it; the closed sessions. */
    private closeInMemory(entries: StoredSession[], closeTime: Date, reason: SessionCloseReason, changes: SessionChange[],
        undo: UndoStep[]): SessionV1[] {
        const result: SessionV1[] = [];
        for (const entry of entries) {
            const closed: SessionV1 = { ...SessionsMemoryPersistence.sessionOf(entry), ...SessionClosing.fields(closeTime, reason) };
            this.remove(entry, true, true);
            this.put(closed, true, true);
            changes.push({ kind: 'upsert', session: closed });
            undo.push([closed, entry]);
            result.push(closed);
        }
        return result;
    }

    private async replace(correlationId: string | null, existing: StoredSession, stored: SessionV1): Promise<SessionV1> {
        const summary = this.summaryOf(existing);
        const sameUser = summary.userId === stored.user_id;
        const wasActive = summary.active;
        this.atomically(() => {
            this.remove(existing, sameUser, true);
            this.put(stored, sameUser, true, !wasActive);
        });
        await this.persistOrUndo(correlationId, [{ kind: 'upsert', session: stored }], [[stored, existing]]);
        return { ...stored };
    }

    /**
     * Persists changes already made in memory; if that fails, takes them back out (unless
     * the durability layer already did, see rollBack) and rethrows.
     */
    private async persistOrUndo(correlationId: string | null, changes: SessionChange[], undo: UndoStep[]): Promise<void> {
        const write: PendingWrite = { seq: ++this._writeSeq, undo, undone: false };
        try {
            await this.persistChanges(correlationId, changes, write);
        } catch (err) {
            if (!write.undone) this.rollBack([write]);
            throw err;
        }
    }

    /**
     * Takes failed writes back out of memory, newest first, so each step finds in place
     * exactly what its write put there and restores what was there before.
     */
    protected rollBack(writes: PendingWrite[]): void {
        const order = writes.filter(write => write != null && !write.undone).sort((a, b) => b.seq - a.seq);
        // What a newer write's undo put back in place of an older write's result.
        const restored = new Map<StoredSession, StoredSession>();
        for (const write of order) {
            write.undone = true;
            this.atomically(() => this.undoWrite(write, restored));
        }
    }

    /** One failed write of rollBack(), its steps newest first. */
    private undoWrite(write: PendingWrite, restored: Map<StoredSession, StoredSession>): void {
        for (let index = write.undo.length - 1; index >= 0; index--) {
            const [written, previous] = write.undo[index];
            const id = written?.id ?? this.summaryOf(previous!).id;
            const current = this._items.get(id) ?? null;
            // Only a write that failed alone can find a later (successful) one in place.
            if (current !== (written != null ? restored.get(written) ?? written : null)) continue;
            if (current != null) this.remove(current);
            if (previous == null) continue;
            // A new object: the activity queue may still hold the one it replaced.
            const copy = SessionsMemoryPersistence.copyOf(previous);
            this.put(copy);
            restored.set(previous, copy);
        }
    }

    /**
     * Loads sessions, objects or text. A text that summarize() cannot read is parsed
     * (and one that does not parse fails the load). A snapshot names each id once (it is
     * written from a map), so loading skips the check for an earlier session with the
     * same id: a lookup per session, a tenth of a second at a million. A file that does
     * repeat an id is loaded again with it, every session as an object, so that no two
     * equal texts are ever put for one id (the queue tells texts apart by content).
     * What is left for indexUsersLater(), if anything.
     */
    private replaceAll(entries: StoredSession[]): UsersToIndex | null {
        this.clearIndexes();
        const ids: string[] = [];
        const userIds: string[] = [];
        for (let index = 0; index < entries.length; index++) {
            const entry = entries[index];
            let summary: SessionSummary;
            if (typeof entry !== 'string') {
                summary = this.summaryOf(entry);
            } else if (SessionText.summarize(entry, this._summary)) {
                summary = this._summary;
            } else {
                const parsed = entries[index] = SessionText.parse(entry);
                summary = this.summaryOf(parsed);
            }
            ids.push(summary.id);
            userIds.push(summary.userId);
            this.insert(entries[index], summary, true, true);
        }
        if (this._items.size === entries.length) {
            return entries.length > 0 ? { ids, userIds, entries, next: 0 } : null;
        }
        this.clearIndexes();
        for (const entry of entries) this.put(SessionsMemoryPersistence.copyOf(entry));
        return null;
    }

    /**
     * Builds the user index after a load, in slices between requests: at a million
     * sessions it is about a second of the load, and only user_id queries need it (they
     * finish it first). A session written since the load is indexed under the user it
     * has now; one deleted is skipped. put() and remove() keep the index right for what
     * they touch meanwhile, and adding an id twice to a user's set is harmless.
     */
    private indexUsersLater(pending: UsersToIndex): void {
        this._usersToIndex = pending;
        const slice = (): void => {
            if (this._usersToIndex !== pending) return;
            if (this.indexUsers(20000)) setImmediate(slice);
        };
        setImmediate(slice);
    }

    /** Indexes up to limit more loaded sessions by user; true if some are left. */
    private indexUsers(limit: number): boolean {
        const pending = this._usersToIndex;
        if (pending == null) return false;
        const end = Math.min(pending.ids.length, pending.next + limit);
        for (let index = pending.next; index < end; index++) {
            const id = pending.ids[index];
            const current = this._items.get(id);
            if (current == null) continue;
            this.addUserId(current === pending.entries[index] ? pending.userIds[index] : this.summaryOf(current).userId, id);
        }
        pending.next = end;
        if (end < pending.ids.length) return true;
        this._usersToIndex = null;
        return false;
    }

    private indexUser(userId: string, id: string): void {
        this.step('index-user');
        if (this._idsByUser.get(userId)?.has(id) === true) return;
        this._reverts?.push(() => {
            const ids = this._idsByUser.get(userId);
            ids?.delete(id);
            if (ids?.size === 0) this._idsByUser.delete(userId);
        });
        this.addUserId(userId, id);
    }

    /** indexUser() without a step: for building the index after a load and for reverts. */
    private addUserId(userId: string, id: string): void {
        let ids = this._idsByUser.get(userId);
        if (ids == null) {
            ids = new Set<string>();
            this._idsByUser.set(userId, ids);
        }
        ids.add(id);
    }

    private clearIndexes(): void {
        this._items.clear();
        this._idsByUser.clear();
        this._usersToIndex = null;
        this._activeByActivity.clear();
        this._activeByOpening.clear();
        this._activeCount = 0;
        this._closedByTime.clear();
        this._closedCount = 0;
    }

    private *candidates(criteria: SessionsFilter): Iterable<StoredSession> {
        if (criteria.id != null) {
            const entry = this._items.get(criteria.id);
            if (entry != null) yield entry;
            return;
        }
        if (criteria.userId != null) {
            this.indexUsers(Infinity);
            for (const id of this._idsByUser.get(criteria.userId) ?? []) {
                const entry = this._items.get(id);
                if (entry != null) yield entry;
            }
            return;
        }
        if (criteria.active === true) {
            yield* this._activeByActivity.current(this._isCurrentActive);
            return;
        }
        yield* this._items.values();
    }

    /**
     * entry must be an object no earlier put() was given (the activity queue tells
     * entries apart by identity), or a text that summarize() reads. userIndexed: its id
     * is already listed under its user_id (it replaces a session of the same user,
     * removed with keepUser), which saves two hash operations on every update, or will
     * be (a load). knownNew: the caller knows no session with this id is held. opened:
     * the session may not have been active before (so it joins the queue by open time).
     */
    private put(entry: StoredSession, userIndexed = false, knownNew = false, opened = true): void {
        this.insert(entry, this.summaryOf(entry), userIndexed, knownNew, opened);
    }

    /** put() with the entry's summary already read. */
    private insert(entry: StoredSession, summary: SessionSummary, userIndexed: boolean, knownNew: boolean,
        opened = true): void {
        const { id, userId, active, requestTime, openTime, closeTime } = summary;
        // A file may name an id twice; the last one wins, as on replay.
        const existing = knownNew ? undefined : this._items.get(id);
        if (existing != null) this.remove(existing);
        this.setItem(id, entry);
        if (!userIndexed) this.indexUser(userId, id);
        if (active) {
            this.addToCounts(1, 0);
            this.step('queue');
            this._activeByActivity.push(id, entry, requestTime, this._activeCount, this._isCurrentActive);
            if (opened) this._activeByOpening.push(id, id, openTime, this._activeCount, this._isCurrentOpening);
        } else if (closeTime >= 0) {
            this.addToCounts(0, 1);
            this.step('queue');
            this._closedByTime.push(id, entry, closeTime, this._closedCount, this._isCurrentActive);
        }
    }

    /**
     * With keepUser, leaves the user index as it is; with keepItem, the map's entry, which
     * a replacement under the same id then overwrites: V8 makes a delete and set of one key
     * in a large Map cost a rehash of it (a write to one session at 100,000 sessions ran at
     * 1/80 of its rate on an empty store).
     */
    private remove(entry: StoredSession, keepUser = false, keepItem = false): void {
        const { id, userId, active, closeTime } = this.summaryOf(entry);
        if (!keepItem) this.deleteItem(id);
        if (active) this.addToCounts(-1, 0);
        else if (closeTime >= 0) this.addToCounts(0, -1);
        if (keepUser) return;
        this.unindexUser(userId, id);
    }

    /**
     * Runs a change to the structures as one step: if anything in it throws, every step
     * it took is taken back, newest first, and the queues are put back where they were,
     * so the store is exactly as it was (the original's memory store, and ours before,
     * could lose sessions removed before a step that failed). Nested calls join the outer one.
     */
    private atomically<T>(change: () => T): T {
        if (this._reverts != null) return change();
        const reverts: Revert[] = [];
        const marks: Array<SessionsTimeQueueMark<StoredSession> | SessionsTimeQueueMark<string>> = [
            this._activeByActivity.mark(), this._activeByOpening.mark(), this._closedByTime.mark()];
        this._reverts = reverts;
        try {
            return change();
        } catch (err) {
            this._reverts = null;
            for (let index = reverts.length - 1; index >= 0; index--) reverts[index]();
            this._activeByActivity.restore(marks[0] as SessionsTimeQueueMark<StoredSession>);
            this._activeByOpening.restore(marks[1] as SessionsTimeQueueMark<string>);
            this._closedByTime.restore(marks[2] as SessionsTimeQueueMark<StoredSession>);
            throw err;
        } finally {
            this._reverts = null;
        }
    }

    /**
     * Called before each step that changes the store's structures, inside atomically();
     * does nothing. A test overrides it to make a given step fail.
     */
    protected beforeStep(step: SessionsMemoryStep): void {
        // The seam for fault injection: nothing to do in service.
    }

    private step(step: SessionsMemoryStep): void {
        this.beforeStep(step);
    }

    private setItem(id: string, entry: StoredSession): void {
        this.step('set');
        // Outside a change (a load) there is nothing to take back: one lookup less per session.
        if (this._reverts != null) {
            const previous = this._items.get(id);
            this._reverts.push(() => {
                if (previous === undefined) this._items.delete(id);
                else this._items.set(id, previous);
            });
        }
        this._items.set(id, entry);
    }

    private deleteItem(id: string): void {
        this.step('delete');
        const previous = this._items.get(id);
        if (previous === undefined) return;
        this._reverts?.push(() => { this._items.set(id, previous); });
        this._items.delete(id);
    }

    private addToCounts(active: number, closed: number): void {
        this.step('count');
        const [activeBefore, closedBefore] = [this._activeCount, this._closedCount];
        this._reverts?.push(() => {
            this._activeCount = activeBefore;
            this._closedCount = closedBefore;
        });
        this._activeCount += active;
        this._closedCount += closed;
    }

    private unindexUser(userId: string, id: string): void {
        this.step('unindex-user');
        const ids = this._idsByUser.get(userId);
        if (ids == null || !ids.has(id)) return;
        this._reverts?.push(() => this.addUserId(userId, id));
        ids.delete(id);
        if (ids.size === 0) this._idsByUser.delete(userId);
    }

    /** The index fields of a stored session, in the one shared summary: read them before the next call. */
    private summaryOf(entry: StoredSession): SessionSummary {
        const summary = this._summary;
        if (typeof entry === 'string') {
            // Every text held was read by summarize() when it was put: it reads again.
            SessionText.summarize(entry, summary);
        } else {
            summary.id = entry.id;
            summary.userId = entry.user_id;
            summary.active = entry.active;
            summary.requestTime = entry.request_time.getTime();
            summary.openTime = entry.open_time.getTime();
            summary.closeTime = entry.close_time != null ? entry.close_time.getTime() : -1;
        }
        return summary;
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

    /** The session itself: the stored object (not to be changed), or a text parsed afresh. */
    private static sessionOf(entry: StoredSession): SessionV1 {
        return typeof entry === 'string' ? SessionText.parse(entry) : entry;
    }

    /** A session the caller may keep and change. */
    private static copyOf(entry: StoredSession): SessionV1 {
        return typeof entry === 'string' ? SessionText.parse(entry) : { ...entry };
    }

    private static withoutContent(item: SessionV1): SessionV1 {
        const { user, data, ...rest } = item;
        return rest as SessionV1;
    }
}
