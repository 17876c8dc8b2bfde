import {
    AnyValueMap, ConfigParams, ConflictException, DataPage, FilterParams, ICleanable, IConfigurable,
    InvalidStateException, IOpenable, IReferenceable, IReferences, PagingParams
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { ISessionsPersistence } from './ISessionsPersistence';
import { SessionClosedException } from './SessionClosedException';
import { SessionChange } from './SessionChange';
import { NewestSessions } from './NewestSessions';
import { SessionsFilter } from './SessionsFilter';
import { SessionsTimeQueue } from './SessionsTimeQueue';

/**
 * Sessions kept in process memory, indexed so that no request walks all sessions:
 * by id, by user_id, and the active ones by last activity (so the expiry sweep stops
 * at the first session that is still fresh). The toolkit's memory store scans an array.
 * Every write stores a new object in place of the old one (never changes one in place),
 * which is how the activity queue tells its current entries from stale ones.
 *
 * Durable stores extend this class and override persistChanges(): every write changes
 * memory, then calls it, and is undone if it fails, so a write that is not acknowledged
 * is not left visible either.
 *
 * Configuration: options.max_page_size (default 100).
 */
export class SessionsMemoryPersistence
    implements ISessionsPersistence, IConfigurable, IReferenceable, IOpenable, ICleanable {

    protected readonly _logger = new CompositeLogger();
    protected _maxPageSize = 100;
    private readonly _items = new Map<string, SessionV1>();
    private readonly _idsByUser = new Map<string, Set<string>>();
    /** Sessions still to add to _idsByUser after a load (see indexUsersLater). */
    private _usersToIndex: Iterator<SessionV1> | null = null;
    private readonly _activeByActivity = new SessionsTimeQueue(session => session.request_time.getTime());
    private _activeCount = 0;
    private readonly _isCurrentActive = (session: SessionV1): boolean =>
        session.active && this._items.get(session.id) === session;
    private _opened = false;

    public configure(config: ConfigParams): void {
        this._maxPageSize = config.getAsIntegerWithDefault('options.max_page_size', this._maxPageSize);
        if (this._maxPageSize < 1) this._maxPageSize = 1;
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
    }

    public isOpen(): boolean {
        return this._opened;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this._opened) return;
        this.replaceAll(await this.loadAll(correlationId));
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
        const removed: SessionChange[] = [...this._items.keys()].map(id => ({ kind: 'delete', id }));
        this.replaceAll([]);
        await this.persistChanges(correlationId, removed);
    }

    /** How many sessions are held; cheap, for diagnostics and tests. */
    public get size(): number {
        return this._items.size;
    }

    /** False while the user index is still being built after a load; for diagnostics and tests. */
    public get usersIndexed(): boolean {
        return this._usersToIndex == null;
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null): Promise<DataPage<SessionV1>> {
        const criteria = SessionsFilter.fromParams(filter);
        paging = paging ?? new PagingParams();
        const skip = paging.getSkip(0);
        const take = paging.getTake(this._maxPageSize);

        const newest = new NewestSessions(skip + take);
        let total = 0;
        for (const item of this.candidates(criteria)) {
            if (!criteria.matches(item)) continue;
            total++;
            newest.offer(item);
        }
        const data = newest.toArray().slice(skip).map(SessionsMemoryPersistence.withoutContent);
        return new DataPage<SessionV1>(data, (paging.total ? total : null) as number);
    }

    public async getOneById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        const item = this._items.get(id);
        return item != null ? { ...item } : null;
    }

    public async create(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        if (this._items.has(item.id)) {
            throw new ConflictException(correlationId ?? undefined, 'SESSION_ALREADY_EXISTS', 'A session with this id already exists');
        }
        const stored = { ...item };
        this.put(stored);
        await this.persistOrUndo(correlationId, [{ kind: 'upsert', session: stored }], [[stored, null]]);
        return { ...stored };
    }

    public async update(correlationId: string | null, item: SessionV1): Promise<SessionV1 | null> {
        const existing = this._items.get(item.id);
        if (existing == null) return null;
        return await this.replace(correlationId, existing, { ...item });
    }

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        requireActive = false): Promise<SessionV1 | null> {
        const existing = this._items.get(id);
        if (existing == null) return null;
        if (requireActive && !existing.active) throw new SessionClosedException(correlationId);
        const stored = { ...existing, ...data.getAsObject() } as SessionV1;
        stored.id = id;
        return await this.replace(correlationId, existing, stored);
    }

    public async deleteById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        const existing = this._items.get(id);
        if (existing == null) return null;
        this.remove(existing);
        await this.persistOrUndo(correlationId, [{ kind: 'delete', id }], [[null, existing]]);
        return { ...existing };
    }

    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date): Promise<number> {
        const expired = this._activeByActivity.due(requestTime.getTime(), this._isCurrentActive);
        if (expired.length === 0) return 0;

        const changes: SessionChange[] = [];
        const undo: Array<[SessionV1 | null, SessionV1 | null]> = [];
        for (const existing of expired) {
            const closed: SessionV1 = {
                ...existing, active: false, close_time: closeTime, request_time: closeTime, user: null, data: null
            };
            this.remove(existing, true);
            this.put(closed, true);
            changes.push({ kind: 'upsert', session: closed });
            undo.push([closed, existing]);
        }
        await this.persistOrUndo(correlationId, changes, undo);
        return expired.length;
    }

    /** All sessions, in no particular order; for durability layers that write snapshots. */
    protected allSessions(): IterableIterator<SessionV1> {
        return this._items.values();
    }

    /** The sessions to start from when opening; a durable store reads them from disk. */
    protected async loadAll(correlationId: string | null): Promise<SessionV1[]> {
        return [];
    }

    /** Makes the given changes durable; resolves once they are. Memory keeps nothing. */
    protected async persistChanges(correlationId: string | null, changes: SessionChange[]): Promise<void> {
        // Nothing to persist: this store lives and dies with the process.
    }

    private async replace(correlationId: string | null, existing: SessionV1, stored: SessionV1): Promise<SessionV1> {
        const sameUser = existing.user_id === stored.user_id;
        this.remove(existing, sameUser);
        this.put(stored, sameUser);
        await this.persistOrUndo(correlationId, [{ kind: 'upsert', session: stored }], [[stored, existing]]);
        return { ...stored };
    }

    /**
     * Persists changes already made in memory; if that fails, puts back what was there
     * (each pair: [what the change put in, what it replaced]) unless a later write has
     * replaced it meanwhile, and rethrows.
     */
    private async persistOrUndo(correlationId: string | null, changes: SessionChange[],
        undo: Array<[SessionV1 | null, SessionV1 | null]>): Promise<void> {
        try {
            await this.persistChanges(correlationId, changes);
        } catch (err) {
            for (const [written, previous] of undo) {
                const id = (written ?? previous)!.id;
                const current = this._items.get(id) ?? null;
                if (current !== written) continue;
                if (current != null) this.remove(current);
                if (previous != null) this.put({ ...previous });
            }
            throw err;
        }
    }

    private replaceAll(items: SessionV1[]): void {
        this.clearIndexes();
        // A snapshot names each id once (it is written from a map), so loading skips the
        // check for an earlier session with the same id: a lookup per session, a tenth of
        // a second at a million. A file that does repeat an id is loaded again with it.
        for (const item of items) this.put(item, true, true);
        if (this._items.size === items.length) {
            this.indexUsersLater();
            return;
        }
        this.clearIndexes();
        for (const item of items) this.put(item);
    }

    /**
     * Builds the user index after a load, in slices between requests: at a million
     * sessions it is about a second of the load, and only user_id queries need it (they
     * finish it first). Walks the live map, which visits sessions added meanwhile and
     * skips removed ones; put() and remove() keep the index right for what they touch,
     * and adding an id twice to a user's set is harmless.
     */
    private indexUsersLater(): void {
        const pending = this._items.values();
        this._usersToIndex = pending;
        const slice = (): void => {
            if (this._usersToIndex !== pending) return;
            if (this.indexUsers(20000)) setImmediate(slice);
        };
        setImmediate(slice);
    }

    /** Indexes up to limit more sessions by user; true if some are left. */
    private indexUsers(limit: number): boolean {
        const pending = this._usersToIndex;
        if (pending == null) return false;
        for (let count = 0; count < limit; count++) {
            const next = pending.next();
            if (next.done === true) {
                this._usersToIndex = null;
                return false;
            }
            this.indexUser(next.value);
        }
        return true;
    }

    private indexUser(item: SessionV1): void {
        let ids = this._idsByUser.get(item.user_id);
        if (ids == null) {
            ids = new Set<string>();
            this._idsByUser.set(item.user_id, ids);
        }
        ids.add(item.id);
    }

    private clearIndexes(): void {
        this._items.clear();
        this._idsByUser.clear();
        this._usersToIndex = null;
        this._activeByActivity.clear();
        this._activeCount = 0;
    }

    private *candidates(criteria: SessionsFilter): Iterable<SessionV1> {
        if (criteria.id != null) {
            const item = this._items.get(criteria.id);
            if (item != null) yield item;
            return;
        }
        if (criteria.userId != null) {
            this.indexUsers(Infinity);
            for (const id of this._idsByUser.get(criteria.userId) ?? []) {
                const item = this._items.get(id);
                if (item != null) yield item;
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
     * item must be an object no earlier put() was given: the activity queue tells entries
     * apart by identity. userIndexed: its id is already listed under its user_id (it
     * replaces a session of the same user, removed with keepUser), which saves two hash
     * operations on every update, or will be (a load). knownNew: the caller knows no session with this id is held.
     */
    private put(item: SessionV1, userIndexed = false, knownNew = false): void {
        // A file may name an id twice; the last one wins, as on replay.
        const existing = knownNew ? undefined : this._items.get(item.id);
        if (existing != null && existing !== item) this.remove(existing);
        this._items.set(item.id, item);
        if (!userIndexed) this.indexUser(item);
        if (item.active) {
            this._activeCount++;
            this._activeByActivity.push(item, this._activeCount, this._isCurrentActive);
        }
    }

    /** With keepUser, leaves the user index as it is: a replacement with the same user_id follows. */
    private remove(item: SessionV1, keepUser = false): void {
        this._items.delete(item.id);
        if (item.active) this._activeCount--;
        if (keepUser) return;
        const ids = this._idsByUser.get(item.user_id);
        if (ids == null) return;
        ids.delete(item.id);
        if (ids.size === 0) this._idsByUser.delete(item.user_id);
    }

    private static withoutContent(item: SessionV1): SessionV1 {
        const { user, data, ...rest } = item;
        return rest as SessionV1;
    }
}
