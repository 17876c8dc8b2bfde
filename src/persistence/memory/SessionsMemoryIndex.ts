import { SessionsFilter } from '../SessionsFilter';
import { SessionSummary } from '../SessionSummary';
import { LoadedSummaries } from './LoadedSummaries';
import { SessionsById } from './SessionsById';
import { SessionsTimeQueue } from './SessionsTimeQueue';
import { SessionsUserIndex } from './SessionsUserIndex';
import { StoredSession, StoredSessions } from './StoredSession';

/** The step names the step hook is told, one per kind of change to the structures. */
export type SessionsMemoryStep = 'set' | 'delete' | 'index-user' | 'unindex-user' | 'count' | 'queue';

/** Takes back one step of a change to the structures (see atomically). */
type Revert = () => void;

/** The sessions a filter needs to look at (see SessionsMemoryIndex.candidates). */
export interface SessionCandidates {
    readonly entries: Iterable<StoredSession>;
    /** Whether entries come newest first by request_time (those of one time in no set order). */
    readonly newestFirst: boolean;
}

/**
 * The memory store's sessions and indexes, so that a request reads only the sessions it may
 * need: by id, by user_id, all and the active ones by last activity, the active ones by open
 * time, the closed ones by close time (the sweeps stop at the first session still fresh).
 * Entries are never changed in place: the queues tell current entries from stale ones by identity.
 */
export class SessionsMemoryIndex {
    private readonly _items = new SessionsById<StoredSession>();
    /** Every session by request_time: listings read it newest first and stop at the page's end or the filter's from_time. */
    private readonly _byActivity = new SessionsTimeQueue<StoredSession>();
    private readonly _byUser = new SessionsUserIndex(id => this._items.get(id));
    private readonly _activeByActivity = new SessionsTimeQueue<StoredSession>();
    private _activeCount = 0;
    private readonly _closedByTime = new SessionsTimeQueue<StoredSession>();
    private _closedCount = 0;
    // A queue entry is pushed only while its session is active (closed, for _closedByTime) and
    // never changes: it is current exactly while the map still holds it.
    private readonly _isCurrent = (id: string, entry: StoredSession): boolean => this._items.get(id) === entry;
    /** Active sessions by open_time: pushed when a session becomes active; an undone write may push an id twice. */
    private readonly _activeByOpening = new SessionsTimeQueue<string>();
    private readonly _isCurrentOpening = (id: string): boolean => {
        const entry = this._items.get(id);
        return entry != null && StoredSessions.isActive(entry);
    };
    /** While a change runs (see atomically): how to take back each step it has taken. */
    private _reverts: Revert[] | null = null;

    /** beforeStep is told of each step that changes the structures; a test makes one throw. */
    public constructor(private readonly _beforeStep: (step: SessionsMemoryStep) => void) {}

    public get size(): number {
        return this._items.size;
    }

    /** False while the user index is still being built after a load. */
    public get usersIndexed(): boolean {
        return this._byUser.complete;
    }

    /** How many sessions are still the text they were loaded as. */
    public get textCount(): number {
        let count = 0;
        for (const entry of this._items.values()) if (StoredSessions.isText(entry)) count++;
        return count;
    }

    public get(id: string): StoredSession | undefined {
        return this._items.get(id);
    }

    public has(id: string): boolean {
        return this._items.has(id);
    }

    public values(): IterableIterator<StoredSession> {
        return this._items.values();
    }

    public ids(): IterableIterator<string> {
        return this._items.keys();
    }

    /** Adds a session whose id is not held; entry must be an object no earlier call was given. */
    public add(entry: StoredSession): void {
        this.insert(entry, StoredSessions.summary(entry), false, true, true);
    }

    /** Adds a session in place of any held with its id (a replay, an undo). */
    public upsert(entry: StoredSession): void {
        this.insert(entry, StoredSessions.summary(entry), false, false, true);
    }

    /** Puts next in place of existing (the same id). */
    public replace(existing: StoredSession, next: StoredSession): void {
        const before = StoredSessions.summary(existing);
        const after = StoredSessions.summary(next);
        const sameUser = before.userId === after.userId;
        // The map's entry is overwritten in place: a delete and a set would cost two lookups and leave a hole.
        this.detach(before, sameUser, true);
        this.insert(next, after, sameUser, true, !before.active);
    }

    public remove(entry: StoredSession): void {
        this.detach(StoredSessions.summary(entry), false, false);
    }

    /** Every session of a user (finishing the user index first, if a load left it unfinished). */
    public sessionsOf(userId: string): StoredSession[] {
        const result: StoredSession[] = [];
        for (const id of this._byUser.idsOf(userId)) {
            const entry = this._items.get(id);
            if (entry != null) result.push(entry);
        }
        return result;
    }

    /** How many active sessions have a request_time at or after idleBound (with none, how many are active). */
    public activeSince(idleBound: number | null): number {
        return this._activeCount - (idleBound == null ? 0 : this._activeByActivity.countBefore(idleBound, this._isCurrent));
    }

    /** Active sessions with request_time before limit, oldest first. */
    public activeBefore(limit: number): StoredSession[] {
        return this._activeByActivity.due(limit, this._isCurrent);
    }

