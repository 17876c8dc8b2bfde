import { DataPage, InvocationException } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionMessage, SessionPageMessage } from '../../protos/SessionsProtoV1';
import { SessionsReplyV1 } from './SessionsReplyV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * Turns sessions_v1 reply messages into what the clients promise: SessionV1 objects with
 * Dates, as from the HTTP client.
 *
 * An empty string is a field the service left out (proto3 has no null): user_name,
 * address, client, close_time and close_reason are then left out; user and data are left out for "",
 * null for the JSON "null" (a closed session), as over HTTP.
 */
export class SessionsGrpcReplyV1 {
    public static toSessionOrNull(correlationId: string | null, message: SessionMessage | null | undefined): SessionV1 | null {
        return message == null ? null : SessionsReplyV1.toSession(correlationId, SessionsGrpcReplyV1.toJson(correlationId, message));
    }

    public static toSession(correlationId: string | null, message: SessionMessage | null | undefined): SessionV1 {
        const session = SessionsGrpcReplyV1.toSessionOrNull(correlationId, message);
        if (session == null) throw SessionsGrpcReplyV1.invalid(correlationId, 'The sessions service answered without a session');
        return session;
    }

    /** total only when it was asked for: otherwise the service sends 0 for "not counted". */
    public static toPage(correlationId: string | null, message: SessionPageMessage | null | undefined,
        totalAsked: boolean): DataPage<SessionV1> {
        if (message == null) throw SessionsGrpcReplyV1.invalid(correlationId, 'The sessions service answered without a page');
        const data = (message.data ?? []).map(item => SessionsGrpcReplyV1.toSession(correlationId, item));
        return new DataPage<SessionV1>(data, (totalAsked ? Number(message.total) : null) as number);
    }

    private static toJson(correlationId: string | null, message: SessionMessage): Record<string, unknown> {
        const json: Record<string, unknown> = { id: message.id, user_id: message.user_id, active: message.active };
        for (const field of ['user_name', 'open_time', 'close_time', 'request_time', 'address', 'client', 'close_reason',
            'expires_at'] as const) {
            if (message[field] !== '' && message[field] != null) json[field] = message[field];
        }
        for (const field of ['user', 'data'] as const) {
            const text = message[field];
            if (text === '' || text == null) continue;
            try {
                json[field] = JSON.parse(text);
            } catch {
                throw SessionsGrpcReplyV1.invalid(correlationId, 'The sessions service answered with a session whose ' + field + ' is not JSON');
            }
        }
        return json;
    }

    private static invalid(correlationId: string | null, message: string): InvocationException {
        return new InvocationException(correlationId ?? undefined, SessionsErrorCode.INVALID_REPLY, message);
    }
}
