import {
    AnyValueMap, ApplicationException, ConfigException, ConfigParams, ConflictException, ConnectionException, DataPage, FilterParams, ICleanable,
    IConfigurable, InvalidStateException, IOpenable, IReferenceable, IReferences, PagingParams
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionCloseReason, SessionCloseReasonV1 } from '../../data/version1/SessionCloseReasonV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionIdGenerator } from '../../logic/SessionIdGenerator';
import { ISessionsPersistence } from '../ISessionsPersistence';
import { SessionClosedException } from '../../rules/SessionClosedException';
import { SessionLimit } from '../../rules/SessionLimit';
import { SessionLimitReachedException } from '../../rules/SessionLimitReachedException';
import { SessionLiveness } from '../../rules/SessionLiveness';
import { SessionsFilter } from '../SessionsFilter';
import { SessionsRedisBucketCache } from './SessionsRedisBucketCache';
import { SessionsRedisCodec } from './SessionsRedisCodec';
import { SessionsRedisConnection, SessionsRedisReply } from './SessionsRedisConnection';
import { SessionsRedisCandidate, SessionsRedisIndexScan } from './SessionsRedisIndexScan';
import { SessionsRedisKeys } from './SessionsRedisKeys';
import { SessionsRedisScripts } from './SessionsRedisScripts';
import { SessionsRedisSettings } from './SessionsRedisSettings';

/** The store's scripts, by the name the connection calls them. */
const SCRIPTS = {
    sessionsGetById: SessionsRedisScripts.GetById, sessionsCreate: SessionsRedisScripts.Create,
    sessionsCreateByPointer: SessionsRedisScripts.CreateByPointer, sessionsUpdatePartially: SessionsRedisScripts.UpdatePartially,
    sessionsUpdatePartiallyByPointer: SessionsRedisScripts.UpdatePartiallyByPointer,
    sessionsReplace: SessionsRedisScripts.Replace, sessionsDelete: SessionsRedisScripts.Delete,
    sessionsCloseUser: SessionsRedisScripts.CloseUser, sessionsSweep: SessionsRedisScripts.Sweep,
    sessionsPurgeClosed: SessionsRedisScripts.PurgeClosed, sessionsRetime: SessionsRedisScripts.Retime
};
type ScriptName = keyof typeof SCRIPTS;


/** Server errors that mean "not now" rather than "wrong": answered 503 like a lost connection. */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|MISCONF|NOREPLICAS)\b/;
/** Sessions a sweep script closes or deletes per call: one call holds the server for a few milliseconds. */
const SWEEP_BATCH = 500;

/**
 * Sessions in Redis (or a Redis Cluster): one hash per session, sorted sets as indexes by user,
 * activity, opening and closing, each multi-key rule one Lua script on one hash slot (see
 * SessionsRedisKeys and SessionsRedisScripts, and docs/redis.md). Closed sessions carry a TTL of
 * the retention period. Unreachable, every call fails within options.connect_timeout with
 * 503 DATABASE_UNAVAILABLE; configuration: SessionsRedisSettings.
 */
export class SessionsRedisPersistence implements ISessionsPersistence, IConfigurable, IReferenceable, IOpenable, ICleanable {
    private readonly _logger = new CompositeLogger();
    private _settings = new SessionsRedisSettings(new ConfigParams());
    private _keys = new SessionsRedisKeys(this._settings.keyPrefix);
    private _buckets = new SessionsRedisBucketCache(this._settings.bucketCache);
    private _client: SessionsRedisConnection | null = null;
    /** The retention period closed sessions get as their TTL (applyRetention); 0: none. */
    private _retention = 0;
    /** False once the connection is lost, until it is back: one log line per outage. */
    private _connected = true;

    public configure(config: ConfigParams): void {
        this._settings = new SessionsRedisSettings(config);
        this._keys = new SessionsRedisKeys(this._settings.keyPrefix);
        this._buckets = new SessionsRedisBucketCache(this._settings.bucketCache);
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
    }

    /** Where the store is, for the start-up line (never a password). */
    public get location(): string {
        return this._settings.location;
    }

