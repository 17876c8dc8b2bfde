import { ConfigParams, DataPage, FilterParams, InvocationException, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { InvokeReplyMessage, InvokeRequestMessage, SessionsProtoV1 } from '../../protos/SessionsProtoV1';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsGrpcCallV1 } from './SessionsGrpcCallV1';
import { SessionsGrpcClientBase } from './SessionsGrpcClientBase';
import { SessionsReplyV1 } from './SessionsReplyV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * The sessions service over the toolkit's commandable gRPC contract (commandable.Commandable/invoke),
 * with the methods of client-sessions-node's SessionsCommandableGrpcClientV1 (docs/grpc.md#clients).
 */
export class SessionsCommandableGrpcClientV1 extends SessionsGrpcClientBase implements ISessionsClientV1 {
    /** The commands' prefix: methods are v1/sessions.<command>. */
    protected readonly _name = 'v1/sessions';
    private _configured = false;

    public constructor(config?: unknown) {
        super(SessionsProtoV1.commandable());
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
        const result = await this.command('get_sessions', correlationId, { filter: filter, paging: paging });
        return SessionsReplyV1.toPage(correlationId, result);
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const result = await this.command('get_session_by_id', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, result);
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const result = await this.command('open_session', correlationId, {
            user_id: userId, user_name: userName, address: address, client: client, user: user, data: data
        });
        return SessionsReplyV1.toSession(correlationId, result);
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        const result = await this.command('store_session_data', correlationId, { session_id: sessionId, data: data });
        return SessionsReplyV1.toSessionOrNull(correlationId, result);
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        const result = await this.command('update_session_user', correlationId, { session_id: sessionId, user: user });
        return SessionsReplyV1.toSessionOrNull(correlationId, result);
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const result = await this.command('close_session', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, result);
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        await this.command('close_expired_sessions', correlationId, {});
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const result = await this.command('delete_session_by_id', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, result);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        const result = await this.command('close_user_sessions', correlationId, { user_id: userId, except_session_id: exceptSessionId });
        return SessionsReplyV1.toClosedCount(correlationId, result);
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const result = await this.command('validate_session', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, result);
    }

    /** One command: its JSON result, null for none; the service's error as its typed exception. */
    private async command(name: string, correlationId: string | null, args: Record<string, unknown>): Promise<unknown> {
        const method = this._name + '.' + name;
        const timing = this.instrument(correlationId, 'sessions.' + name);
        try {
            const request: InvokeRequestMessage = {
                method: method,
                correlation_id: correlationId ?? '',
                args_empty: false,
                args_json: JSON.stringify(args)
            };
            const reply = await this.call<InvokeReplyMessage>('invoke', correlationId, request);
            if (reply.error != null) {
                throw SessionsGrpcCallV1.fromDescription(reply.error, correlationId);
            }
            const result = reply.result_empty || reply.result_json === '' ? null : SessionsCommandableGrpcClientV1.parse(correlationId, reply.result_json);
            timing.endTiming();
            return result;
        } catch (err) {
            timing.endFailure(err as Error);
            throw err;
        }
    }

    private static parse(correlationId: string | null, json: string): unknown {
        try {
            return JSON.parse(json);
        } catch {
            throw new InvocationException(correlationId ?? undefined, SessionsErrorCode.INVALID_REPLY, 'The sessions service answered with a result that is not JSON');
        }
    }
}
