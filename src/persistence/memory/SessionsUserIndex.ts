import { StoredSession, StoredSessions } from './StoredSession';

/** Loaded sessions whose user index is still to build: each one's id, its entry as loaded and its user_id, by index. */
export interface LoadedUsers {
    readonly ids: readonly string[];
    readonly entries: readonly StoredSession[];
    /** The user_id of the loaded entry at index; null to read it from the entry. */
    readonly userIdOf: (index: number) => string | null;
}

/**
 * The ids of the memory store's sessions by user_id. After a load it is built in slices
 * between requests (see indexInBackground): at a million sessions that is about a second,
 * and only user_id queries need it (they finish it first).
 */
export class SessionsUserIndex {
    // A user's one id is held as itself, a Set only from the second: most users have one
    // session, and a Set each cost a million of them 150 MB of heap more.
    private readonly _idsByUser = new Map<string, string | Set<string>>();
    /** Loaded sessions still to add (from _next on). */
    private _loaded: LoadedUsers | null = null;
    private _next = 0;

    /** entryOf: the entry held now for an id, to tell a loaded session written or deleted since. */
    public constructor(private readonly _entryOf: (id: string) => StoredSession | undefined) {}

    /** False while loaded sessions are still to add. */
    public get complete(): boolean {
        return this._loaded == null;
    }

    /** The ids of a user's sessions, finishing the index first. */
    public idsOf(userId: string): Iterable<string> {
        this.indexLoaded(Infinity);
        const ids = this._idsByUser.get(userId);
        return typeof ids === 'string' ? [ids] : ids ?? [];
    }

    /** Adds the id under the user; false if it was there already. */
    public add(userId: string, id: string): boolean {
        const ids = this._idsByUser.get(userId);
        if (ids === undefined) {
            this._idsByUser.set(userId, id);
        } else if (typeof ids === 'string') {
            if (ids === id) return false;
            this._idsByUser.set(userId, new Set([ids, id]));
        } else {
            if (ids.has(id)) return false;
            ids.add(id);
        }
        return true;
    }

    /** Takes the id from under the user; false if it was not there. */
    public delete(userId: string, id: string): boolean {
        const ids = this._idsByUser.get(userId);
        if (typeof ids === 'string') {
            if (ids !== id) return false;
            this._idsByUser.delete(userId);
            return true;
        }
        if (ids === undefined || !ids.delete(id)) return false;
        if (ids.size === 0) this._idsByUser.delete(userId);
        return true;
    }

    /** Starts over from loaded sessions, none of them indexed yet (see indexInBackground). */
    public load(loaded: LoadedUsers): void {
        this.clear();
        if (loaded.ids.length > 0) this._loaded = loaded;
    }

    /**
     * Indexes the loaded sessions in slices between requests. A session written since the
     * load is indexed under the user it has now; one deleted is skipped.
     */
    public indexInBackground(): void {
        const loaded = this._loaded;
        if (loaded == null) return;
        const slice = (): void => {
            if (this._loaded !== loaded) return;
            if (this.indexLoaded(20000)) setImmediate(slice);
        };
        setImmediate(slice);
    }

    public clear(): void {
        this._idsByUser.clear();
        this._loaded = null;
        this._next = 0;
    }

    /** Indexes up to limit more loaded sessions; true if some are left. */
    private indexLoaded(limit: number): boolean {
        const loaded = this._loaded;
        if (loaded == null) return false;
        const end = Math.min(loaded.ids.length, this._next + limit);
        for (let index = this._next; index < end; index++) {
            const id = loaded.ids[index];
            const current = this._entryOf(id);
            if (current == null) continue;
            const userId = current === loaded.entries[index] ? loaded.userIdOf(index) : null;
            this.add(userId ?? StoredSessions.summary(current).userId, id);
        }
        this._next = end;
        if (end < loaded.ids.length) return true;
        this._loaded = null;
        return false;
    }
}
