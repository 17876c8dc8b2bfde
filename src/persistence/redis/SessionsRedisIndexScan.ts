/** One index entry: a session id, the bucket it is in, and its score (-request_time). */
export interface SessionsRedisCandidate {
    id: string;
    bucket: number;
    score: number;
}

/** Reads a range of one sorted set, in ascending order: ZRANGEBYSCORE key min max WITHSCORES LIMIT offset count. */
export type SessionsRedisRangeReader = (key: string, min: string, max: string, offset: number, count: number) => Promise<string[]>;

interface Cursor {
    key: string;
    bucket: number;
    offset: number;
    buffer: SessionsRedisCandidate[];
    position: number;
    done: boolean;
}

/**
 * Walks the entries of several sorted sets (one per bucket) within one score range as one
 * list in ascending order of score, then id: a k-way merge that reads each set in chunks
 * only as far as the caller goes, so a page of the newest sessions reads about a page.
 */
export class SessionsRedisIndexScan {
    private readonly _cursors: Cursor[];

    public constructor(private readonly _read: SessionsRedisRangeReader, sources: Array<{ key: string; bucket: number }>,
        private readonly _min: string, private readonly _max: string, private readonly _chunk: number) {
        this._cursors = sources.map(source => ({ ...source, offset: 0, buffer: [], position: 0, done: false }));
    }

    /** Up to count more entries, in order; fewer only at the end. */
    public async next(count: number): Promise<SessionsRedisCandidate[]> {
        const result: SessionsRedisCandidate[] = [];
        while (result.length < count) {
            await Promise.all(this._cursors.filter(cursor => !cursor.done && cursor.position >= cursor.buffer.length)
                .map(cursor => this.fill(cursor)));
            let best: Cursor | null = null;
            for (const cursor of this._cursors) {
                if (cursor.position >= cursor.buffer.length) continue;
                if (best == null || SessionsRedisIndexScan.before(cursor.buffer[cursor.position], best.buffer[best.position])) best = cursor;
            }
            if (best == null) break;
            result.push(best.buffer[best.position++]);
        }
        return result;
    }

    private async fill(cursor: Cursor): Promise<void> {
        const flat = await this._read(cursor.key, this._min, this._max, cursor.offset, this._chunk);
        cursor.buffer = [];
        cursor.position = 0;
        for (let index = 0; index + 1 < flat.length; index += 2) {
            cursor.buffer.push({ id: flat[index], bucket: cursor.bucket, score: Number(flat[index + 1]) });
        }
        cursor.offset += cursor.buffer.length;
        if (cursor.buffer.length < this._chunk) cursor.done = true;
    }

    private static before(a: SessionsRedisCandidate, b: SessionsRedisCandidate): boolean {
        return a.score < b.score || (a.score === b.score && a.id < b.id);
    }
}
