import { ConfigParams, DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import {
    PagingParamsMessage, SessionCloseUserReplyMessage, SessionEmptyReplyMessage, SessionObjectReplyMessage, SessionPageReplyMessage, SessionsProtoV1
} from '../../protos/SessionsProtoV1';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsGrpcCallV1 } from './SessionsGrpcCallV1';
import { SessionsGrpcClientBase } from './SessionsGrpcClientBase';
import { SessionsGrpcReplyV1 } from './SessionsGrpcReplyV1';
import { SessionsReplyV1 } from './SessionsReplyV1';

/**
 * The sessions service over its plain gRPC API (sessions_v1.Sessions), with the methods of
 * client-sessions-node's SessionsGrpcClientV1 (docs/grpc.md#clients). Filter values go as
 * strings (Dates as ISO 8601): the contract's map holds only strings.
 */
export class SessionsGrpcClientV1 extends SessionsGrpcClientBase implements ISessionsClientV1 {
    private _configured = false;

    public constructor(config?: unknown) {
        super(SessionsProtoV1.sessions());
        if (config != null) this.configure(ConfigParams.fromValue(config));
    }

    public configure(config: ConfigParams): void {
        super.configure(config.setDefaults(SessionsGrpcCallV1.clientDefaults));
        this._configured = true;
    }

    public async open(correlationId: string | null): Promise<void> {
        // Configured once only: the connection resolver adds connections, it never replaces them.
        if (!this._configured) this.configure(new ConfigParams());
        await super.open(correlationId);
    }

    public async getSessions(correlationId: string | null, filter?: FilterParams | null,
        paging?: PagingParams | null): Promise<DataPage<SessionV1>> {
        const pagingMessage = SessionsGrpcClientV1.toPaging(paging);
        const reply = await this.invoke<SessionPageReplyMessage>('get_sessions', correlationId, {
            filter: SessionsGrpcClientV1.toFilter(filter),
            paging: pagingMessage
        });
        return SessionsGrpcReplyV1.toPage(correlationId, reply.page, pagingMessage?.total === true);
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.invoke<SessionObjectReplyMessage>('get_session_by_id', correlationId, { session_id: sessionId });
        return SessionsGrpcReplyV1.toSessionOrNull(correlationId, reply.session);
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const reply = await this.invoke<SessionObjectReplyMessage>('open_session', correlationId, {
            user_id: userId,
            user_name: userName ?? '',
            address: address ?? '',
            client: client ?? '',
            user: SessionsGrpcClientV1.toJson(user),
            data: SessionsGrpcClientV1.toJson(data)
        });
        return SessionsGrpcReplyV1.toSession(correlationId, reply.session);
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        const reply = await this.invoke<SessionObjectReplyMessage>('store_session_data', correlationId, {
            session_id: sessionId, data: SessionsGrpcClientV1.toJson(data)
        });
        return SessionsGrpcReplyV1.toSessionOrNull(correlationId, reply.session);
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        const reply = await this.invoke<SessionObjectReplyMessage>('update_session_user', correlationId, {
            session_id: sessionId, user: SessionsGrpcClientV1.toJson(user)
        });
        return SessionsGrpcReplyV1.toSessionOrNull(correlationId, reply.session);
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.invoke<SessionObjectReplyMessage>('close_session', correlationId, { session_id: sessionId });
        return SessionsGrpcReplyV1.toSessionOrNull(correlationId, reply.session);
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        await this.invoke<SessionEmptyReplyMessage>('close_expired_sessions', correlationId, {});
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.invoke<SessionObjectReplyMessage>('delete_session_by_id', correlationId, { session_id: sessionId });
        return SessionsGrpcReplyV1.toSessionOrNull(correlationId, reply.session);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        const reply = await this.invoke<SessionCloseUserReplyMessage>('close_user_sessions', correlationId, {
            user_id: userId, except_session_id: exceptSessionId ?? ''
        });
        return SessionsReplyV1.toClosedCount(correlationId, { closed: Number(reply.closed) });
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.invoke<SessionObjectReplyMessage>('validate_session', correlationId, { session_id: sessionId });
        return SessionsGrpcReplyV1.toSessionOrNull(correlationId, reply.session);
    }

    private async invoke<T>(method: string, correlationId: string | null, request: Record<string, unknown>): Promise<T> {
        const timing = this.instrument(correlationId, 'sessions.' + method);
        try {
            const reply = await this.call<T>(method, correlationId, { correlation_id: correlationId ?? '', ...request });
            timing.endTiming();
            return reply;
        } catch (err) {
            timing.endFailure(err as Error);
            throw err;
        }
    }

    /** The contract's map<string, string>: Dates as ISO 8601, other values as their text. */
    private static toFilter(filter: FilterParams | null | undefined): Record<string, string> {
        const result: Record<string, string> = {};
        if (filter == null) return result;
        for (const [key, value] of Object.entries(FilterParams.fromValue(filter))) {
            if (value == null || typeof value === 'function') continue;
            result[key] = value instanceof Date ? value.toISOString() : String(value);
        }
        return result;
    }

    /** take 0 asks for the service's default page size. */
    private static toPaging(paging: PagingParams | null | undefined): PagingParamsMessage | null {
        if (paging == null) return null;
        const params = PagingParams.fromValue(paging);
        return { skip: params.skip ?? 0, take: params.take ?? 0, total: params.total === true };
    }

    /** undefined is "not given" (""), anything else its JSON ("null" for null). */
    private static toJson(value: unknown): string {
        return value === undefined ? '' : JSON.stringify(value) ?? '';
    }
}