    /** Closed sessions with close_time before limit. */
    public closedBefore(limit: number): StoredSession[] {
        return this._closedByTime.due(limit, this._isCurrent);
    }

    /** Active sessions with open_time before limit, each once. */
    public openedBefore(limit: number): StoredSession[] {
        const entries: StoredSession[] = [];
        const seen = new Set<string>();
        for (const id of this._activeByOpening.due(limit, this._isCurrentOpening)) {
            if (seen.has(id)) continue;
            seen.add(id);
            const entry = this._items.get(id)!;
            // update() may have given the session another open_time since it was queued.
            if (StoredSessions.summary(entry).openTime < limit) entries.push(entry);
        }
        return entries;
    }

    /**
     * The sessions a filter needs to look at: by id, by user or the active ones when it names
     * them, else all; and whether they come newest first (by request_time), so that a listing
     * can stop once nothing further can match or make its page. walksAll: the listing will read
     * every candidate anyway (it counts them all), so all come in the map's order, a lookup less each.
     */
    public candidates(criteria: SessionsFilter, walksAll: boolean): SessionCandidates {
        if (criteria.id != null) {
            const entry = this._items.get(criteria.id);
            return { entries: entry != null ? [entry] : [], newestFirst: true };
        }
        if (criteria.userId != null) return { entries: this.sessionsOf(criteria.userId), newestFirst: false };
        if (criteria.active === true) return { entries: this._activeByActivity.newestFirst(this._isCurrent), newestFirst: true };
        if (walksAll) return { entries: this._items.values(), newestFirst: false };
        return { entries: this._byActivity.newestFirst(this._isCurrent), newestFirst: true };
    }

    /**
     * Replaces everything with loaded sessions, objects or text. loaded: the index fields
     * the loader read from the texts, by index, used instead of reading each text again.
     * A text nobody could read that way is parsed (one that does not parse fails the load).
     * A snapshot names each id once (it is written from a map), so the check for an earlier
     * session with the same id is skipped; a file that does repeat one is loaded again,
     * every session as an object, so that no two equal texts are ever held for one id (the
     * queue tells entries apart by identity). The user index is left for
     * indexUsersInBackground().
     */
    public load(entries: StoredSession[], loaded: LoadedSummaries | null = null): void {
        this.clear();
        // The loader's summaries, if they are those of exactly these sessions.
        const summaries = loaded != null && loaded.count === entries.length ? loaded : null;
        if (summaries != null && summaries.allRead) {
            if (!this.loadRead(entries, summaries)) this.loadRepeated(entries);
            return;
        }
        this._items.reserve(entries.length);
        const ids: string[] = [];
        const userIds: string[] = [];
        const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
        for (let index = 0; index < entries.length; index++) {
            if (summaries?.read(index, summary) !== true && !StoredSessions.summarizeInto(entries[index], summary)) {
                entries[index] = StoredSessions.session(entries[index]);
                StoredSessions.summarizeInto(entries[index], summary);
            }
            ids.push(summary.id);
            if (summaries == null) userIds.push(summary.userId);
            this.insert(entries[index], summary, true, true, true);
        }
        if (this._items.size !== entries.length) {
            this.loadRepeated(entries);
            return;
        }
        // A text the loader read holds its user_id where the summaries say; a parsed entry is read as it is.
        const userIdOf = summaries != null ? (index: number) => summaries.userIdOf(index, entries[index]) : (index: number) => userIds[index];
        this._byUser.load({ ids, entries, userIdOf });
    }

    /** Builds the user index after a load, in slices between requests (see SessionsUserIndex). */
    public indexUsersInBackground(): void {
        this._byUser.indexInBackground();
    }

    public clear(): void {
        this._items.clear();
        this._byActivity.clear();
        this._byUser.clear();
        this._activeByActivity.clear();
        this._activeByOpening.clear();
        this._activeCount = 0;
        this._closedByTime.clear();
        this._closedCount = 0;
    }

    /**
     * Runs a change as one step: if anything in it throws, every step it took is taken
     * back, newest first, and the queues are put back where they were, so the index is
     * exactly as it was. Nested calls join the outer one.
     */
    public atomically<T>(change: () => T): T {
        if (this._reverts != null) return change();
        const reverts: Revert[] = [];
        const all = this._byActivity.mark();
        const activity = this._activeByActivity.mark();
        const opening = this._activeByOpening.mark();
        const closed = this._closedByTime.mark();
        this._reverts = reverts;
        try {
            return change();
        } catch (err) {
            this._reverts = null;
            for (let index = reverts.length - 1; index >= 0; index--) reverts[index]();
            this._byActivity.restore(all);
            this._activeByActivity.restore(activity);
            this._activeByOpening.restore(opening);
            this._closedByTime.restore(closed);
            throw err;
        } finally {
            this._reverts = null;
        }
    }

