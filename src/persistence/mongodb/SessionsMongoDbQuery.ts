import { SessionLiveness } from '../../rules/SessionLiveness';
import { SessionsFilter } from '../SessionsFilter';

/** A query on the sessions collection; its keys are the stored fields. */
export type SessionsMongoDbFilter = Record<string, unknown>;

/** The MongoDB form of the store's conditions; the bounds come from SessionTimeouts, as in memory. */
export class SessionsMongoDbQuery {
    /** Active and live at liveness.now: the condition every conditional write puts on its session. */
    public static live(liveness: SessionLiveness | undefined): SessionsMongoDbFilter {
        const query: SessionsMongoDbFilter = { active: true };
        const idle = liveness?.timeouts.idleBound(liveness.now) ?? null;
        const absolute = liveness?.timeouts.absoluteBound(liveness.now) ?? null;
        if (idle != null) query.request_time = { $gte: new Date(idle) };
        if (absolute != null) query.open_time = { $gte: new Date(absolute) };
        return query;
    }

    /** Not live at liveness.now: closed, or active past either bound (what the sweep has yet to close). */
    public static notLive(liveness: SessionLiveness | undefined): SessionsMongoDbFilter {
        const closed: SessionsMongoDbFilter[] = [{ active: false }];
        const idle = liveness?.timeouts.idleBound(liveness.now) ?? null;
        const absolute = liveness?.timeouts.absoluteBound(liveness.now) ?? null;
        if (idle != null) closed.push({ request_time: { $lt: new Date(idle) } });
        if (absolute != null) closed.push({ open_time: { $lt: new Date(absolute) } });
        return closed.length === 1 ? closed[0] : { $or: closed };
    }

    /** get_sessions' filter (SessionsFilter.matches and matchesDetails in memory). */
    public static ofFilter(filter: SessionsFilter, liveness?: SessionLiveness): SessionsMongoDbFilter {
        const query: SessionsMongoDbFilter = {};
        if (filter.id != null) query._id = filter.id;
        if (filter.userId != null) query.user_id = filter.userId;
        if (filter.active === true) Object.assign(query, SessionsMongoDbQuery.live(liveness));
        else if (filter.active === false) Object.assign(query, SessionsMongoDbQuery.notLive(liveness));
        const range = (query.request_time ?? {}) as { $gte?: Date; $lt?: Date };
        if (filter.fromTime != null && (range.$gte == null || range.$gte < filter.fromTime)) range.$gte = filter.fromTime;
        if (filter.toTime != null) range.$lt = filter.toTime;
        if (range.$gte != null || range.$lt != null) query.request_time = range;
        if (filter.client != null) query.client = filter.client;
        if (filter.address != null) query.address = filter.address;
        if (filter.closeReason != null) query.close_reason = filter.closeReason;
        return query;
    }
}
