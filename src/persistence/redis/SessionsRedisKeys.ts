/**
 * The key names of the Redis store. A user's sessions and indexes share one hash tag, the
 * user's bucket ({b<n>}), so every script that reads or writes them touches one hash slot
 * and runs on one node of a Redis Cluster; the bucket also holds the indexes of all its
 * sessions (by activity, opening and closing), so a sweep or a listing is one script or
 * one range read per bucket. A session's id names its bucket through a small pointer key.
 *
 * - <prefix>{b<n>}:s:<id>       the session: a hash, one field per session field (SessionsRedisCodec)
 * - <prefix>{b<n>}:all          every session of the bucket, by -request_time (newest first)
 * - <prefix>{b<n>}:active       the active ones, by -request_time
 * - <prefix>{b<n>}:opened       the active ones, by open_time (the absolute sweep)
 * - <prefix>{b<n>}:closed       the closed ones, by close_time (retention); member <id length>:<id><user_id>
 * - <prefix>{b<n>}:u:<user_id>  the user's sessions, by -request_time
 * - <prefix>{b<n>}:ua:<user_id> the user's active sessions, by -request_time
 * - <prefix>id:<id>             the session's bucket number
 * - <prefix>meta                the layout (bucket count) and the retention period in force
 */
export class SessionsRedisKeys {
    /** Fixed: a user's bucket is its hash modulo this, so changing it would lose every session. */
    public static readonly Buckets = 64;

    public constructor(public readonly prefix: string) {
        // A brace in the prefix would move the hash tag, and with it the slot of every key.
        if (/[{}]/.test(prefix)) throw new Error('The key prefix may not contain { or }');
    }

    /** The bucket of a user: FNV-1a of the UTF-8 bytes of the id, modulo Buckets. */
    public bucketOf(userId: string): number {
        const bytes = Buffer.from(userId, 'utf8');
        let hash = 0x811c9dc5;
        for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
        return hash % SessionsRedisKeys.Buckets;
    }

    /** The common start of a bucket's key names; the scripts get it as KEYS[1] and add the rest. */
    public bucket(bucket: number): string {
        return this.prefix + '{b' + bucket + '}';
    }

    /** What every key of a bucket starts with before its number: a ...ByPointer script adds the number from the pointer, then '}'. */
    public get bucketHead(): string {
        return this.prefix + '{b';
    }

    public session(bucket: number, id: string): string {
        return this.bucket(bucket) + ':s:' + id;
    }

    /** A session's key without its bucket number, before and after it: GetById puts the number from the pointer between. */
    public sessionAround(id: string): [string, string] {
        return [this.bucketHead, '}:s:' + id];
    }

    public all(bucket: number): string {
        return this.bucket(bucket) + ':all';
    }

    public active(bucket: number): string {
        return this.bucket(bucket) + ':active';
    }

    public user(bucket: number, userId: string): string {
        return this.bucket(bucket) + ':u:' + userId;
    }

    public userActive(bucket: number, userId: string): string {
        return this.bucket(bucket) + ':ua:' + userId;
    }

    public pointer(id: string): string {
        return this.pointerHead + id;
    }

    /** What every pointer's name starts with before the id: CreateByPointer names the evicted sessions' pointers with it. */
    public get pointerHead(): string {
        return this.prefix + 'id:';
    }

    public get meta(): string {
        return this.prefix + 'meta';
    }

    /** Every bucket number, for the operations that read all sessions. */
    public static allBuckets(): number[] {
        return Array.from({ length: SessionsRedisKeys.Buckets }, (_, index) => index);
    }
}
