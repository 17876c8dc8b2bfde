import {
    AnyValueMap, BadRequestException, ConfigParams, DataPage, DependencyResolver, Descriptor, FilterParams, ICommandable,
    IConfigurable, InvalidStateException, IOpenable, IReferenceable, IReferences, PagingParams
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionCloseReason, SessionCloseReasonV1 } from '../data/version1/SessionCloseReasonV1';
import { SessionClosing } from '../rules/SessionClosing';
import { SessionV1 } from '../data/version1/SessionV1';
import { ISessionsPersistence } from '../persistence/ISessionsPersistence';
import { SessionClosedException } from '../rules/SessionClosedException';
import { SessionLimit, SessionLimitPolicies } from '../rules/SessionLimit';
import { SessionLiveness } from '../rules/SessionLiveness';
import { SessionTimeouts } from '../rules/SessionTimeouts';
import { SessionLimitReachedException } from '../rules/SessionLimitReachedException';
import { DataTooLargeException } from './DataTooLargeException';
import { ISessionsController } from './ISessionsController';
import { SessionsAudit } from './SessionsAudit';
import { SessionIdGenerator } from './SessionIdGenerator';
import { SessionsMetrics } from './SessionsMetrics';
import { SessionsCommandSet } from './SessionsCommandSet';
import { SessionsSettingReader } from './SessionsSettingReader';
import { SessionRulesInForce } from './SessionRulesInForce';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * The rules of the service: ids, timestamps and expiry; stores only store. A session past
 * its time is never reported active: writes fail as on a closed one, reads close it on the
 * spot, listings leave it out (docs/sessions.md). Options: docs/configuration.md#controller-options.
 */
