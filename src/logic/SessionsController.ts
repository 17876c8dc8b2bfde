import {
    AnyValueMap, BadRequestException, CommandSet, ConfigParams, DataPage, DependencyResolver, Descriptor, FilterParams, ICommandable,
    IConfigurable, InvalidStateException, IOpenable, IReferenceable, IReferences, PagingParams
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionCloseReasonV1 } from '../data/version1/SessionCloseReasonV1';
import { SessionV1 } from '../data/version1/SessionV1';
import { ISessionsPersistence } from '../persistence/ISessionsPersistence';
import { SessionClosedException } from '../persistence/SessionClosedException';
import { ISessionsController } from './ISessionsController';
import { SessionIdGenerator } from './SessionIdGenerator';
import { SessionsMetrics } from './SessionsMetrics';
import { SessionsCommandSet } from './SessionsCommandSet';

/**
 * The rules of the service: ids, timestamps and expiry. Stores only store.
 *
 * Configuration:
 * - options.expire_timeout: idle time after which an active session is closed (ms, default 24 h)
 * - options.cleanup_interval: how often the expiry sweep runs (ms, default 15 min; 0 turns it off)
 * - dependencies.persistence: the store (default service-sessions:persistence:*:*:1.0)
 *
 * References: service-sessions:metrics:*:*:1.0, optional; counts sessions opened, closed
 * and expired, and store failures.
 */
export class SessionsController
    implements ISessionsController, IConfigurable, IReferenceable, ICommandable, IOpenable {

    private static readonly _defaultConfig = ConfigParams.fromTuples(
        'dependencies.persistence', 'service-sessions:persistence:*:*:1.0'
    );

    private readonly _logger = new CompositeLogger();
    private readonly _dependencyResolver = new DependencyResolver(SessionsController._defaultConfig);
    private _persistence: ISessionsPersistence | null = null;
    private _metrics: SessionsMetrics | null = null;
    private _commandSet: SessionsCommandSet | null = null;
    private _expireTimeout = 24 * 3600000;
    private _cleanupInterval = 15 * 60000;
    private _cleanupTimer: NodeJS.Timeout | null = null;
    private _sweeping = false;

    public configure(config: ConfigParams): void {
        this._expireTimeout = config.getAsLongWithDefault('options.expire_timeout', this._expireTimeout);
        this._cleanupInterval = config.getAsLongWithDefault('options.cleanup_interval', this._cleanupInterval);
        this._dependencyResolver.configure(config);
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
        this._dependencyResolver.setReferences(references);
        this._persistence = this._dependencyResolver.getOneRequired<ISessionsPersistence>('persistence');
        this._metrics = references.getOneOptional<SessionsMetrics>(
            new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    public getCommandSet(): CommandSet {
        if (this._commandSet == null) this._commandSet = new SessionsCommandSet(this);
        return this._commandSet;
    }

    public isOpen(): boolean {
        return this._cleanupTimer != null;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this._cleanupTimer != null || this._cleanupInterval <= 0) return;
        this._cleanupTimer = setInterval(() => { void this.sweep(correlationId); }, this._cleanupInterval);
        // The sweep alone must not keep a process alive that is otherwise done.
        this._cleanupTimer.unref();
    }

    public async close(correlationId: string | null): Promise<void> {
        if (this._cleanupTimer != null) {
            clearInterval(this._cleanupTimer);
            this._cleanupTimer = null;
        }
    }

    public async getSessions(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null): Promise<DataPage<SessionV1>> {
        return await this.track('get_page', this.persistence.getPageByFilter(correlationId, filter, paging));
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.track('get_one', this.persistence.getOneById(correlationId, sessionId));
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const session = new SessionV1(SessionsController.newSessionId(), userId,
            userName ?? undefined, address ?? undefined, client ?? undefined);
        if (user !== undefined) session.user = user;
        if (data !== undefined) session.data = data;
        const created = await this.track('create', this.persistence.create(correlationId, session));
        this._metrics?.sessionOpened();
        return created;
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        return await this.track('update', this.persistence.updatePartially(correlationId, sessionId,
            AnyValueMap.fromTuples('request_time', new Date(), 'data', data), true));
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        return await this.track('update', this.persistence.updatePartially(correlationId, sessionId,
            AnyValueMap.fromTuples('request_time', new Date(), 'user', user), true));
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const now = new Date();
        try {
            const closed = await this.track('update', this.persistence.updatePartially(correlationId, sessionId,
                AnyValueMap.fromTuples('active', false, 'request_time', now, 'close_time', now,
                    'close_reason', SessionCloseReasonV1.Logout, 'data', null, 'user', null), true));
            if (closed != null) this._metrics?.sessionClosed();
            return closed;
        } catch (err) {
            // Closing a closed session changes nothing: its close_time stays the first one.
            if (err instanceof SessionClosedException) return await this.getSessionById(correlationId, sessionId);
            throw err;
        }
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        const now = new Date();
        const count = await this.track('close_expired', this.persistence.closeExpired(correlationId,
            new Date(now.getTime() - this._expireTimeout), now, SessionCloseReasonV1.Idle));
        this._metrics?.sessionsExpired(count);
        if (count > 0) this._logger.info(correlationId ?? '', 'Closed %d expired sessions', count);
    }

    public async closeUserSessions(correlationId: string | null, userId: string,
        exceptSessionId?: string | null): Promise<number> {
        // Checked here too, not only by the command: in-process callers (the direct client)
        // must not revoke the sessions of the user "" by mistake either.
        if (typeof userId !== 'string' || userId === '') {
            throw new BadRequestException(correlationId ?? undefined, 'INVALID_DATA', 'user_id must be a non-empty string')
                .withDetails('field', 'user_id');
        }
        const count = await this.track('close_user', this.persistence.closeUserSessions(correlationId, userId,
            exceptSessionId ?? null, new Date(), SessionCloseReasonV1.Revoked));
        this._metrics?.sessionsRevoked(count);
        return count;
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.track('delete', this.persistence.deleteById(correlationId, sessionId));
    }

    /** 128 bits from the OS's cryptographic source as 32 lowercase hex characters. */
    public static newSessionId(): string {
        return SessionIdGenerator.next();
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

    private track<T>(operation: string, call: Promise<T>): Promise<T> {
        const metrics = this._metrics;
        if (metrics == null) return call;
        return call.catch((err: unknown) => {
            metrics.storeFailed(operation, err);
            throw err;
        });
    }

    private get persistence(): ISessionsPersistence {
        if (this._persistence == null) throw new InvalidStateException(undefined, 'NO_PERSISTENCE', 'SessionsController has no persistence: call setReferences first');
        return this._persistence;
    }
}
