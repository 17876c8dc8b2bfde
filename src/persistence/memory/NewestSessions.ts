/**
 * Keeps the `limit` newest sessions offered to it (newest request_time first, then id),
 * in O(n log limit) time and O(limit) memory, so a page of 100 out of a million matches
 * neither sorts nor copies the million. Each entry comes with its time and id, so an
 * entry may be a session still held as text, parsed only if it makes the page.
 */
export class NewestSessions<T> {
    private readonly _limit: number;
    // A heap whose root is the oldest of the kept entries: the first to drop out.
    private readonly _heap: Array<{ entry: T; time: number; id: string }> = [];

    public constructor(limit: number) {
        this._limit = limit;
    }

    public offer(entry: T, time: number, id: string): void {
        if (this._limit <= 0) return;
        const heap = this._heap;
        if (heap.length < this._limit) {
            heap.push({ entry, time, id });
            this.siftUp(heap.length - 1);
        } else if (NewestSessions.ranksBefore(time, id, heap[0].time, heap[0].id)) {
            heap[0] = { entry, time, id };
            this.siftDown(0);
        }
    }

    /** Whether no entry of this time or older can be kept any more: as many kept as wanted, all newer. */
    public keepsOnlyNewerThan(time: number): boolean {
        return this._heap.length >= this._limit && (this._limit <= 0 || time < this._heap[0].time);
    }

    /** The kept entries, newest first. */
    public toArray(): T[] {
        return [...this._heap]
            .sort((a, b) => NewestSessions.ranksBefore(a.time, a.id, b.time, b.id) ? -1 : 1)
            .map(item => item.entry);
    }

    /** Whether the first session comes before the second on a page: newer, or as new with a smaller id. */
    private static ranksBefore(time: number, id: string, otherTime: number, otherId: string): boolean {
        return time !== otherTime ? time > otherTime : id < otherId;
    }

    // "a ranks after b" means a is older: older entries rise to the root.
    private after(a: number, b: number): boolean {
        const heap = this._heap;
        return NewestSessions.ranksBefore(heap[b].time, heap[b].id, heap[a].time, heap[a].id);
    }

    private siftUp(index: number): void {
        const heap = this._heap;
        while (index > 0) {
            const parent = (index - 1) >> 1;
            if (!this.after(index, parent)) break;
            [heap[index], heap[parent]] = [heap[parent], heap[index]];
            index = parent;
        }
    }

    private siftDown(index: number): void {
        const heap = this._heap;
        for (;;) {
            const left = index * 2 + 1;
            const right = left + 1;
            let oldest = index;
            if (left < heap.length && this.after(left, oldest)) oldest = left;
            if (right < heap.length && this.after(right, oldest)) oldest = right;
            if (oldest === index) return;
            [heap[index], heap[oldest]] = [heap[oldest], heap[index]];
            index = oldest;
        }
    }
}
