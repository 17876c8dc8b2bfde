import { DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../data/version1/SessionV1';

/** The contract of the service (ISessionsV1), as every transport and the direct client see it. */
export interface ISessionsController {
    getSessions(correlationId: string | null, filter: FilterParams | null, paging: PagingParams | null): Promise<DataPage<SessionV1>>;

    getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;

    openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1>;

    storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null>;

    updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null>;

    closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;

    closeExpiredSessions(correlationId: string | null): Promise<void>;

    deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;

    /**
     * Closes every active session of a user (close_reason "revoked"), except one if given
     * (the caller's own, for "sign out everywhere else"); returns how many it closed.
     */
    closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number>;

    /**
     * The check a gateway makes on every request: the session (with user and data) if it
     * is active and unexpired, else null. Records the activity at most once per touch
     * interval, so most calls write nothing.
     */
    validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null>;
}
