/**
 * Sessions in the order of one of their times, for sweeps that stop at the first one not
 * yet due: parallel append-only arrays with lazy removal (the caller says which entries
 * are current); an append out of order makes the next scan sort once
 * (docs/development.md#the-time-queue).
 */
/** Where a queue stood (see SessionsTimeQueue.mark). */
export interface SessionsTimeQueueMark<T> {
    readonly ids: string[];
    readonly entries: T[];
    readonly times: number[];
    readonly length: number;
    readonly head: number;
    readonly last: number;
    readonly ordered: boolean;
    /** The last entry, which push() may overwrite in place. */
    readonly tailId: string | undefined;
    readonly tailEntry: T | undefined;
    readonly tailTime: number | undefined;
}

export class SessionsTimeQueue<T> {
    private _ids: string[] = [];
    private _entries: T[] = [];
    private _times: number[] = [];
    private _head = 0;
    private _last = -Infinity;
    private _ordered = true;

    /** Entries held, current or not. */
    public get length(): number {
        return this._entries.length - this._head;
    }

    public clear(): void {
        this._ids = [];
        this._entries = [];
        this._times = [];
        this._head = 0;
        this._last = -Infinity;
        this._ordered = true;
    }

    /**
     * Adds an entry; liveCount (how many entries are current) lets the queue drop its
     * stale entries once they outnumber the current ones, so it stays within twice the
     * size it needs, at a cost spread over the appends.
     */
    public push(id: string, entry: T, time: number, liveCount: number,
        isCurrent: (id: string, entry: T) => boolean): void {
        const tail = this._entries.length - 1;
        // The same session written again (a hot session): its last entry is stale, so it is
        // reused, and a session written in a loop holds one entry, not one per write.
        if (time >= this._last && tail >= this._head && this._ids[tail] === id && !isCurrent(id, this._entries[tail])) {
            this._entries[tail] = entry;
            this._times[tail] = time;
            this._last = time;
            return;
        }
        if (time < this._last) this._ordered = false;
        else this._last = time;
        this._ids.push(id);
        this._entries.push(entry);
        this._times.push(time);
        if (this._entries.length - this._head > 2 * liveCount + 1024) this.compact(isCurrent);
    }

    /**
     * Replaces the entries with the given lists (as long as each other, all current; kept,
     * not copied), as if each entry had been pushed in turn: a load makes them at their
     * final size, where a push per entry grows each list a step at a time.
     */
    public adopt(ids: string[], entries: T[], times: number[]): void {
        let last = -Infinity;
        let ordered = true;
        for (let index = 0; index < times.length; index++) {
            if (times[index] < last) ordered = false;
            else last = times[index];
        }
        this._ids = ids;
        this._entries = entries;
        this._times = times;
        this._head = 0;
        this._last = last;
        this._ordered = ordered;
    }

    /**
     * Where the queue stands now, for restore(). O(1): the lists are only ever appended
     * to in place (a compaction or sort builds new ones), so their first length entries
     * stay as they are.
     */
    public mark(): SessionsTimeQueueMark<T> {
        const tail = this._entries.length - 1;
        return {
            ids: this._ids, entries: this._entries, times: this._times, length: this._entries.length,
            head: this._head, last: this._last, ordered: this._ordered,
            tailId: this._ids[tail], tailEntry: this._entries[tail], tailTime: this._times[tail]
        };
    }

    /** Puts the queue back where mark() found it: appends since are dropped, compactions and sorts undone. */
    public restore(mark: SessionsTimeQueueMark<T>): void {
        mark.ids.length = mark.length;
        mark.entries.length = mark.length;
        mark.times.length = mark.length;
        if (mark.length > 0) {
            mark.ids[mark.length - 1] = mark.tailId!;
            mark.entries[mark.length - 1] = mark.tailEntry!;
            mark.times[mark.length - 1] = mark.tailTime!;
        }
        this._ids = mark.ids;
        this._entries = mark.entries;
        this._times = mark.times;
        this._head = mark.head;
        this._last = mark.last;
        this._ordered = mark.ordered;
    }

    /** The current entries, newest first (latest time first; entries of one time in no set order). */
    public *newestFirst(isCurrent: (id: string, entry: T) => boolean): IterableIterator<T> {
        if (!this._ordered) this.sort(isCurrent);
        for (let index = this._entries.length - 1; index >= this._head; index--) {
            if (isCurrent(this._ids[index], this._entries[index])) yield this._entries[index];
        }
    }

    /** How many current entries have a time before limit. */
    public countBefore(limit: number, isCurrent: (id: string, entry: T) => boolean): number {
        if (!this._ordered) this.sort(isCurrent);
        let count = 0;
        for (let index = this._head; index < this._entries.length && this._times[index] < limit; index++) {
            if (isCurrent(this._ids[index], this._entries[index])) count++;
        }
        return count;
    }

    /**
     * The current entries whose time is before limit, oldest first; entries passed on
     * the way that are no longer current are dropped for good.
     */
    public due(limit: number, isCurrent: (id: string, entry: T) => boolean): T[] {
        if (!this._ordered) this.sort(isCurrent);
        const result: T[] = [];
        for (let index = this._head; index < this._entries.length; index++) {
            if (!isCurrent(this._ids[index], this._entries[index])) {
                if (result.length === 0) this._head = index + 1;
                continue;
            }
            if (this._times[index] >= limit) break;
            result.push(this._entries[index]);
        }
        return result;
    }

    private compact(isCurrent: (id: string, entry: T) => boolean): void {
        const order: number[] = [];
        for (let index = this._head; index < this._entries.length; index++) {
            if (isCurrent(this._ids[index], this._entries[index])) order.push(index);
        }
        this.rebuild(order);
    }

    private sort(isCurrent: (id: string, entry: T) => boolean): void {
        this.compact(isCurrent);
        const times = this._times;
        const order = Array.from({ length: times.length }, (_, index) => index);
        order.sort((a, b) => times[a] - times[b]);
        this.rebuild(order);
        this._last = times.length > 0 ? this._times[this._times.length - 1] : -Infinity;
        this._ordered = true;
    }

    /** Keeps the entries at the given indexes, in that order. */
    private rebuild(order: number[]): void {
        this._ids = order.map(index => this._ids[index]);
        this._entries = order.map(index => this._entries[index]);
        this._times = order.map(index => this._times[index]);
        this._head = 0;
    }
}
