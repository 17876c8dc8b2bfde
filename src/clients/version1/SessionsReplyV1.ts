import { DataPage, InvocationException } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionV1Json } from '../../data/version1/SessionV1Json';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * Turns the service's JSON replies into SessionV1 objects with real Dates (the original's client
 * passed ISO strings typed as Date). A reply that is not a session fails as INVALID_REPLY: it is
 * the service's or a proxy's fault, not the caller's.
 */
export class SessionsReplyV1 {
    public static toSession(correlationId: string | null, value: unknown): SessionV1 {
        try {
            return SessionV1Json.toSession(value);
        } catch (err) {
            throw SessionsReplyV1.invalid(correlationId, 'a session: ' + (err as Error).message);
        }
    }

    /** A session, or null for the service's "no such session" (204). */
    public static toSessionOrNull(correlationId: string | null, value: unknown): SessionV1 | null {
        return value == null ? null : SessionsReplyV1.toSession(correlationId, value);
    }

    public static toPage(correlationId: string | null, value: unknown): DataPage<SessionV1> {
        const page = value as { data?: unknown; total?: unknown } | null;
        if (page == null || typeof page !== 'object' || !Array.isArray(page.data)) {
            throw SessionsReplyV1.invalid(correlationId, 'a page of sessions');
        }
        const data = page.data.map(item => SessionsReplyV1.toSession(correlationId, item));
        // total is only counted when paging.total asks for it; null otherwise, as in every store.
        const total = typeof page.total === 'number' ? page.total : null;
        return new DataPage<SessionV1>(data, total as number);
    }

    /** The reply of close_user_sessions: {"closed": n}. */
    public static toClosedCount(correlationId: string | null, value: unknown): number {
        const closed = (value as { closed?: unknown } | null)?.closed;
        if (typeof closed !== 'number' || !Number.isInteger(closed) || closed < 0) {
            throw SessionsReplyV1.invalid(correlationId, 'a count of closed sessions');
        }
        return closed;
    }

    private static invalid(correlationId: string | null, expected: string): InvocationException {
        return new InvocationException(correlationId ?? undefined, SessionsErrorCode.INVALID_REPLY,
            'The sessions service did not answer with ' + expected);
    }
}
