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
        return {
            ...SessionV1Wire.listed(session),
            user: session.user ?? null,
            data: session.data ?? null
        };
    }

    /** A page as get_sessions sends it: listed sessions carry no user and data (the keys are left out, as in the original). */
    public static page(page: DataPage<SessionV1>): DataPage<SessionV1> {
        return new DataPage<SessionV1>(page.data.map(session => SessionV1Wire.listed(session)), page.total);
    }

    private static listed(session: SessionV1): SessionV1 {
        const { user, data, ...fields } = session;
        return {
            ...fields,
            user_name: session.user_name ?? null,
            address: session.address ?? null,
            client: session.client ?? null,
            close_time: session.close_time ?? null,
            close_reason: session.close_reason ?? null,
            expires_at: session.expires_at ?? null
        } as SessionV1;
    }
}
