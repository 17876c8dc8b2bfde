import { ConfigParams, DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsHttpClientBaseV1 } from './SessionsHttpClientBaseV1';
import { SessionsReplyV1 } from './SessionsReplyV1';

/**
 * The sessions service over its commandable HTTP API (POST /v1/sessions/<command>),
 * also exported as SessionsHttpClientV1.
 *
 * Configuration (all optional):
 * - connection.protocol, connection.host, connection.port, or connection.uri: the service
 *   (default http://localhost:8080, the service's own default)
 * - options.connect_timeout: ms to wait for a connection (default 5000)
 * - options.timeout: ms to wait for an answer once connected (default 10000: the service
 *   itself answers within 5 s when its database is down)
 * - options.retries: how many times to retry a connection that could not be made (default 2;
 *   0 means no retry)
 * - options.retry_delay: ms before the first retry, doubling for each next one (default 1000)
 * - options.correlation_id: where the correlation id goes: query (default), headers or both
 * - auth.api_key: the service's full key (HTTP_API_KEY) or application key (APP_API_KEY), sent as
 *   an x-api-key header; with the application key, a command out of its scope fails with
 *   403 FORBIDDEN_SCOPE (an UnauthorizedException)
 *
 * Not built on the toolkit's CommandableHttpClient, whose module loads restify (which does not
 * load on Node 24), but on SessionsHttpClientBaseV1, the same members on Node's http with a
 * keep-alive agent. With the toolkit's defaults a call to a down service rejected after
 * about 70 s with a raw Error, retries 0 meant 4 retries, and an error reply lost its HTTP
 * status. Here:
 * - a service that cannot be reached is a ConnectionException (CONNECTION_FAILED, 503) naming
 *   the URL, after the configured retries; no answer in time is REQUEST_TIMEOUT (504), a
 *   connection broken mid-call CONNECTION_LOST (502);
 * - an error reply of the service is the toolkit's typed exception for its category, with
 *   the service's code, message, details and HTTP status;
 * - a 502/503/504 without the service's error body (a proxy in front of a stopped service)
 *   is a ConnectionException SERVICE_UNAVAILABLE with that status;
 * - results are SessionV1 objects with Date fields; "no such session" (204) is null.
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
