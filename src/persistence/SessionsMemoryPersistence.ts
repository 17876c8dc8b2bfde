import {
    AnyValueMap, ConfigParams, ConflictException, DataPage, FilterParams, ICleanable, IConfigurable,
    IOpenable, IReferenceable, IReferences, PagingParams
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { ISessionsPersistence } from './ISessionsPersistence';
import { SessionChange } from './SessionChange';
import { SessionsFilter } from './SessionsFilter';

/**
 * Sessions kept in process memory, indexed by id and by user_id, so a lookup or a
 * per-user listing never walks all sessions (the toolkit's memory store scans an array).
 *
 * Durable stores extend this class and override persistChanges(): every write calls it
 * after changing memory and resolves only once it resolves.
 *
 * Configuration: options.max_page_size (default 100).
 */
export class SessionsMemoryPersistence
    implements ISessionsPersistence, IConfigurable, IReferenceable, IOpenable, ICleanable {

    protected readonly _logger = new CompositeLogger();
    protected _maxPageSize = 100;
    private readonly _items = new Map<string, SessionV1>();
    private readonly _idsByUser = new Map<string, Set<string>>();
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

    public async clear(correlationId: string | null): Promise<void> {
        const removed: SessionChange[] = [...this._items.keys()].map(id => ({ kind: 'delete', id }));
        this.replaceAll([]);
        await this.persistChanges(correlationId, removed);
    }

    /** How many sessions are held; cheap, for diagnostics and tests. */
    public get size(): number {
        return this._items.size;
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null): Promise<DataPage<SessionV1>> {
        const criteria = SessionsFilter.fromParams(filter);
        paging = paging ?? new PagingParams();
        const skip = paging.getSkip(0);
        const take = paging.getTake(this._maxPageSize);

        const matched: SessionV1[] = [];
        for (const item of this.candidates(criteria)) {
            if (criteria.matches(item)) matched.push(item);
        }
        matched.sort(SessionsMemoryPersistence.newestFirst);

        const data = matched.slice(skip, skip + take).map(SessionsMemoryPersistence.withoutContent);
        const total = paging.total ? matched.length : null;
        return new DataPage<SessionV1>(data, total as number);
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
        await this.persistChanges(correlationId, [{ kind: 'upsert', session: stored }]);
        return { ...stored };
    }

    public async update(correlationId: string | null, item: SessionV1): Promise<SessionV1 | null> {
        const existing = this._items.get(item.id);
        if (existing == null) return null;
        const stored = { ...item };
        this.remove(existing);
        this.put(stored);
        await this.persistChanges(correlationId, [{ kind: 'upsert', session: stored }]);
        return { ...stored };
    }

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap): Promise<SessionV1 | null> {
        const existing = this._items.get(id);
        if (existing == null) return null;
        const stored = { ...existing, ...data.getAsObject() } as SessionV1;
        stored.id = id;
        this.remove(existing);
        this.put(stored);
        await this.persistChanges(correlationId, [{ kind: 'upsert', session: stored }]);
        return { ...stored };
    }

    public async deleteById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        const existing = this._items.get(id);
        if (existing == null) return null;
        this.remove(existing);
        await this.persistChanges(correlationId, [{ kind: 'delete', id }]);
        return { ...existing };
    }

    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date): Promise<number> {
        const limit = requestTime.getTime();
        const changes: SessionChange[] = [];
        for (const existing of [...this._items.values()]) {
            if (!existing.active || existing.request_time.getTime() >= limit) continue;
            const closed: SessionV1 = {
                ...existing, active: false, close_time: closeTime, request_time: closeTime, user: null, data: null
            };
            this.remove(existing);
            this.put(closed);
            changes.push({ kind: 'upsert', session: closed });
        }
        if (changes.length > 0) await this.persistChanges(correlationId, changes);
        return changes.length;
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

    private replaceAll(items: SessionV1[]): void {
        this._items.clear();
        this._idsByUser.clear();
        for (const item of items) this.put(item);
    }

    private *candidates(criteria: SessionsFilter): Iterable<SessionV1> {
        if (criteria.id != null) {
            const item = this._items.get(criteria.id);
            if (item != null) yield item;
            return;
        }
        if (criteria.userId != null) {
            for (const id of this._idsByUser.get(criteria.userId) ?? []) {
                const item = this._items.get(id);
                if (item != null) yield item;
            }
            return;
        }
        yield* this._items.values();
    }

    private put(item: SessionV1): void {
        this._items.set(item.id, item);
        let ids = this._idsByUser.get(item.user_id);
        if (ids == null) {
            ids = new Set<string>();
            this._idsByUser.set(item.user_id, ids);
        }
        ids.add(item.id);
    }

    private remove(item: SessionV1): void {
        this._items.delete(item.id);
        const ids = this._idsByUser.get(item.user_id);
        if (ids == null) return;
        ids.delete(item.id);
        if (ids.size === 0) this._idsByUser.delete(item.user_id);
    }

    private static newestFirst(a: SessionV1, b: SessionV1): number {
        const diff = b.request_time.getTime() - a.request_time.getTime();
        if (diff !== 0) return diff;
        // A stable tie-break keeps pages from overlapping when times are equal.
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    }

    private static withoutContent(item: SessionV1): SessionV1 {
        const { user, data, ...rest } = item;
        return rest as SessionV1;
    }
}
