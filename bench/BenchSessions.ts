import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { ConfigParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../src/data/version1/SessionV1';
import { SessionsRedisPersistence } from '../src/persistence/redis/SessionsRedisPersistence';

/**
 * The sessions a run starts with, and how to put them in each kind of store quickly:
 * count sessions of count/10 users, plus one more (hotId, of its own user) that the hot
 * scenario sends every request to, so that a store of 0 sessions has it too.
 */
export class BenchSessions {
    public readonly ids: string[] = [];
    /** The sessions opened for the next close_session run (see openToClose). */
    public toClose: string[] = [];
    private static _closers = 0;
    public readonly userIds: string[];
    public hotId = randomBytes(16).toString('hex');

    public constructor(public readonly count: number) {
        const users = Math.max(1, Math.floor(count / 10));
        this.userIds = Array.from({ length: users }, (_, index) => 'u' + index);
    }

    public userOf(index: number): string {
        return this.userIds[index % this.userIds.length];
    }

    /**
     * Writes a JSON array file in the original's format, one session per line as our
     * store's own snapshots are (the layout a restart of ours finds): both services load it at start.
     */
    public async writeFile(filePath: string): Promise<void> {
        await fs.mkdir(path.dirname(filePath), { recursive: true });
        const handle = await fs.open(filePath, 'w');
        const now = Date.now();
        try {
            await handle.write('[\n' + JSON.stringify(this.hotSession(new Date(now - this.count - 1).toISOString())));
            const batch: string[] = [];
            for (let index = 0; index < this.count; index++) {
                const id = this.nextId(index);
                const time = new Date(now - (this.count - index)).toISOString();
                batch.push(JSON.stringify({
                    id, user_id: this.userOf(index), user_name: 'Bench User', active: true, open_time: time,
                    request_time: time, address: '127.0.0.1', client: 'bench', user: { id: this.userOf(index), roles: ['user'] },
                    data: { n: index }
                }));
                if (batch.length === 5000 || index === this.count - 1) {
                    await handle.write(',\n' + batch.join(',\n'));
                    batch.length = 0;
                }
            }
            await handle.write('\n]\n');
            // On disk before the service starts, so the kernel's writeback of 280 MB (at a
            // million sessions) does not run during, and slow, the load being measured.
            await handle.sync();
        } finally {
            await handle.close();
        }
    }

    /** Inserts straight into MongoDB, as the service stores them (_id = session id). */
    public async insertMongo(uri: string, collection: string): Promise<void> {
        const client = await new MongoClient(uri).connect();
        try {
            const target = client.db().collection(collection);
            // A drop, not deleteMany: FerretDB's SQLite backend fails deleting 100,000+ rows at once.
            await target.drop().catch(() => undefined);
            const now = Date.now();
            const hot = this.hotSession(new Date(now - this.count - 1));
            await target.insertOne({ ...hot, _id: hot.id as unknown as never });
            for (let start = 0; start < this.count; start += 10000) {
                const docs = [];
                for (let index = start; index < Math.min(this.count, start + 10000); index++) {
                    const time = new Date(now - (this.count - index));
                    docs.push({
                        _id: this.nextId(index) as unknown as never, user_id: this.userOf(index), user_name: 'Bench User',
                        active: true, open_time: time, request_time: time, address: '127.0.0.1', client: 'bench',
                        user: { id: this.userOf(index) }, data: { n: index }
                    });
                }
                await target.insertMany(docs, { ordered: false });
            }
        } finally {
            await client.close();
        }
    }

    /** Stores them in Redis through the Redis store itself (its keys and indexes), 500 at a time. */
    public async insertRedis(uri: string, prefix: string): Promise<void> {
        const store = new SessionsRedisPersistence();
        store.configure(ConfigParams.fromValue({ connection: { uri }, options: { key_prefix: prefix, connect_timeout: 30000 } }));
        await store.open(null);
        try {
            await store.clear(null);
            const now = Date.now();
            const hot = this.hotSession(new Date(now - this.count - 1));
            await store.create(null, hot as SessionV1);
            for (let start = 0; start < this.count; start += 500) {
                const batch: Array<Promise<SessionV1>> = [];
                for (let index = start; index < Math.min(this.count, start + 500); index++) {
                    const time = new Date(now - (this.count - index));
                    batch.push(store.create(null, {
                        id: this.nextId(index), user_id: this.userOf(index), user_name: 'Bench User', active: true, open_time: time,
                        request_time: time, address: '127.0.0.1', client: 'bench', user: { id: this.userOf(index) }, data: { n: index }
                    }));
                }
                await Promise.all(batch);
            }
        } finally {
            await store.close(null);
        }
        await BenchSessions.settleRedis(uri);
    }

    /**
     * Rewrites Redis' append-only file now and waits for it, so the rewrite the preload's
     * growth would trigger (a fork and a copy of the whole data set) does not run during,
     * and slow, the load being measured.
     */
    private static async settleRedis(uri: string): Promise<void> {
        const redis = new Redis(uri);
        try {
            const persistence = async () => await redis.info('persistence');
            if (!/aof_enabled:1/.test(await persistence())) return;
            while (/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await persistence())) {
                await new Promise(resolve => setTimeout(resolve, 200));
            }
            await redis.bgrewriteaof();
            const deadline = Date.now() + 600000;
            while (/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await persistence()) && Date.now() < deadline) {
                await new Promise(resolve => setTimeout(resolve, 200));
            }
        } finally {
            redis.disconnect();
        }
    }

    /** Opens the sessions through the API (for memory stores), keeping the ids it returns. */
    public async openOverHttp(port: number): Promise<void> {
        const reply = await fetch('http://127.0.0.1:' + port + '/v1/sessions/open_session', {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user_id: 'hot', user_name: 'Hot User', data: { n: 0 } })
        });
        if (reply.status !== 200) throw new Error('Opening the hot session answered ' + reply.status);
        this.hotId = (await reply.json() as { id: string }).id;
        let index = 0;
        await BenchSessions.openMany(port, this.count, () => ({ user_id: this.userOf(index++), user_name: 'Bench User', data: { n: index } }), this.ids);
    }

    /**
     * Opens count sessions of new users for a run of close_session to close, which then
     * names them in turn: each run closes as many live sessions at every store size (a
     * small store's sessions would all be closed in its first run, and later runs would
     * time closes of closed sessions only).
     */
    public async openToClose(port: number, count: number): Promise<void> {
        this.toClose = [];
        await BenchSessions.openMany(port, count, () => ({ user_id: 'closing' + BenchSessions._closers++, user_name: 'Bench User' }), this.toClose);
    }

    private static async openMany(port: number, count: number, body: () => object, ids: string[]): Promise<void> {
        const target = ids.length + count;
        // autocannon may stop counting before the last pipelined replies arrive, so top up
        // until every session is open.
        for (let round = 0; round < 5 && ids.length < target; round++) {
            await autocannon({
                url: 'http://127.0.0.1:' + port,
                // More requests in flight than remain makes autocannon never finish.
                connections: Math.min(32, target - ids.length),
                pipelining: 1,
                amount: target - ids.length,
                requests: [{
                    method: 'POST',
                    path: '/v1/sessions/open_session',
                    headers: { 'content-type': 'application/json' },
                    setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
                    onResponse: (status, reply) => {
                        if (status === 200) ids.push((JSON.parse(reply) as { id: string }).id);
                    }
                }]
            });
        }
        if (ids.length < target) {
            throw new Error('Opening over HTTP opened only ' + (count - (target - ids.length)) + ' of ' + count + ' sessions');
        }
    }

    /** The hot session as a file or MongoDB holds it, last active at time. */
    private hotSession<T>(time: T): { id: string; user_id: string; user_name: string; active: boolean; open_time: T; request_time: T;
        address: string; client: string; user: { id: string }; data: { n: number } } {
        return { id: this.hotId, user_id: 'hot', user_name: 'Hot User', active: true, open_time: time, request_time: time,
            address: '127.0.0.1', client: 'bench', user: { id: 'hot' }, data: { n: 0 } };
    }

    public randomId(): string {
        return this.ids[Math.floor(Math.random() * this.ids.length)];
    }

    public randomUser(): string {
        return this.userIds[Math.floor(Math.random() * this.userIds.length)];
    }

    private nextId(index: number): string {
        if (index < this.ids.length) return this.ids[index];
        const id = randomBytes(16).toString('hex');
        this.ids.push(id);
        return id;
    }
}
