import { DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';

/**
 * The sessions service as its clients see it: the methods of client-sessions-node 1.1.3, in order and
 * with the same arguments, typed as the service behaves (null for no session; docs/clients.md).
 */
export interface ISessionsClientV1 {
    /** Newest request_time first, without user and data; filter keys: id, user_id, active, from_time, to_time, client, address, close_reason. */
    getSessions(correlationId: string | null, filter?: FilterParams | null, paging?: PagingParams | null): Promise<DataPage<SessionV1>>;

    getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;

    /** Always opens a new session. */
    openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1>;

    storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null>;

    updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null>;

    /** The session, now inactive with close_time set and user and data cleared. */
    closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;

    /** Closes the active sessions past the service's idle_timeout or absolute_timeout. */
    closeExpiredSessions(correlationId: string | null): Promise<void>;

    /** The deleted session. */
    deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;

    /**
     * Not in client-sessions-node: closes every active session of a user (close_reason
     * "revoked"), but exceptSessionId if given; resolves to how many it closed.
     */
    closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number>;

    /**
     * Not in client-sessions-node: the session (with user and data) if it is active and
     * unexpired, else null; records the activity at most once per the service's
     * touch_interval. The one call a gateway makes per request.
     */
    validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;
}
