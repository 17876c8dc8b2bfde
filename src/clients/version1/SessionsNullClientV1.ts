import { DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionIdGenerator } from '../../logic/SessionIdGenerator';
import { ISessionsClientV1 } from './ISessionsClientV1';

/**
 * A client that does nothing, for code that must run without a sessions service: there are never
 * any sessions, and openSession hands back a new one it does not keep. Every method returns a
 * promise (the original's returned a bare null, so `.then()` threw).
 */
export class SessionsNullClientV1 implements ISessionsClientV1 {
    public async getSessions(correlationId: string | null, filter?: FilterParams | null,
        paging?: PagingParams | null): Promise<DataPage<SessionV1>> {
        return new DataPage<SessionV1>([], 0);
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return null;
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const session = new SessionV1(SessionIdGenerator.next(), userId,
            userName ?? undefined, address ?? undefined, client ?? undefined);
        if (user !== undefined) session.user = user;
        if (data !== undefined) session.data = data;
        return session;
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        return null;
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        return null;
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return null;
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        // No sessions, so none expire.
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return null;
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        return 0;
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return null;
    }
}
