import { DataPage } from 'pip-services3-commons-nodex';

import { SessionV1 } from './SessionV1';

/**
 * Sessions as every API sends them (HTTP, Seneca, Lambda, commandable gRPC): each
 * optional field present, null when it is not set. The original sent user_name, address,
 * client, user and data as null when not given; close_time, close_reason and expires_at
 * follow the same rule, so a reply has one shape whatever the session's state.
 */
export class SessionV1Wire {
    public static session(session: SessionV1 | null | undefined): SessionV1 | null {
        if (session == null) return null;
        return SessionV1Wire.copy(session, true);
    }

    /** A page as get_sessions sends it: listed sessions carry no user and data (the keys are left out, as in the original). */
    public static page(page: DataPage<SessionV1>): DataPage<SessionV1> {
        return new DataPage<SessionV1>(page.data.map(session => SessionV1Wire.copy(session, false)), page.total);
    }

    /**
     * The session's fields in their order but user and data, then each optional field not
     * set as null, then (withContent) user and data: what `{ ...fields, user_name: ..., user: ... }`
     * made, in one copy instead of three.
     */
    private static copy(session: SessionV1, withContent: boolean): SessionV1 {
        const wire: Record<string, unknown> = {};
        for (const key in session) {
            if (key === 'user' || key === 'data' || !Object.prototype.hasOwnProperty.call(session, key)) continue;
            const value = (session as unknown as Record<string, unknown>)[key];
            // Defined, not assigned: a "__proto__" field stays a field, as a spread copies it.
            if (key === '__proto__') Object.defineProperty(wire, key, { value, enumerable: true, writable: true, configurable: true });
            else wire[key] = value;
        }
        wire.user_name = session.user_name ?? null;
        wire.address = session.address ?? null;
        wire.client = session.client ?? null;
        wire.close_time = session.close_time ?? null;
        wire.close_reason = session.close_reason ?? null;
        wire.expires_at = session.expires_at ?? null;
        if (withContent) {
            wire.user = session.user ?? null;
            wire.data = session.data ?? null;
        }
        return wire as unknown as SessionV1;
    }
}
