import { DataPage } from 'pip-services3-commons-nodex';

import { SessionCloseReasonV1 } from '../data/version1/SessionCloseReasonV1';
import { SessionV1 } from '../data/version1/SessionV1';
import { SessionV1Wire } from '../data/version1/SessionV1Wire';

type JsonObject = Record<string, unknown>;

const DAY = 24 * 60 * 60 * 1000;

/**
 * The sessions the commands' examples show, made by SessionV1 and SessionV1Wire as real
 * replies are, so an example has exactly the fields and nulls a reply has.
 */
export class SessionsCommandExamples {
    public static readonly SessionId = '0f4c3a9e2b7d4e61a8c5f2d9b3e7a1c4';
    public static readonly OtherSessionId = '9b1d7e3a5c2f4d8e6a0b3c7f1e9d2a5b';
    public static readonly UserId = '1';
    public static readonly User: JsonObject = { name: 'Test User', roles: ['admin'] };
    public static readonly Data: JsonObject = { theme: 'dark' };

    private static readonly Opened = new Date('2024-05-01T09:00:00.000Z');
    private static readonly LastRequest = new Date('2024-05-01T09:12:30.000Z');

    /** The request of open_session that made the example session. */
    public static openRequest(): JsonObject {
        return {
            user_id: SessionsCommandExamples.UserId, user_name: 'Test User', address: '192.168.1.1', client: 'Test Client',
            user: SessionsCommandExamples.User, data: SessionsCommandExamples.Data
        };
    }

    /** The session open_session answers, with the default 24 h idle timeout. */
    public static opened(): JsonObject {
        return SessionsCommandExamples.json(SessionV1Wire.session(SessionsCommandExamples.session(SessionsCommandExamples.Opened)));
    }

    /** The same session a few minutes later, with user and data as given. */
    public static active(user: unknown = SessionsCommandExamples.User, data: unknown = SessionsCommandExamples.Data): JsonObject {
        const session = SessionsCommandExamples.session(SessionsCommandExamples.LastRequest);
        session.user = user;
        session.data = data;
        return SessionsCommandExamples.json(SessionV1Wire.session(session));
    }

    /** The session closed by close_session: user and data cleared. */
    public static closed(): JsonObject {
        const session = SessionsCommandExamples.session(SessionsCommandExamples.LastRequest);
        session.active = false;
        session.close_time = SessionsCommandExamples.LastRequest;
        session.close_reason = SessionCloseReasonV1.Logout;
        session.user = null;
        session.data = null;
        return SessionsCommandExamples.json(SessionV1Wire.session(session));
    }

    /** A page as get_sessions answers it with paging.total: listed sessions carry no user and data. */
    public static page(): JsonObject {
        const session = SessionsCommandExamples.session(SessionsCommandExamples.LastRequest);
        return SessionsCommandExamples.json(SessionV1Wire.page(new DataPage<SessionV1>([session], 1)));
    }

    private static session(requestTime: Date): SessionV1 {
        const session = new SessionV1(SessionsCommandExamples.SessionId, SessionsCommandExamples.UserId, 'Test User',
            '192.168.1.1', 'Test Client', SessionsCommandExamples.Opened);
        session.request_time = requestTime;
        session.expires_at = new Date(requestTime.getTime() + DAY);
        session.user = SessionsCommandExamples.User;
        session.data = SessionsCommandExamples.Data;
        return session;
    }

    // As the wire carries it: dates as ISO strings.
    private static json(value: unknown): JsonObject {
        return JSON.parse(JSON.stringify(value)) as JsonObject;
    }
}
