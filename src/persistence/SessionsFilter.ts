import { BadRequestException, FilterParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { SessionV1Json } from '../data/version1/SessionV1Json';
import { SessionLiveness } from './SessionLiveness';
import { SessionSummary } from './SessionSummary';

/**
 * The one definition of what get_sessions' filter means, shared by every store:
 * memory and file stores call matches() (and matchesDetails()), MongoDB uses toMongoQuery().
 *
 * Time range: from_time <= request_time < to_time. The original's memory store had
 * both comparisons inverted and returned the complement of the range.
 *
 * With a liveness (the controller always gives one), "active" means live: an active
 * session past its time counts as closed, before any sweep has closed it.
 */
export class SessionsFilter {
    public readonly id: string | null;
    public readonly userId: string | null;
    public readonly active: boolean | null;
    public readonly fromTime: Date | null;
    public readonly toTime: Date | null;
    public readonly client: string | null;
    public readonly address: string | null;
    public readonly closeReason: string | null;

    private constructor(id: string | null, userId: string | null, active: boolean | null,
        fromTime: Date | null, toTime: Date | null, client: string | null, address: string | null, closeReason: string | null) {
        this.id = id;
        this.userId = userId;
        this.active = active;
        this.fromTime = fromTime;
        this.toTime = toTime;
        this.client = client;
        this.address = address;
        this.closeReason = closeReason;
    }

    /**
     * Accepts what the original accepts ("true", ISO date strings, numbers as text)
     * but rejects values it would silently ignore, so a typo does not widen a query.
     */
    public static fromParams(filter: FilterParams | null | undefined): SessionsFilter {
        filter = filter ?? new FilterParams();
        return new SessionsFilter(
            SessionsFilter.readString(filter, 'id'),
            SessionsFilter.readString(filter, 'user_id'),
            SessionsFilter.readBoolean(filter, 'active'),
            SessionsFilter.readDate(filter, 'from_time'),
            SessionsFilter.readDate(filter, 'to_time'),
            SessionsFilter.readString(filter, 'client'),
            SessionsFilter.readString(filter, 'address'),
            SessionsFilter.readString(filter, 'close_reason')
        );
    }

    /** Whether matchesDetails() has anything to check: the fields no index of the memory store holds. */
    public get readsDetails(): boolean {
        return this.client != null || this.address != null || this.closeReason != null;
    }

    /** Whether a session, by the fields of it the filter reads, matches. */
    public matches(session: SessionSummary, liveness?: SessionLiveness): boolean {
        if (this.id != null && this.id !== session.id) return false;
        if (this.userId != null && this.userId !== session.userId) return false;
        if (this.active != null) {
            const live = session.active
                && (liveness == null || liveness.timeouts.isLive(session.openTime, session.requestTime, liveness.now));
            if (this.active !== live) return false;
        }
        if (this.fromTime != null && session.requestTime < this.fromTime.getTime()) return false;
        if (this.toTime != null && session.requestTime >= this.toTime.getTime()) return false;
        return true;
    }

    /** The rest of the filter, on the whole session (a session passes matches() first). */
    public matchesDetails(session: SessionV1): boolean {
        if (this.client != null && this.client !== session.client) return false;
        if (this.address != null && this.address !== session.address) return false;
        if (this.closeReason != null && this.closeReason !== session.close_reason) return false;
        return true;
    }

    public toMongoQuery(liveness?: SessionLiveness): Record<string, unknown> {
        const query: Record<string, unknown> = {};
        if (this.id != null) query._id = this.id;
        if (this.userId != null) query.user_id = this.userId;
        const timeouts = liveness?.timeouts;
        const idleLimit = timeouts != null && timeouts.idle > 0 ? new Date(liveness!.now - timeouts.idle) : null;
        const openLimit = timeouts != null && timeouts.absolute > 0 ? new Date(liveness!.now - timeouts.absolute) : null;
        let fromTime = this.fromTime;
        if (this.active === true) {
            query.active = true;
            if (idleLimit != null && (fromTime == null || fromTime < idleLimit)) fromTime = idleLimit;
            if (openLimit != null) query.open_time = { $gte: openLimit };
        } else if (this.active === false) {
            const closed: Array<Record<string, unknown>> = [{ active: false }];
            if (idleLimit != null) closed.push({ request_time: { $lt: idleLimit } });
            if (openLimit != null) closed.push({ open_time: { $lt: openLimit } });
            if (closed.length === 1) query.active = false;
            else query.$or = closed;
        }
        if (fromTime != null || this.toTime != null) {
            const range: Record<string, Date> = {};
            if (fromTime != null) range.$gte = fromTime;
            if (this.toTime != null) range.$lt = this.toTime;
            query.request_time = range;
        }
        if (this.client != null) query.client = this.client;
        if (this.address != null) query.address = this.address;
        if (this.closeReason != null) query.close_reason = this.closeReason;
        return query;
    }

    private static readString(filter: FilterParams, key: string): string | null {
        const value: unknown = filter.get(key);
        if (value == null) return null;
        if (typeof value === 'string' || typeof value === 'number') return String(value);
        throw SessionsFilter.invalid(key, 'a string');
    }

    private static readBoolean(filter: FilterParams, key: string): boolean | null {
        const value: unknown = filter.get(key);
        if (value == null || value === '') return null;
        const result = filter.getAsNullableBoolean(key);
        if (result == null) throw SessionsFilter.invalid(key, 'true or false');
        return result;
    }

    private static readDate(filter: FilterParams, key: string): Date | null {
        const value: unknown = filter.get(key);
        if (value == null || value === '') return null;
        const result = SessionV1Json.toDate(value);
        if (result == null) throw SessionsFilter.invalid(key, 'a date (ISO 8601)');
        return result;
    }

    private static invalid(key: string, expected: string): BadRequestException {
        return new BadRequestException(undefined, 'INVALID_DATA',
            'Filter ' + key + ' must be ' + expected).withDetails('field', 'filter.' + key);
    }
}
