import { SessionV1 } from '../data/version1/SessionV1';

/**
 * Keeps the `limit` newest sessions offered to it (newest request_time first, then id),
 * in O(n log limit) time and O(limit) memory, so a page of 100 out of a million matches
 * neither sorts nor copies the million.
 */
export class NewestSessions {
    private readonly _limit: number;
    // A heap whose root is the oldest of the kept sessions: the first to drop out.
    private readonly _heap: SessionV1[] = [];

    public constructor(limit: number) {
        this._limit = limit;
    }

    /** Newest first, then by id: the one order every store lists in. */
    public static compare(a: SessionV1, b: SessionV1): number {
        const diff = b.request_time.getTime() - a.request_time.getTime();
        if (diff !== 0) return diff;
        return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    }

    public offer(item: SessionV1): void {
        if (this._limit <= 0) return;
        const heap = this._heap;
        if (heap.length < this._limit) {
            heap.push(item);
            this.siftUp(heap.length - 1);
        } else if (NewestSessions.compare(item, heap[0]) < 0) {
            heap[0] = item;
            this.siftDown(0);
        }
    }

    /** The kept sessions, newest first. */
    public toArray(): SessionV1[] {
        return [...this._heap].sort(NewestSessions.compare);
    }

    // "a ranks after b" means a is older: older sessions rise to the root.
    private after(a: SessionV1, b: SessionV1): boolean {
        return NewestSessions.compare(a, b) > 0;
    }

    private siftUp(index: number): void {
        const heap = this._heap;
        while (index > 0) {
            const parent = (index - 1) >> 1;
            if (!this.after(heap[index], heap[parent])) break;
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
            if (left < heap.length && this.after(heap[left], heap[oldest])) oldest = left;
            if (right < heap.length && this.after(heap[right], heap[oldest])) oldest = right;
            if (oldest === index) return;
            [heap[index], heap[oldest]] = [heap[oldest], heap[index]];
            index = oldest;
        }
    }
}
