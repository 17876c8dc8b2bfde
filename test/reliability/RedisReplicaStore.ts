import { Redis } from 'ioredis';

import { SessionsRedisCodec } from '../../src/persistence/redis/SessionsRedisCodec';
import { SessionsRedisKeys } from '../../src/persistence/redis/SessionsRedisKeys';
import { RedisTestServer } from '../fixtures/RedisTestServer';
import { ReplicaStore, ReplicaStoredSession } from './ReplicaStore';

/** The replicas' Redis: one server, a key prefix per namespace (REDIS_KEY_PREFIX), read through the store's key layout. */
export class RedisReplicaStore implements ReplicaStore {
    public readonly name = 'Redis';
    /** Every multi-key rule is one Lua script, and Redis runs one at a time. */
    public readonly isolated = true;
    private _server: RedisTestServer | null = null;
    private _client: Redis | null = null;
    /** Keys of this run only: no earlier run's sessions are counted. */
    private readonly _run: string;

    public constructor(database: string) {
        this._run = database + ':' + process.pid + ':' + Date.now() + ':';
    }

    public async open(context: Mocha.Context): Promise<void> {
        this._server = await RedisTestServer.require(context);
        this._client = new Redis(this._server.uri);
    }

    public async close(): Promise<void> {
        this._client?.disconnect();
    }

    public env(namespace: string): Record<string, string> {
        return { REDIS_ENABLED: 'true', REDIS_SERVICE_URI: this._server!.uri, REDIS_KEY_PREFIX: this.keys(namespace).prefix,
            REDIS_CONNECT_TIMEOUT: '5000' };
    }

    public async find(namespace: string, ids: string[]): Promise<ReplicaStoredSession[]> {
        const keys = this.keys(namespace);
        const found: ReplicaStoredSession[] = [];
        for (const id of ids) {
            const bucket = await this._client!.get(keys.pointer(id));
            if (bucket == null) continue;
            const record = await this._client!.hgetall(keys.session(Number(bucket), id));
            const session = SessionsRedisCodec.decode(id, Object.entries(record).flat());
            if (session == null) continue;
            found.push({ id, user_id: session.user_id, active: session.active, open_time: session.open_time,
                close_time: session.close_time ?? null, user: session.user, data: session.data });
        }
        return found;
    }

    public async count(namespace: string): Promise<number> {
        const keys = this.keys(namespace);
        const counts = await Promise.all(SessionsRedisKeys.allBuckets().map(bucket => this._client!.zcard(keys.all(bucket))));
        return counts.reduce((sum, count) => sum + count, 0);
    }

    public async countActive(namespace: string, which: { ids: string[] } | { userId: string }): Promise<number> {
        if ('ids' in which) return (await this.find(namespace, which.ids)).filter(session => session.active).length;
        const keys = this.keys(namespace);
        return await this._client!.zcard(keys.userActive(keys.bucketOf(which.userId), which.userId));
    }

    private keys(namespace: string): SessionsRedisKeys {
        return new SessionsRedisKeys(this._run + namespace + ':');
    }
}
