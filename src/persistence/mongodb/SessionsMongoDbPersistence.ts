import { randomBytes } from 'crypto';

import {
    AnyValueMap, ConfigParams, ConflictException, ConnectionException, DataPage, FilterParams, InvalidStateException,
    PagingParams
} from 'pip-services3-commons-nodex';
import { IdentifiableMongoDbPersistence } from 'pip-services3-mongodb-nodex';
import {
    Collection, Filter, MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError
} from 'mongodb';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionCloseReason, SessionCloseReasonV1 } from '../../data/version1/SessionCloseReasonV1';
import { SessionClosing } from '../../rules/SessionClosing';
import { SessionIdGenerator } from '../../logic/SessionIdGenerator';
import { SessionsSettingReader } from '../../logic/SessionsSettingReader';
import { ISessionsPersistence } from '../ISessionsPersistence';
import { SessionClosedException } from '../../rules/SessionClosedException';
import { SessionLimit } from '../../rules/SessionLimit';
import { SessionLimitReachedException } from '../../rules/SessionLimitReachedException';
import { SessionLiveness } from '../../rules/SessionLiveness';
import { SessionsFilter } from '../SessionsFilter';
import { SessionsMongoDbQuery } from './SessionsMongoDbQuery';
import { SessionsMongoDbUserSlots } from './SessionsMongoDbUserSlots';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const INDEX_NOT_FOUND = 27;
const INDEX_OPTIONS_CONFLICT = 85;
const NOT_IMPLEMENTED = 238;
const COMMAND_NOT_FOUND = 59;
const RETENTION_INDEX = 'close_time_retention';

/**
 * A session as stored: the id lives in _id. close_token marks, for a moment, the sessions
 * one bulk close has just closed (see closeMany); it never leaves the store.
 */
type SessionDocument = Omit<SessionV1, 'id'> & { _id: string; close_token?: string };

/**
 * Sessions in a MongoDB collection (default "sessions"), _id = session id, configured as the original's.
 * Unreachable, every call fails within options.connect_timeout with 503 DATABASE_UNAVAILABLE: the
 * toolkit kept the driver's 30 s wait and a raw 500 (docs/mongodb.md).
 */