    public isOpen(): boolean {
        return this._client != null;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this._client != null) return;
        const client = new SessionsRedisConnection(this._settings, SCRIPTS);
        let lastError: Error | null = null;
        // Once open; a failure to open is the start's one line.
        client.onState((err: Error) => {
            lastError = err;
            if (this._client !== client || !this._connected) return;
            this._connected = false;
            this._logger.warn(correlationId ?? '', 'The Redis store lost its connection (%s); calls fail with 503 until it is back', err.message);
        }, () => {
            if (this._client !== client || this._connected) return;
            this._connected = true;
            this._logger.info(correlationId ?? '', 'The Redis store is connected again');
        });
        try {
            await client.connect(this._settings.connectTimeout);
            await this.checkLayout(client);
        } catch (err) {
            client.destroy();
            const translated = this.translate(correlationId, err);
            if (!(translated instanceof ConnectionException)) throw translated;
            // The socket's error (ECONNREFUSED, a TLS or auth failure) says more than "Connection is closed".
            const cause = (lastError as Error | null) ?? (err as Error);
            throw new ConnectionException(correlationId ?? undefined, SessionsErrorCode.DATABASE_UNAVAILABLE,
                'Connection to redis failed: ' + cause.message).withStatus(503).withCause(cause);
        }
        this._connected = true;
        this._client = client;
    }

    public async close(correlationId: string | null): Promise<void> {
        const client = this._client;
        this._client = null;
        if (client == null) return;
        await client.close();
    }

    /** Deletes every key under the prefix (for tests): a SCAN, never on a request's path. */
    public async clear(correlationId: string | null): Promise<void> {
        const client = this.client;
        this._buckets.clear();
        await this.guard(correlationId, async () => {
            for (const send of await client.masters()) {
                let cursor = '0';
                do {
                    const [next, keys] = await send('SCAN', cursor, 'MATCH', SessionsRedisPersistence.globEscape(this._keys.prefix) + '*', 'COUNT', '1000') as [string, string[]];
                    cursor = next;
                    await Promise.all(keys.map(key => send('UNLINK', key)));
                } while (cursor !== '0');
            }
            await this.checkLayout(client);
        });
    }

    public async checkReady(correlationId: string | null): Promise<void> {
        if (this._client == null) {
            throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.STORE_NOT_OPEN, 'The session store is not open')
                .withStatus(503);
        }
        await this.guard(correlationId, async () => { await this.client.ping(this._keys.meta); });
    }

    /**
     * One HGETALL for an id whose bucket this replica remembers. Otherwise, or when that finds
     * no hash (the entry went stale), by the pointer: one round trip on a single server (a
     * script follows it), two on a cluster.
     */
    public async getOneById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        return await this.guard(correlationId, async () => {
            const known = this._buckets.get(id);
            if (known !== undefined) {
                const session = await this.readHash(known, id);
                if (session != null) return session;
                this._buckets.delete(id);
            }
            const session = await this.getByPointer(id);
            if (session != null) this._buckets.set(id, this._keys.bucketOf(SessionsRedisPersistence.userKey(session.user_id)));
            return session;
        });
    }

    private async getByPointer(id: string): Promise<SessionV1 | null> {
        if (!this._settings.cluster) {
            const [head, tail] = this._keys.sessionAround(id);
            return SessionsRedisCodec.decode(id, await this.client.script('sessionsGetById', this._keys.pointer(id), [head, tail]) as string[]);
        }
        const bucket = await this.bucketOfId(id);
        return bucket == null ? null : await this.readHash(bucket, id);
    }

    /** The session in a bucket's hash; null when there is none. */
    private async readHash(bucket: number, id: string): Promise<SessionV1 | null> {
        return SessionsRedisCodec.decode(id, await this.client.command('HGETALL', this._keys.session(bucket, id)) as string[]);
    }

    public async create(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        const stored = SessionsRedisPersistence.withId(item);
        await this.createStored(correlationId, stored, null, null);
        return { ...stored };
    }

    /**
     * One script on the user's bucket counts the user's live sessions and then refuses,
     * or closes the least recently active and creates: exact under concurrent opens from
     * any number of replicas (Redis runs one script at a time per slot).
     */
    public async createWithinLimit(correlationId: string | null, item: SessionV1, limit: SessionLimit,
        liveness: SessionLiveness): Promise<{ created: SessionV1; evicted: SessionV1[] }> {
        const stored = SessionsRedisPersistence.withId(item);
        const evicted = await this.createStored(correlationId, stored, limit, liveness);
        return { created: { ...stored }, evicted };
    }

    public async update(correlationId: string | null, item: SessionV1): Promise<SessionV1 | null> {
        const stored = { ...item };
        return await this.guard(correlationId, async () => {
            const bucket = await this.bucketOfId(stored.id);
            if (bucket == null) return null;
            const target = this._keys.bucketOf(SessionsRedisPersistence.userKey(stored.user_id));
            if (target !== bucket) return await this.move(correlationId, bucket, target, stored);
            const reply = await this.script('sessionsReplace', bucket, stored.id, this._retention, ...SessionsRedisCodec.encode({ ...stored }));
            if (SessionsRedisPersistence.status(reply) === 'missing') return null;
            const session = SessionsRedisCodec.decode(stored.id, (reply as SessionsRedisReply[])[1] as string[]);
            await this.followPointer(session);
            return session;
        });
    }

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness): Promise<SessionV1 | null> {
        const fields = { ...data.getAsObject() } as Record<string, unknown>;
        delete fields.id;
        return await this.guard(correlationId, async () => {
            const touches = fields.request_time != null ? '1' : '0';
            const args = [this._retention, condition != null ? '1' : '0', condition?.now ?? 0, condition?.timeouts.idle ?? 0,
                condition?.timeouts.absolute ?? 0, touches, ...SessionsRedisCodec.encode(fields)].map(String);
            // On a single server, and when the bucket cannot change, one round trip: the script finds the bucket and keeps the pointer's TTL.
            if (!this._settings.cluster && fields.user_id === undefined) {
                const reply = await this.client.script('sessionsUpdatePartiallyByPointer', this._keys.pointer(id), [id, ...args, this._keys.bucketHead]);
                return this.updated(correlationId, id, reply);
            }
            const bucket = await this.bucketOfId(id);
            if (bucket == null) return null;
            if (typeof fields.user_id === 'string' && this._keys.bucketOf(fields.user_id) !== bucket) {
                // A new user in another bucket: read, check and move (not one step; the controller never does this).
                const current = await this.getOneById(correlationId, id);
                if (current == null) return null;
                if (condition != null && !SessionsRedisPersistence.isLive(current, condition)) throw new SessionClosedException(correlationId);
                return await this.move(correlationId, bucket, this._keys.bucketOf(fields.user_id), { ...current, ...fields, id } as SessionV1);
            }
            const session = this.updated(correlationId, id, await this.script('sessionsUpdatePartially', bucket, id, ...args));
            await this.followPointer(session);
            return session;
        });
    }

    /** The session an UpdatePartially script answered, null if missing; SESSION_CLOSED if it was closed. */
    private updated(correlationId: string | null, id: string, reply: SessionsRedisReply): SessionV1 | null {
        const status = SessionsRedisPersistence.status(reply);
        if (status === 'missing') return null;
        if (status === 'closed') throw new SessionClosedException(correlationId);
        return SessionsRedisCodec.decode(id, (reply as SessionsRedisReply[])[1] as string[]);
    }

    public async deleteById(correlationId: string | null, id: string): Promise<SessionV1 | null> {
        return await this.guard(correlationId, async () => {
            this._buckets.delete(id);
            const bucket = await this.bucketOfId(id);
            if (bucket == null) return null;
            const reply = await this.script('sessionsDelete', bucket, id);
            await this.client.command('DEL', this._keys.pointer(id));
            if (SessionsRedisPersistence.status(reply) === 'missing') return null;
            return SessionsRedisCodec.decode(id, (reply as SessionsRedisReply[])[1] as string[]);
        });
    }

    /** closeTime and reason may be left out, as the original's closeExpired(correlationId, requestTime) is called: now and idle. */
    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date = new Date(),
        reason: SessionCloseReason = SessionCloseReasonV1.Idle): Promise<SessionV1[]> {
        return await this.sweep(correlationId, 'idle', requestTime, closeTime, reason);
    }

    public async closeOpenedBefore(correlationId: string | null, openTime: Date, closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]> {
        return await this.sweep(correlationId, 'opened', openTime, closeTime, reason);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptId: string | null,
        closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]> {
        return await this.guard(correlationId, async () => {
            const bucket = this._keys.bucketOf(userId);
            const reply = await this.script('sessionsCloseUser', bucket, userId, exceptId != null ? '1' : '0', exceptId ?? '',
                closeTime.getTime(), JSON.stringify(reason), this._retention);
            const closed = SessionsRedisPersistence.sessionList(reply);
            await this.expirePointers(closed);
            return closed;
        });
    }

    /**
     * Deletes, bucket by bucket, the closed sessions closed before closeTime that Redis has
     * not already expired by their TTL, and the index entries of those it has; counts both.
     */
    public async deleteClosedBefore(correlationId: string | null, closeTime: Date): Promise<number> {
        return await this.guard(correlationId, async () => {
            const counts = await Promise.all(SessionsRedisKeys.allBuckets().map(async bucket => {
                let count = 0;
                for (;;) {
                    const ids = await this.script('sessionsPurgeClosed', bucket, closeTime.getTime(), SWEEP_BATCH) as string[];
                    await Promise.all(ids.map(id => this.client.command('DEL', this._keys.pointer(id))));
                    count += ids.length;
                    if (ids.length < SWEEP_BATCH) return count;
                }
            }));
            return counts.reduce((sum, count) => sum + count, 0);
        });
    }

    /**
     * Closed sessions get a TTL of period from their close_time (Redis deletes them by
     * itself); when the period differs from the one last applied, the closed sessions
     * already stored get the new one. False all the same: the sweep's deleteClosedBefore
     * still removes the index entries of the sessions Redis has expired.
     */
    public async applyRetention(correlationId: string | null, period: number): Promise<boolean> {
        this._retention = Math.max(0, period);
        await this.guard(correlationId, async () => {
            const applied = await this.client.command('HGET', this._keys.meta, 'retention');
            if (applied === String(this._retention) || (applied == null && this._retention === 0)) return;
            await Promise.all(SessionsRedisKeys.allBuckets().map(async bucket => {
                for (let offset = 0; ; offset += SWEEP_BATCH) {
                    const flat = await this.script('sessionsRetime', bucket, this._retention, offset, SWEEP_BATCH) as string[];
                    const pointers: Array<Promise<unknown>> = [];
                    for (let index = 0; index + 1 < flat.length; index += 2) {
                        const pointer = this._keys.pointer(flat[index]);
                        pointers.push(flat[index + 1] === '' ? this.client.command('PERSIST', pointer) : this.client.command('PEXPIREAT', pointer, flat[index + 1]));
                    }
                    await Promise.all(pointers);
                    if (flat.length / 2 < SWEEP_BATCH) return;
                }
            }));
            await this.client.command('HSET', this._keys.meta, 'retention', String(this._retention));
        });
        return false;
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null, paging: PagingParams | null,
        liveness?: SessionLiveness): Promise<DataPage<SessionV1>> {
        const criteria = SessionsFilter.fromParams(filter);
        paging = paging ?? new PagingParams();
        const skip = paging.getSkip(0);
        const take = paging.getTake(this._settings.maxPageSize);
        const wantTotal = paging.total === true;
        return await this.guard(correlationId, async () => {
            if (criteria.id != null) {
                const session = await this.getListed(criteria.id);
                const found = session != null && this.matches(criteria, session, liveness) ? [session] : [];
                return new DataPage<SessionV1>(found.slice(skip, skip + take), (wantTotal ? found.length : null) as number);
            }
            const range = SessionsRedisPersistence.scoreRange(criteria, liveness);
            const activeIndex = criteria.active === true;
            const sources = criteria.userId != null
                ? [{ key: activeIndex ? this._keys.userActive(this._keys.bucketOf(criteria.userId), criteria.userId)
                    : this._keys.user(this._keys.bucketOf(criteria.userId), criteria.userId), bucket: this._keys.bucketOf(criteria.userId) }]
                : SessionsRedisKeys.allBuckets().map(bucket => ({ key: activeIndex ? this._keys.active(bucket) : this._keys.all(bucket), bucket }));
            // The active indexes alone say which sessions match when nothing else is asked: a count per index gives the total.
            const indexed = activeIndex && !criteria.readsDetails && (liveness == null || liveness.timeouts.absolute <= 0);
            const chunk = Math.min(1000, Math.ceil(2 * (skip + take) / sources.length) + 8);
            const scan = new SessionsRedisIndexScan((key, min, max, offset, count) =>
                this.client.command('ZRANGEBYSCORE', key, min, max, 'WITHSCORES', 'LIMIT', offset, count) as Promise<string[]>, sources, range.min, range.max, chunk);
            const data: SessionV1[] = [];
            let matched = 0;
            const scanAll = wantTotal && !indexed;
            while (matched < skip + take || scanAll) {
                const candidates = await scan.next(Math.max(chunk, 64));
                if (candidates.length === 0) break;
                const sessions = await this.listedAll(candidates);
                for (const session of sessions) {
                    if (session == null || !this.matches(criteria, session, liveness)) continue;
                    if (matched >= skip && data.length < take) data.push(session);
                    matched++;
                }
            }
            let total: number | null = null;
            if (wantTotal) {
                total = scanAll ? matched : (await Promise.all(sources.map(source =>
                    this.client.command('ZCOUNT', source.key, range.min, range.max) as Promise<number>))).reduce((sum, count) => sum + count, 0);
            }
            return new DataPage<SessionV1>(data, total as number);
        });
    }

    /** Creates a stored session (under a limit if given); the sessions evicted for it, closed. */
    private async createStored(correlationId: string | null, stored: SessionV1, limit: SessionLimit | null,
        liveness: SessionLiveness | null): Promise<SessionV1[]> {
        return await this.guard(correlationId, async () => {
            const bucket = this._keys.bucketOf(SessionsRedisPersistence.userKey(stored.user_id));
            const pointer = this._keys.pointer(stored.id);
            const args = [stored.id, this._retention, limit?.max ?? 0, limit?.policy ?? '', JSON.stringify(limit?.reason ?? ''),
                liveness?.now ?? 0, liveness?.timeouts.idle ?? 0, liveness?.timeouts.absolute ?? 0,
                ...SessionsRedisCodec.encode({ ...stored })].map(String);
            // On a single server, one round trip: the script claims the pointer and expires the evicted sessions' pointers.
            const single = !this._settings.cluster;
            let reply: unknown;
            if (single) {
                reply = await this.client.script('sessionsCreateByPointer', pointer,
                    [...args, String(bucket), this._keys.bucketHead, this._keys.pointerHead]);
            } else if (await this.client.command('SET', pointer, String(bucket), 'NX') == null) {
                // On a cluster the pointer first, claimed only if absent: the id's uniqueness across buckets.
                reply = ['exists'];
            } else {
                try {
                    reply = await this.script('sessionsCreate', bucket, ...args);
                } catch (err) {
                    // Refused by the server, so not stored: the pointer goes. A lost reply may have stored it: the pointer stays.
                    if (SessionsRedisConnection.isServerReply(err)) await this.client.command('DEL', pointer).catch(() => undefined);
                    throw err;
                }
            }
            const status = SessionsRedisPersistence.status(reply);
            if (status === 'exists') {
                throw new ConflictException(correlationId ?? undefined, SessionsErrorCode.SESSION_ALREADY_EXISTS,
                    'A session with this id already exists');
            }
            if (status === 'limit') {
                if (!single) await this.client.command('DEL', pointer).catch(() => undefined);
                throw new SessionLimitReachedException(correlationId, limit!.max);
            }
            const evicted = SessionsRedisPersistence.sessionList((reply as SessionsRedisReply[]).slice(1));
            this._buckets.set(stored.id, bucket);
            if (!single) await this.expirePointers(stored.active ? evicted : [...evicted, stored]);
            return evicted;
        });
    }

    /** Moves a session to another user's bucket: delete, then create (two steps: the only write that is not one). */
    private async move(correlationId: string | null, from: number, to: number, session: SessionV1): Promise<SessionV1 | null> {
        this._buckets.delete(session.id);
        const deleted = await this.script('sessionsDelete', from, session.id);
        if (SessionsRedisPersistence.status(deleted) === 'missing') return null;
        await this.client.command('SET', this._keys.pointer(session.id), String(to));
        await this.script('sessionsCreate', to, session.id, this._retention, 0, '', '""', 0, 0, 0, ...SessionsRedisCodec.encode({ ...session }));
        return await this.getOneById(correlationId, session.id);
    }

    /** Closes, bucket by bucket and in batches, the active sessions before the cutoff; each once, whichever replica sweeps. */
    private async sweep(correlationId: string | null, kind: 'idle' | 'opened', cutoff: Date, closeTime: Date,
        reason: SessionCloseReason): Promise<SessionV1[]> {
        return await this.guard(correlationId, async () => {
            const lists = await Promise.all(SessionsRedisKeys.allBuckets().map(async bucket => {
                const closed: SessionV1[] = [];
                for (;;) {
                    const reply = await this.script('sessionsSweep', bucket, kind, cutoff.getTime(), closeTime.getTime(),
                        JSON.stringify(reason), this._retention, SWEEP_BATCH);
                    const batch = SessionsRedisPersistence.sessionList(reply);
                    closed.push(...batch);
                    if (batch.length < SWEEP_BATCH) return closed;
                }
            }));
            const closed = lists.flat();
            await this.expirePointers(closed);
            return closed;
        });
    }

    /** The pointers of closed sessions expire with them (best effort: the retention sweep deletes any left). */
    private async expirePointers(closed: SessionV1[]): Promise<void> {
        if (this._retention <= 0) return;
        await Promise.all(closed.filter(session => session.close_time instanceof Date).map(session =>
            this.client.command('PEXPIREAT', this._keys.pointer(session.id), session.close_time!.getTime() + this._retention).catch(() => 0)));
    }

    /** After a write: a closed session's pointer gets its TTL, an active one's loses it. */
    private async followPointer(session: SessionV1 | null): Promise<void> {
        if (session == null || this._retention <= 0) return;
        if (session.active) await this.client.command('PERSIST', this._keys.pointer(session.id)).catch(() => 0);
        else await this.expirePointers([session]);
    }

    /** The bucket a session id is in, from its pointer; null when there is no such session. */
    private async bucketOfId(id: string): Promise<number | null> {
        const value = await this.client.command('GET', this._keys.pointer(id));
        return value == null ? null : Number(value);
    }

    private async getListed(id: string): Promise<SessionV1 | null> {
        const bucket = await this.bucketOfId(id);
        if (bucket == null) return null;
        return (await this.listedAll([{ id, bucket, score: 0 }]))[0];
    }

    /** The listed fields (all but user and data) of each candidate; null for one gone meanwhile (deleted, or expired by its TTL). */
    private async listedAll(candidates: SessionsRedisCandidate[]): Promise<Array<SessionV1 | null>> {
        return await Promise.all(candidates.map(async candidate => SessionsRedisCodec.decodeListed(candidate.id,
            await this.client.command('HMGET', this._keys.session(candidate.bucket, candidate.id), ...SessionsRedisCodec.ListedFields) as Array<string | null>)));
    }

    private matches(criteria: SessionsFilter, session: SessionV1, liveness?: SessionLiveness): boolean {
        const summary = {
            id: session.id, userId: SessionsRedisPersistence.userKey(session.user_id), active: session.active === true,
            requestTime: SessionsRedisPersistence.timeOf(session.request_time), openTime: SessionsRedisPersistence.timeOf(session.open_time),
            closeTime: session.close_time instanceof Date ? session.close_time.getTime() : -1
        };
        return criteria.matches(summary, liveness) && criteria.matchesDetails(session);
    }

    /** The score range of the listing indexes (-request_time) for the filter's times, and for "live" under an idle timeout. */
    private static scoreRange(criteria: SessionsFilter, liveness?: SessionLiveness): { min: string; max: string } {
        let from = criteria.fromTime?.getTime() ?? null;
        const idleLimit = criteria.active === true && liveness != null ? liveness.timeouts.idleBound(liveness.now) : null;
        if (idleLimit != null && (from == null || from < idleLimit)) from = idleLimit;
        const to = criteria.toTime?.getTime() ?? null;
        return { min: to == null ? '-inf' : '(' + String(-to), max: from == null ? '+inf' : String(-from) };
    }

    private static isLive(session: SessionV1, liveness: SessionLiveness): boolean {
        return session.active && liveness.timeouts.isLive(session.open_time.getTime(), session.request_time.getTime(), liveness.now);
    }

    private static timeOf(value: unknown): number {
        return value instanceof Date ? value.getTime() : 0;
    }

    /** The user id as the indexes name it: user_id as stored (see SessionsRedisCodec), '' when there is none. */
    private static userKey(userId: unknown): string {
        return userId == null ? '' : String(userId);
    }

    private async script(name: ScriptName, bucket: number, ...args: Array<string | number>): Promise<SessionsRedisReply> {
        return await this.client.script(name, this._keys.bucket(bucket), args.map(String));
    }

    private static status(reply: unknown): string {
        return Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : '';
    }

    /** The sessions of a reply {id, fields, id, fields, ...}. */
    private static sessionList(reply: unknown): SessionV1[] {
        const flat = reply as SessionsRedisReply[];
        const result: SessionV1[] = [];
        for (let index = 0; index + 1 < flat.length; index += 2) {
            const session = SessionsRedisCodec.decode(flat[index] as string, flat[index + 1] as string[]);
            if (session != null) result.push(session);
        }
        return result;
    }

    /** A copy of a session to store, with a new id if it has none (as the toolkit's stores fill one in). */
    private static withId(item: SessionV1): SessionV1 {
        const stored = { ...item };
        if (stored.id == null || stored.id === '') stored.id = SessionIdGenerator.next();
        return stored;
    }

    /** The layout under the prefix: the bucket count is recorded once, and a different one refused. */
    private async checkLayout(client: SessionsRedisConnection): Promise<void> {
        await client.command('HSETNX', this._keys.meta, 'buckets', String(SessionsRedisKeys.Buckets));
        const buckets = await client.command('HGET', this._keys.meta, 'buckets');
        if (buckets !== String(SessionsRedisKeys.Buckets)) {
            // A start failure naming the setting: another prefix (or emptying this one) is the way out.
            const allowed = 'a prefix whose keys were written with ' + SessionsRedisKeys.Buckets + ' buckets (these have ' + buckets + ')';
            throw new ConfigException(undefined, SessionsErrorCode.BAD_SETTING, 'options.key_prefix is '
                + JSON.stringify(this._keys.prefix) + ': allowed is ' + allowed)
                .withDetails('key', 'options.key_prefix').withDetails('value', this._keys.prefix).withDetails('allowed', allowed);
        }
    }

    private static globEscape(text: string): string {
        return text.replace(/[*?[\]\\]/g, character => '\\' + character);
    }

    private get client(): SessionsRedisConnection {
        if (this._client == null) {
            throw new InvalidStateException(undefined, SessionsErrorCode.STORE_NOT_OPEN, 'The session store is not open').withStatus(503);
        }
        return this._client;
    }

    private async guard<T>(correlationId: string | null, operation: () => Promise<T>): Promise<T> {
        try {
            return await operation();
        } catch (err) {
            throw this.translate(correlationId, err);
        }
    }

    /** Lost connections, timeouts and "not now" replies become 503 DATABASE_UNAVAILABLE; the rest is left as it is. */
    private translate(correlationId: string | null, err: unknown): unknown {
        if (err instanceof ApplicationException) return err;
        if (!(err instanceof Error) || err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError
            || err instanceof ReferenceError) return err;
        if (SessionsRedisConnection.isServerReply(err) && !UNAVAILABLE_REPLY.test(err.message)) return err;
        return new ConnectionException(correlationId ?? undefined, SessionsErrorCode.DATABASE_UNAVAILABLE,
            'The session store is unavailable').withStatus(503).withCause(err);
    }
}
