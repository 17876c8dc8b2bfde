import { ConfigParams, DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsHttpClientBaseV1 } from './SessionsHttpClientBaseV1';
import { SessionsReplyV1 } from './SessionsReplyV1';

/**
 * The sessions service over its commandable HTTP API (POST /v1/sessions/<command>), also
 * exported as SessionsHttpClientV1. On our own transport: the toolkit's client loads restify,
 * which does not load on Node 24 (configuration, errors and differences: docs/clients.md).
 */
export class SessionsCommandableHttpClientV1 extends SessionsHttpClientBaseV1 implements ISessionsClientV1 {
    public constructor(config?: unknown) {
        super('v1/sessions');
        if (config != null) this.configure(ConfigParams.fromValue(config));
    }

    public async getSessions(correlationId: string | null, filter?: FilterParams | null,
        paging?: PagingParams | null): Promise<DataPage<SessionV1>> {
        const reply = await this.callCommand('get_sessions', correlationId, { filter: filter, paging: paging });
        return SessionsReplyV1.toPage(correlationId, reply);
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.callCommand('get_session_by_id', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const reply = await this.callCommand('open_session', correlationId, {
            user_id: userId, user_name: userName, address: address, client: client, user: user, data: data
        });
        return SessionsReplyV1.toSession(correlationId, reply);
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        const reply = await this.callCommand('store_session_data', correlationId, { session_id: sessionId, data: data });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        const reply = await this.callCommand('update_session_user', correlationId, { session_id: sessionId, user: user });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.callCommand('close_session', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        await this.callCommand('close_expired_sessions', correlationId, {});
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.callCommand('delete_session_by_id', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        const reply = await this.callCommand('close_user_sessions', correlationId, { user_id: userId, except_session_id: exceptSessionId });
        return SessionsReplyV1.toClosedCount(correlationId, reply);
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.callCommand('validate_session', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }
}