export class SessionsMongoDbPersistence
    extends IdentifiableMongoDbPersistence<SessionV1, string>
    implements ISessionsPersistence {

    /** Sessions closed per updateMany: a sweep of a hundred thousand sends no 3 MB query. */
    private static readonly CloseBatch = 5000;

    /** database.collection, for the start-up line (never the URI: it may hold a password). */
    public get location(): string {
        return this._databaseName + '.' + this._collectionName;
    }

    public constructor() {
        super('sessions');
        // Serve the per-user listing, the newest-first sort and the expiry sweeps.
        this.ensureIndex({ user_id: 1 });
        this.ensureIndex({ request_time: -1 });
        this.ensureIndex({ active: 1, request_time: -1 });
        this.ensureIndex({ active: 1, open_time: 1 });
    }

    public configure(config: ConfigParams): void {
        super.configure(SessionsMongoDbPersistence.withDriverSettings(config));
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null, liveness?: SessionLiveness): Promise<DataPage<SessionV1>> {
        const query = SessionsMongoDbQuery.ofFilter(SessionsFilter.fromParams(filter), liveness);
        return await this.guard(correlationId, () => super.getPageByFilter(correlationId as string, query,
            paging as PagingParams, { request_time: -1, _id: 1 }, { user: 0, data: 0 }));
    }

    // The single-session operations talk to the driver directly: the toolkit's versions
    // log every full session id at trace level, and its create() returned _id next to id.

    public async getOneById(correlationId: string | null, id: string): Promise<SessionV1> {
        return await this.guard(correlationId, async () => SessionsMongoDbPersistence.toPublic(
            await this.sessions.findOne({ _id: id })));
    }

    public async create(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        return await this.guard(correlationId, async () => {
            // A missing id is filled in, as the toolkit's stores do.
            const { id, ...fields } = item;
            const _id = id || SessionIdGenerator.next();
            await this.sessions.insertOne({ ...fields, _id });
            return { ...item, id: _id };
        });
    }

    /**
     * MongoDB has no lock to count and insert under, and replicas open at once: reject takes a place
     * first (SessionsMongoDbUserSlots), evict_oldest inserts first and then closes all beyond the max
     * newest (request_time, then _id), so a race ends as if the opens came one by one
     * (docs/sessions.md#sessions-per-user).
     */
    public async createWithinLimit(correlationId: string | null, item: SessionV1, limit: SessionLimit,
        liveness: SessionLiveness): Promise<{ created: SessionV1; evicted: SessionV1[] }> {
        // The id is needed for the user's place before the insert.
        if (!item.id) item = { ...item, id: SessionIdGenerator.next() };
        const live = SessionsMongoDbQuery.live(liveness);
        if (limit.policy === 'reject') {
            const slots = new SessionsMongoDbUserSlots(this._db.collection(this.slotsCollectionName), this.sessions);
            const admitted = await this.guard(correlationId, () => slots.admit(item.user_id, item.id, limit.max, live));
            if (!admitted) throw new SessionLimitReachedException(correlationId, limit.max);
            try {
                return { created: await this.create(correlationId, item), evicted: [] };
            } catch (err) {
                // Not stored: its place goes back (else it is freed when the list is next full).
                await slots.release(item.user_id, item.id).catch(() => undefined);
                throw err;
            }
        }
        const filter: Filter<SessionDocument> = { user_id: item.user_id, ...live };
        const created = await this.create(correlationId, item);
        return await this.guard(correlationId, async () => {
            const found = await this.sessions.find(filter, { projection: { _id: 1 }, sort: { request_time: -1, _id: -1 } }).toArray();
            if (found.length <= limit.max) return { created, evicted: [] };
            const excess = found.slice(limit.max).map(document => document._id);
            // closeMany returns the ones this call closed (a racing call may have closed some first).
            const evicted = await this.closeMany(correlationId, { _id: { $in: excess }, active: true }, new Date(liveness.now), limit.reason);
            return { created, evicted };
        });
    }

    /** Deletes every session, and with them the places they held. */
    public async clear(correlationId: string | null): Promise<void> {
        await this.guard(correlationId, () => super.clear(correlationId as string));
        await this.forgetSessionLimit(correlationId);
    }

    /** Drops the reject policy's places: a limit turned on again rebuilds them from the live sessions. */
    public async forgetSessionLimit(correlationId: string | null): Promise<void> {
        await this.guard(correlationId, async () => {
            await this._db.collection(this.slotsCollectionName).drop().catch((err: unknown) => {
                if (!(err instanceof MongoServerError && err.code === NAMESPACE_NOT_FOUND)) throw err;
            });
        });
    }

    private get slotsCollectionName(): string {
        return this._collectionName + '_slots';
    }

    public async update(correlationId: string | null, item: SessionV1): Promise<SessionV1> {
        return await this.guard(correlationId, async () => {
            // A whole replacement, as the memory store does (the toolkit's update is a $set).
            const { id, ...fields } = item;
            const result = await this.sessions.findOneAndReplace({ _id: id }, fields, { returnDocument: 'after' });
            return SessionsMongoDbPersistence.toPublic(result.value);
        });
    }

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness): Promise<SessionV1> {
        return await this.guard(correlationId, async () => {
            const fields = { ...data.getAsObject() } as Partial<SessionDocument> & { id?: string };
            delete fields.id;
            delete fields._id;
            const filter: Filter<SessionDocument> = { _id: id };
            let touched: Date | null = null;
            if (condition != null) {
                Object.assign(filter, SessionsMongoDbQuery.live(condition));
                if (fields.request_time instanceof Date && fields.active !== false) {
                    touched = fields.request_time;
                    // The idle deadline; the absolute one may come first, which needs open_time (below).
                    const expiresAt = condition.timeouts.expiresAt(Infinity, touched.getTime());
                    if (expiresAt != null) fields.expires_at = new Date(expiresAt);
                }
            }
            const result = await this.sessions.findOneAndUpdate(filter, { $set: fields }, { returnDocument: 'after' });
            const document = result.value;
            // No match under the condition: either there is no such session or it is closed.
            if (document == null && condition != null && await this.sessions.countDocuments({ _id: id }, { limit: 1 }) > 0) {
                throw new SessionClosedException(correlationId);
            }
            if (document != null && touched != null) await this.capExpiry(document, touched, condition!);
            return SessionsMongoDbPersistence.toPublic(document);
        });
    }

    /**
     * Brings expires_at in by the absolute deadline when that comes before the idle one,
     * which happens only in a session's last idle period. FerretDB takes no update
     * pipelines, so this is a second write, made only if no later write has come between;
     * expiry itself is decided from open_time and request_time, never from expires_at.
     */
    private async capExpiry(document: SessionDocument, touched: Date, condition: SessionLiveness): Promise<void> {
        const expiresAt = condition.timeouts.expiresAt(document.open_time.getTime(), touched.getTime());
        if (expiresAt == null || document.expires_at == null || expiresAt >= document.expires_at.getTime()) return;
        const capped = new Date(expiresAt);
        await this.sessions.updateOne({ _id: document._id, request_time: touched, expires_at: document.expires_at },
            { $set: { expires_at: capped } });
        document.expires_at = capped;
    }

    public async deleteById(correlationId: string | null, id: string): Promise<SessionV1> {
        return await this.guard(correlationId, async () => SessionsMongoDbPersistence.toPublic(
            (await this.sessions.findOneAndDelete({ _id: id })).value));
    }

    /** closeTime and reason may be left out, as the original's closeExpired(correlationId, requestTime) is called: now and idle. */
    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date = new Date(),
        reason: SessionCloseReason = SessionCloseReasonV1.Idle): Promise<SessionV1[]> {
        return await this.closeMany(correlationId, { active: true, request_time: { $lt: requestTime } }, closeTime, reason);
    }

    public async deleteClosedBefore(correlationId: string | null, closeTime: Date): Promise<number> {
        return await this.guard(correlationId, async () =>
            (await this.sessions.deleteMany({ active: false, close_time: { $lt: closeTime } })).deletedCount);
    }

    /**
     * A TTL index on close_time, so the server deletes closed sessions by itself (within
     * a minute, its TTL monitor's period); a changed period is set on the existing index,
     * and period 0 drops it. Servers without TTL indexes (FerretDB 1.x) answer "not
     * implemented": then the sweep's deleteClosedBefore does the work.
     */
    public async applyRetention(correlationId: string | null, period: number): Promise<boolean> {
        return await this.guard(correlationId, async () => {
            if (period <= 0) {
                await this.sessions.dropIndex(RETENTION_INDEX).catch((err: unknown) => {
                    const absent = err instanceof MongoServerError && (err.code === INDEX_NOT_FOUND || err.code === NAMESPACE_NOT_FOUND);
                    if (!absent) throw err;
                });
                return false;
            }
            const expireAfterSeconds = Math.max(1, Math.ceil(period / 1000));
            try {
                await this.sessions.createIndex({ close_time: 1 }, { name: RETENTION_INDEX, expireAfterSeconds });
                return true;
            } catch (err) {
                if (err instanceof MongoServerError && (err.code === NOT_IMPLEMENTED || err.code === COMMAND_NOT_FOUND)) return false;
                if (!(err instanceof MongoServerError && err.code === INDEX_OPTIONS_CONFLICT)) throw err;
            }
            await this._db.command({ collMod: this._collectionName, index: { name: RETENTION_INDEX, expireAfterSeconds } });
            return true;
        });
    }

    public async closeOpenedBefore(correlationId: string | null, openTime: Date, closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]> {
        return await this.closeMany(correlationId, { active: true, open_time: { $lt: openTime } }, closeTime, reason);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptId: string | null,
        closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]> {
        const filter: Filter<SessionDocument> = { user_id: userId, active: true };
        if (exceptId != null) filter._id = { $ne: exceptId };
        return await this.closeMany(correlationId, filter, closeTime, reason);
    }

    /**
     * Closes what the filter matches with updateMany, in batches of ids: each session is
     * closed once, whichever replica gets there first (the filter is checked again in the
     * update). The sessions this call closed are read back for the audit log by a random
     * token the update set, then cleared: two replicas sweeping in the same millisecond
     * stamp the same close_time, so that alone cannot tell whose close it was.
     */
    private async closeMany(correlationId: string | null, filter: Filter<SessionDocument>, closeTime: Date,
        reason: SessionCloseReason): Promise<SessionV1[]> {
        return await this.guard(correlationId, async () => {
            const ids = (await this.sessions.find(filter, { projection: { _id: 1 } }).toArray()).map(document => document._id);
            const closed: SessionV1[] = [];
            const token = randomBytes(16).toString('base64url');
            for (let start = 0; start < ids.length; start += SessionsMongoDbPersistence.CloseBatch) {
                const batch = ids.slice(start, start + SessionsMongoDbPersistence.CloseBatch);
                const result = await this.sessions.updateMany({ $and: [filter, { _id: { $in: batch } }] }, { $set: {
                    ...SessionClosing.fields(closeTime, reason), close_token: token
                } });
                if (result.modifiedCount === 0) continue;
                const documents = await this.sessions.find({ _id: { $in: batch }, close_token: token },
                    { projection: { user: 0, data: 0 } }).toArray();
                await this.sessions.updateMany({ _id: { $in: batch }, close_token: token }, { $unset: { close_token: '' } });
                for (const document of documents) closed.push(SessionsMongoDbPersistence.toPublic(document));
            }
            return closed;
        });
    }

    /** A ping: fails (503) while the server cannot be reached, within connect_timeout. */
    public async checkReady(correlationId: string | null): Promise<void> {
        if (!this.isOpen()) {
            throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.STORE_NOT_OPEN, 'The session store is not open')
                .withStatus(503);
        }
        await this.guard(correlationId, async () => { await this._db.command({ ping: 1 }); });
    }

    // Null for "not found"; typed SessionV1 because the toolkit's base class, whose
    // methods these override, was typed without strict null checks.
    private static toPublic(document: SessionDocument | null): SessionV1 {
        if (document == null) return null as unknown as SessionV1;
        // close_token only if a crash came between a bulk close and its clean-up.
        const { _id, close_token: token, ...fields } = document;
        return { id: _id, ...fields } as SessionV1;
    }

    private get sessions(): Collection<SessionDocument> {
        return this._collection as unknown as Collection<SessionDocument>;
    }

    private async guard<T>(correlationId: string | null, operation: () => Promise<T>): Promise<T> {
        try {
            return await operation();
        } catch (err) {
            throw SessionsMongoDbPersistence.translate(correlationId, err);
        }
    }

    private static translate(correlationId: string | null, err: unknown): unknown {
        if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError
            || err instanceof MongoNotConnectedError || err instanceof MongoTopologyClosedError) {
            return new ConnectionException(correlationId ?? undefined, SessionsErrorCode.DATABASE_UNAVAILABLE,
                'The session store is unavailable').withStatus(503).withCause(err);
        }
        if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) {
            return new ConflictException(correlationId ?? undefined, SessionsErrorCode.SESSION_ALREADY_EXISTS,
                'A session with this id already exists');
        }
        return err;
    }

    /**
     * Caps the driver's server selection wait (30 s by default) at options.connect_timeout,
     * through the URI because the toolkit does not pass that setting on.
     */
    private static withDriverSettings(config: ConfigParams): ConfigParams {
        const result = ConfigParams.fromValue(config);
        // The toolkit's default keep_alive becomes keepAliveInitialDelay, which the driver
        // warns about at every connect; the driver's own keep-alive default is right.
        if (config.getAsNullableString('options.keep_alive') == null) result.setAsObject('options.keep_alive', '');
        const settings = new SessionsSettingReader(config);
        const timeout = settings.millis('options.connect_timeout', 5000);
        const uri = config.getAsNullableString('connection.uri');
        if (uri == null || uri === '') settings.remotePort('connection.port', 27017);
        if (uri != null && uri !== '') {
            if (!/[?&]serverSelectionTimeoutMS=/i.test(uri)) {
                result.setAsObject('connection.uri', uri + (uri.includes('?') ? '&' : '?') + 'serverSelectionTimeoutMS=' + timeout);
            }
        } else if (config.getAsNullableString('connection.serverSelectionTimeoutMS') == null) {
            result.setAsObject('connection.serverSelectionTimeoutMS', timeout);
        }
        return result;
    }
}
