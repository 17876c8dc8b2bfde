import { LRUCache } from 'lru-cache';

/**
 * The buckets of the session ids this process has lately found, so a read of one of them is a
 * plain HGETALL rather than a script that follows the id's pointer (a signed-in user's every
 * request reads the same session). It holds where a session is, never what it holds: an entry
 * gone wrong (the session was deleted, moved to another user's bucket, or expired) reads an
 * empty hash, and the reader then follows the pointer and forgets the entry. Bounded: past
 * capacity, the least recently used entry goes; a capacity of 0 keeps none.
 */
export class SessionsRedisBucketCache {
    private readonly _buckets: LRUCache<string, number> | null;

    public constructor(public readonly capacity: number) {
        this._buckets = capacity > 0 ? new LRUCache<string, number>({ max: capacity }) : null;
    }

    public get(id: string): number | undefined {
        return this._buckets?.get(id);
    }

    public set(id: string, bucket: number): void {
        this._buckets?.set(id, bucket);
    }

    public delete(id: string): void {
        this._buckets?.delete(id);
    }

    public clear(): void {
        this._buckets?.clear();
    }

    public get size(): number {
        return this._buckets?.size ?? 0;
    }
}