export class SessionsController
    implements ISessionsController, IConfigurable, IReferenceable, ICommandable, IOpenable {

    /** The default of options.max_data_size: the HTTP body limit, so nothing a request can carry is refused. */
    public static readonly DefaultMaxDataSize = 1048576;

    private static readonly _defaultConfig = ConfigParams.fromTuples(
        'dependencies.persistence', 'service-sessions:persistence:*:*:1.0'
    );

    private readonly _logger = new CompositeLogger();
    private readonly _audit = new SessionsAudit();
    private readonly _dependencyResolver = new DependencyResolver(SessionsController._defaultConfig);
    private _persistence: ISessionsPersistence | null = null;
    private _metrics: SessionsMetrics | null = null;
    private _commandSet: SessionsCommandSet | null = null;
    private _timeouts = new SessionTimeouts(24 * 3600000, 0);
    private _touchInterval = 60000;
    private _limit: SessionLimit | null = null;
    private _retentionPeriod = 0;
    private _maxDataSize = SessionsController.DefaultMaxDataSize;
    /** Whether the store deletes old closed sessions by itself (see applyRetention). */
    private _retainedByStore = false;
    private _opened = false;
    private _cleanupInterval = 15 * 60000;
    private _cleanupTimer: NodeJS.Timeout | null = null;
    private _sweeping = false;

    public configure(config: ConfigParams): void {
        const settings = new SessionsSettingReader(config);
        const idle = settings.millis('options.idle_timeout', settings.millis('options.expire_timeout', this._timeouts.idle));
        this._timeouts = new SessionTimeouts(idle, settings.millis('options.absolute_timeout', this._timeouts.absolute));
        this._touchInterval = settings.millis('options.touch_interval', this._touchInterval);
        const max = settings.count('options.max_sessions_per_user', this._limit?.max ?? 0);
        const policy = settings.oneOf('options.session_limit_policy', SessionLimitPolicies, this._limit?.policy ?? 'evict_oldest');
        this._limit = max > 0 ? { max, policy, reason: SessionCloseReasonV1.Evicted } : null;
        this._retentionPeriod = settings.millis('options.retention_period', this._retentionPeriod);
        this._maxDataSize = settings.bytes('options.max_data_size', this._maxDataSize);
        this._audit.configure(config);
        this._cleanupInterval = settings.millis('options.cleanup_interval', this._cleanupInterval);
        this._dependencyResolver.configure(config);
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
        this._audit.setReferences(references);
        this._dependencyResolver.setReferences(references);
        this._persistence = this._dependencyResolver.getOneRequired<ISessionsPersistence>('persistence');
        this._metrics = references.getOneOptional<SessionsMetrics>(
            new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    public getCommandSet(): SessionsCommandSet {
        if (this._commandSet == null) this._commandSet = new SessionsCommandSet(this);
        return this._commandSet;
    }

    public isOpen(): boolean {
        return this._opened;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this._opened) return;
        try {
            this._retainedByStore = await this.persistence.applyRetention(correlationId, this._retentionPeriod);
        } catch (err) {
            // Not a reason to refuse service: the sweep deletes old closed sessions instead.
            this._retainedByStore = false;
            this._logger.warn(correlationId ?? '', 'The store could not set up retention (%s); the sweep will delete old closed sessions',
                (err as Error).message);
        }
        if (this._limit?.policy !== 'reject') {
            await this.persistence.forgetSessionLimit?.(correlationId).catch((err: unknown) => {
                this._logger.warn(correlationId ?? '', 'The store could not forget its session limit places (%s)', (err as Error).message);
            });
        }
        this._opened = true;
        if (this._cleanupInterval <= 0) return;
        this._cleanupTimer = setInterval(() => { void this.sweep(correlationId); }, this._cleanupInterval);
        // The sweep alone must not keep a process alive that is otherwise done.
        this._cleanupTimer.unref();
    }

    public async close(correlationId: string | null): Promise<void> {
        this._opened = false;
        if (this._cleanupTimer != null) {
            clearInterval(this._cleanupTimer);
            this._cleanupTimer = null;
        }
    }

    /** The keyed hash audit lines give a session id; for operators' tools and tests. */
    public auditHash(sessionId: string): string {
        return this._audit.hash(sessionId);
    }

    /** The most bytes of JSON a session's user, and its data, may take (options.max_data_size). */
    public get maxDataSize(): number {
        return this._maxDataSize;
    }

    /** The rules in force, for the start-up line. */
    public get rulesInForce(): SessionRulesInForce {
        return {
            idle_timeout: this._timeouts.idle,
            absolute_timeout: this._timeouts.absolute,
            touch_interval: this._touchInterval,
            max_sessions_per_user: this._limit?.max ?? 0,
            session_limit_policy: this._limit?.policy ?? null,
            retention_period: this._retentionPeriod,
            cleanup_interval: this._cleanupInterval
        };
    }

    /** The timeouts in force; for the stores' conditions and for tests. */
    public get timeouts(): SessionTimeouts {
        return this._timeouts;
    }

    public async getSessions(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null): Promise<DataPage<SessionV1>> {
        const liveness = this.liveness();
        const persistence = this.persistence;
        let page: DataPage<SessionV1>;
        try {
            page = await persistence.getPageByFilter(correlationId, filter, paging, liveness);
        } catch (err) {
            throw this.storeFailed('get_page', err);
        }
        // Without an active filter a page may show sessions past their time that no sweep has
        // closed yet: they are closed now, as a read of each would close it.
        if (page.data.some(session => this.isExpired(session, liveness.now))) {
            page.data = await Promise.all(page.data.map(async session => {
                if (!this.isExpired(session, liveness.now)) return session;
                const closed = await this.closeExpiredSession(correlationId, session, liveness.now);
                if (closed == null) return session;
                const { user, data, ...listed } = closed;
                return listed as SessionV1;
            }));
        }
        return page;
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const now = this.now();
        const persistence = this.persistence;
        let session: SessionV1 | null;
        try {
            session = await persistence.getOneById(correlationId, sessionId);
        } catch (err) {
            throw this.storeFailed('get_one', err);
        }
        if (session == null || !this.isExpired(session, now)) return session;
        return await this.closeExpiredSession(correlationId, session, now);
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const session = await this.getSessionById(correlationId, sessionId);
        if (session == null || !session.active) return null;
        const now = this.now();
        // Within the touch interval the session is as good as touched: no write, so a
        // gateway's check per request costs one read.
        if (now - session.request_time.getTime() < this._touchInterval) return session;
        const persistence = this.persistence;
        try {
            return await persistence.updatePartially(correlationId, sessionId,
                AnyValueMap.fromTuples('request_time', new Date(now)), this.liveness(now));
        } catch (err) {
            this.storeFailed('update', err);
            // Closed, or expired, between the read and the touch.
            if (err instanceof SessionClosedException) return null;
            throw err;
        }
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        this.checkSize(correlationId, 'user', user);
        this.checkSize(correlationId, 'data', data);
        const session = new SessionV1(SessionsController.newSessionId(), userId,
            userName ?? undefined, address ?? undefined, client ?? undefined, new Date(this.now()));
        const expiresAt = this._timeouts.expiresAt(session.open_time.getTime(), session.request_time.getTime());
        if (expiresAt != null) session.expires_at = new Date(expiresAt);
        if (user !== undefined) session.user = user;
        if (data !== undefined) session.data = data;
        if (this._limit == null) {
            const persistence = this.persistence;
            let created: SessionV1;
            try {
                created = await persistence.create(correlationId, session);
            } catch (err) {
                throw this.storeFailed('create', err);
            }
            this.opened(correlationId, created);
            return created;
        }
        let result: { created: SessionV1; evicted: SessionV1[] };
        try {
            result = await this.track('create', this.persistence.createWithinLimit(correlationId, session, this._limit,
                this.liveness(session.open_time.getTime())));
        } catch (err) {
            if (err instanceof SessionLimitReachedException) this._audit.refused(correlationId, userId, client, address);
            throw err;
        }
        this.opened(correlationId, result.created);
        this._metrics?.sessionsEvicted(result.evicted.length);
        this.ended(correlationId, result.evicted, SessionCloseReasonV1.Evicted);
        return result.created;
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        return await this.touch(correlationId, sessionId, 'data', data);
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        return await this.touch(correlationId, sessionId, 'user', user);
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const now = this.now();
        try {
            const closed = await this.track('update', this.persistence.updatePartially(correlationId, sessionId,
                SessionsController.closing(now, SessionCloseReasonV1.Logout), this.liveness(now)));
            if (closed != null) {
                this._metrics?.sessionClosed();
                this.ended(correlationId, [closed], SessionCloseReasonV1.Logout);
            }
            return closed;
        } catch (err) {
            // Closing a closed session changes nothing: its close_time stays the first one.
            // An expired one is closed as expired (the read does that), not as a logout.
            if (err instanceof SessionClosedException) return await this.getSessionById(correlationId, sessionId);
            throw err;
        }
    }

    /** The absolute lifetime first, so a session past both is closed as absolute. */
    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        const now = this.now();
        let count = 0;
        const absolute = this._timeouts.absoluteBound(now);
        if (absolute != null) {
            const closed = await this.track('close_expired', this.persistence.closeOpenedBefore(correlationId,
                new Date(absolute), new Date(now), SessionCloseReasonV1.Absolute));
            this.ended(correlationId, closed, SessionCloseReasonV1.Absolute);
            count += closed.length;
        }
        const idle = this._timeouts.idleBound(now);
        if (idle != null) {
            const closed = await this.track('close_expired', this.persistence.closeExpired(correlationId,
                new Date(idle), new Date(now), SessionCloseReasonV1.Idle));
            this.ended(correlationId, closed, SessionCloseReasonV1.Idle);
            count += closed.length;
        }
        this._metrics?.sessionsExpired(count);
        if (count > 0) this._logger.info(correlationId ?? '', 'Closed %d expired sessions', count);
        if (this._retentionPeriod > 0 && !this._retainedByStore) {
            const deleted = await this.track('delete_closed', this.persistence.deleteClosedBefore(correlationId,
                new Date(now - this._retentionPeriod)));
            this._metrics?.sessionsPurged(deleted);
            if (deleted > 0) this._logger.info(correlationId ?? '', 'Deleted %d sessions closed longer than retention_period', deleted);
        }
    }

    public async closeUserSessions(correlationId: string | null, userId: string,
        exceptSessionId?: string | null): Promise<number> {
        // Checked here too, not only by the command: in-process callers (the direct client)
        // must not revoke the sessions of the user "" by mistake either.
        if (typeof userId !== 'string' || userId === '') {
            throw new BadRequestException(correlationId ?? undefined, SessionsErrorCode.INVALID_DATA, 'user_id must be a non-empty string')
                .withDetails('field', 'user_id');
        }
        const closed = await this.track('close_user', this.persistence.closeUserSessions(correlationId, userId,
            exceptSessionId ?? null, new Date(this.now()), SessionCloseReasonV1.Revoked));
        this._metrics?.sessionsRevoked(closed.length);
        this.ended(correlationId, closed, SessionCloseReasonV1.Revoked);
        return closed.length;
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.track('delete', this.persistence.deleteById(correlationId, sessionId));
    }

    /** 128 bits from the OS's cryptographic source as 32 lowercase hex characters. */
    public static newSessionId(): string {
        return SessionIdGenerator.next();
    }

    /** Sets a field and records the activity, if the session is live; see closeSession for the rest. */
    private async touch(correlationId: string | null, sessionId: string, field: string,
        value: unknown): Promise<SessionV1 | null> {
        this.checkSize(correlationId, field, value);
        const now = this.now();
        const persistence = this.persistence;
        try {
            return await persistence.updatePartially(correlationId, sessionId,
                AnyValueMap.fromTuples('request_time', new Date(now), field, value), this.liveness(now));
        } catch (err) {
            this.storeFailed('update', err);
            // A session past its time is closed now, so that what the caller reads next says why.
            if (err instanceof SessionClosedException) await this.getSessionById(correlationId, sessionId);
            throw err;
        }
    }

    /**
     * Refuses a user or data whose JSON text is over max_data_size, before anything is
     * stored: every store keeps or writes that text, so it bounds one session's memory.
     */
    private checkSize(correlationId: string | null, field: string, value: unknown): void {
        if (value === undefined || value === null) return;
        // Measured as the stores and replies write it: JSON.stringify's text in UTF-8 bytes.
        const text = JSON.stringify(value);
        // A UTF-16 code unit takes at most 3 bytes of UTF-8: short text needs no count.
        if (text === undefined || text.length * 3 <= this._maxDataSize) return;
        const size = Buffer.byteLength(text, 'utf8');
        if (size > this._maxDataSize) throw new DataTooLargeException(correlationId, field, size, this._maxDataSize);
    }

    /**
     * Closes a session found past its time (reason absolute or idle), only if it is still
     * active; returns the session as it is after that, or null if it has been deleted.
     */
    private async closeExpiredSession(correlationId: string | null, session: SessionV1,
        now: number): Promise<SessionV1 | null> {
        const reason = this._timeouts.isPastAbsolute(session.open_time.getTime(), now)
            ? SessionCloseReasonV1.Absolute : SessionCloseReasonV1.Idle;
        try {
            const closed = await this.track('update', this.persistence.updatePartially(correlationId, session.id,
                SessionsController.closing(now, reason), { now, timeouts: SessionTimeouts.None }));
            if (closed != null) {
                this._metrics?.sessionsExpired(1);
                this.ended(correlationId, [closed], reason);
            }
            return closed;
        } catch (err) {
            // Closed by someone else since it was read.
            if (err instanceof SessionClosedException) {
                return await this.track('get_one', this.persistence.getOneById(correlationId, session.id));
            }
            throw err;
        }
    }

    private opened(correlationId: string | null, session: SessionV1): void {
        this._metrics?.sessionOpened();
        this._audit.opened(correlationId, session);
    }

    /** Every close goes through here: one audit line per session, and the count by reason. */
    private ended(correlationId: string | null, sessions: SessionV1[], reason: SessionCloseReason): void {
        if (sessions.length === 0) return;
        this._metrics?.sessionsEnded(reason, sessions.length);
        this._audit.closed(correlationId, sessions, reason);
    }

    /** The time every rule reads (milliseconds since the epoch); tests step it by hand. */
    protected now(): number {
        return Date.now();
    }

    private isExpired(session: SessionV1, now: number): boolean {
        return session.active && !this._timeouts.isLive(session.open_time.getTime(), session.request_time.getTime(), now);
    }

    private liveness(now: number = this.now()): SessionLiveness {
        return { now, timeouts: this._timeouts };
    }

    private static closing(now: number, reason: SessionCloseReason): AnyValueMap {
        return new AnyValueMap(SessionClosing.fields(new Date(now), reason));
    }

    // A failing sweep (say, the database is down) is logged and tried again next time;
    // the original let it escape as an unhandled rejection that ended the process.
    private async sweep(correlationId: string | null): Promise<void> {
        if (this._sweeping) return;
        this._sweeping = true;
        try {
            await this.closeExpiredSessions(correlationId);
        } catch (err) {
            this._logger.error(correlationId ?? '', err as Error, 'Closing expired sessions failed; will retry in %d ms',
                this._cleanupInterval);
        } finally {
            this._sweeping = false;
        }
    }

    /**
     * Counts a failed store call (unless the caller caused it, see SessionsMetrics) and
     * gives the error back to throw. The paths of every request call it in their own catch
     * rather than through track(): one promise and one turn less per request.
     */
    private storeFailed(operation: string, err: unknown): unknown {
        this._metrics?.storeFailed(operation, err);
        return err;
    }

    private track<T>(operation: string, call: Promise<T>): Promise<T> {
        const metrics = this._metrics;
        if (metrics == null) return call;
        return call.catch((err: unknown) => {
            metrics.storeFailed(operation, err);
            throw err;
        });
    }

    private get persistence(): ISessionsPersistence {
        if (this._persistence == null) throw new InvalidStateException(undefined, SessionsErrorCode.NO_PERSISTENCE, 'SessionsController has no persistence: call setReferences first');
        return this._persistence;
    }
}
