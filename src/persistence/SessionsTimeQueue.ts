import { SessionV1 } from '../data/version1/SessionV1';

/**
 * Sessions in the order of one of their times (last activity, say), for sweeps that
 * stop at the first session not yet due. An append-only array with lazy removal: a
 * session that is replaced or removed stays in the array until a scan passes it or the
 * array is compacted, and the caller says which entries are still current. Appending is
 * a push where an ordered Map costs a hash insert and a delete on every write; loading a
 * million sessions spent about half a second in that Map alone.
 *
 * The times only move forward in steady state (the controller stamps "now"), so appends
 * keep the order; an append out of order (sessions loaded from disk, an undone write, a
 * clock step back) marks the queue unordered and the next scan sorts it once.
 */
export class SessionsTimeQueue {
    private readonly _timeOf: (session: SessionV1) => number;
    private _entries: SessionV1[] = [];
    private _head = 0;
    private _last = -Infinity;
    private _ordered = true;

    public constructor(timeOf: (session: SessionV1) => number) {
        this._timeOf = timeOf;
    }

    /** Entries held, current or not. */
    public get length(): number {
        return this._entries.length - this._head;
    }

    public clear(): void {
        this._entries = [];
        this._head = 0;
        this._last = -Infinity;
        this._ordered = true;
    }

    /**
     * Adds a session; liveCount (how many entries are current) lets the queue drop its
     * stale entries once they outnumber the current ones, so it stays within twice the
     * size it needs, at a cost spread over the appends.
     */
    public push(session: SessionV1, liveCount: number, isCurrent: (session: SessionV1) => boolean): void {
        const time = this._timeOf(session);
        if (time < this._last) this._ordered = false;
        else this._last = time;
        this._entries.push(session);
        if (this._entries.length - this._head > 2 * liveCount + 1024) this.compact(isCurrent);
    }

    /** The current entries, oldest first. */
    public *current(isCurrent: (session: SessionV1) => boolean): IterableIterator<SessionV1> {
        if (!this._ordered) this.sort(isCurrent);
        for (let index = this._head; index < this._entries.length; index++) {
            const session = this._entries[index];
            if (isCurrent(session)) yield session;
        }
    }

    /**
     * The current entries whose time is before limit, oldest first; entries passed on
     * the way that are no longer current are dropped for good.
     */
    public due(limit: number, isCurrent: (session: SessionV1) => boolean): SessionV1[] {
        if (!this._ordered) this.sort(isCurrent);
        const result: SessionV1[] = [];
        let index = this._head;
        for (; index < this._entries.length; index++) {
            const session = this._entries[index];
            if (!isCurrent(session)) {
                if (result.length === 0) this._head = index + 1;
                continue;
            }
            if (this._timeOf(session) >= limit) break;
            result.push(session);
        }
        return result;
    }

    private compact(isCurrent: (session: SessionV1) => boolean): void {
        const kept: SessionV1[] = [];
        for (let index = this._head; index < this._entries.length; index++) {
            const session = this._entries[index];
            if (isCurrent(session)) kept.push(session);
        }
        this._entries = kept;
        this._head = 0;
    }

    private sort(isCurrent: (session: SessionV1) => boolean): void {
        this.compact(isCurrent);
        this._entries.sort((a, b) => this._timeOf(a) - this._timeOf(b));
        this._last = this._entries.length > 0 ? this._timeOf(this._entries[this._entries.length - 1]) : -Infinity;
        this._ordered = true;
    }
}