    /**
     * load() for texts the loader read, every one: the map filled in the file's order and the
     * queues handed their lists whole, made at their final size (SessionsTimeQueue.adopt).
     * False if an id repeats. Nothing here is a change to take back: a load that fails
     * leaves the store closed.
     */
    private loadRead(entries: StoredSession[], summaries: LoadedSummaries): boolean {
        const ids = summaries.ids;
        if (!this._items.adopt(ids, entries, summaries.idHashes)) return false;
        const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
        const activeCount = summaries.activeCount;
        const activeIds = new Array<string>(activeCount);
        const activeEntries = new Array<StoredSession>(activeCount);
        const requestTimes = new Array<number>(activeCount);
        const openTimes = new Array<number>(activeCount);
        const closedCount = summaries.closedWithTimeCount;
        const closedIds = new Array<string>(closedCount);
        const closedEntries = new Array<StoredSession>(closedCount);
        const closeTimes = new Array<number>(closedCount);
        const allTimes = new Array<number>(ids.length);
        let active = 0;
        let closed = 0;
        for (let index = 0; index < ids.length; index++) {
            summaries.read(index, summary);
            allTimes[index] = summary.requestTime;
            if (summary.active) {
                activeIds[active] = summary.id;
                activeEntries[active] = entries[index];
                requestTimes[active] = summary.requestTime;
                openTimes[active] = summary.openTime;
                active++;
            } else if (summary.closeTime >= 0) {
                closedIds[closed] = summary.id;
                closedEntries[closed] = entries[index];
                closeTimes[closed] = summary.closeTime;
                closed++;
            }
        }
        summaries.keepOnlyUserIds();
        this._activeCount = activeCount;
        this._closedCount = closedCount;
        // Each queue keeps lists of its own: a push to one must not show in another, nor in the loader's lists the user index reads.
        this._byActivity.adopt(ids.slice(), entries.slice(), allTimes);
        this._activeByActivity.adopt(activeIds, activeEntries, requestTimes);
        this._activeByOpening.adopt(activeIds.slice(), activeIds.slice(), openTimes);
        this._closedByTime.adopt(closedIds, closedEntries, closeTimes);
        this._byUser.load({ ids, entries, userIdOf: index => summaries.userIdOf(index, entries[index]) });
        return true;
    }

    /** Loads sessions of a file that names an id more than once: each as an object, in turn (see load). */
    private loadRepeated(entries: StoredSession[]): void {
        this.clear();
        for (const entry of entries) this.upsert(StoredSessions.copy(entry));
    }

    /**
     * userIndexed: the id is already listed under its user (a replacement of the same user,
     * or a load). knownNew: no session with this id is held. opened: the session may not
     * have been active before (so it joins the queue by open time).
     */
    private insert(entry: StoredSession, summary: SessionSummary, userIndexed: boolean, knownNew: boolean,
        opened: boolean): void {
        const { id, userId, active, requestTime, openTime, closeTime } = summary;
        // A file may name an id twice; the last one wins, as on replay.
        const existing = knownNew ? undefined : this._items.get(id);
        if (existing != null) this.remove(existing);
        this.setItem(id, entry);
        if (!userIndexed) this.indexUser(userId, id);
        this._beforeStep('queue');
        this._byActivity.push(id, entry, requestTime, this._items.size, this._isCurrent);
        if (active) {
            this.addToCounts(1, 0);
            this._beforeStep('queue');
            this._activeByActivity.push(id, entry, requestTime, this._activeCount, this._isCurrent);
            if (opened) this._activeByOpening.push(id, id, openTime, this._activeCount, this._isCurrentOpening);
        } else if (closeTime >= 0) {
            this.addToCounts(0, 1);
            this._beforeStep('queue');
            this._closedByTime.push(id, entry, closeTime, this._closedCount, this._isCurrent);
        }
    }

    /** With keepUser, leaves the user index as it is; with keepItem, the map's entry (a replacement overwrites it). */
    private detach(summary: SessionSummary, keepUser: boolean, keepItem: boolean): void {
        const { id, userId, active, closeTime } = summary;
        if (!keepItem) this.deleteItem(id);
        if (active) this.addToCounts(-1, 0);
        else if (closeTime >= 0) this.addToCounts(0, -1);
        if (!keepUser) this.unindexUser(userId, id);
    }

    private setItem(id: string, entry: StoredSession): void {
        this._beforeStep('set');
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
        this._beforeStep('delete');
        const previous = this._items.get(id);
        if (previous === undefined) return;
        this._reverts?.push(() => { this._items.set(id, previous); });
        this._items.delete(id);
    }

    private addToCounts(active: number, closed: number): void {
        this._beforeStep('count');
        const [activeBefore, closedBefore] = [this._activeCount, this._closedCount];
        this._reverts?.push(() => {
            this._activeCount = activeBefore;
            this._closedCount = closedBefore;
        });
        this._activeCount += active;
        this._closedCount += closed;
    }

    private indexUser(userId: string, id: string): void {
        this._beforeStep('index-user');
        if (this._byUser.add(userId, id)) this._reverts?.push(() => this._byUser.delete(userId, id));
    }

    private unindexUser(userId: string, id: string): void {
        this._beforeStep('unindex-user');
        if (this._byUser.delete(userId, id)) this._reverts?.push(() => this._byUser.add(userId, id));
    }
}
