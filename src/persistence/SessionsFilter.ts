import { BadRequestException, BooleanConverter, FilterParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { SessionV1Json } from '../data/version1/SessionV1Json';
import { SessionLiveness } from '../rules/SessionLiveness';
import { SessionSummary } from './SessionSummary';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * The one definition of get_sessions' filter, for every store: matches() in memory,
 * SessionsMongoDbQuery.ofFilter() for MongoDB. from_time <= request_time < to_time (the original inverted both: docs/differences.md);
 * with a liveness, "active" means live, so a session past its time counts as closed before a sweep.
 */
export class SessionsFilter {
    /** Every field the filter reads, and what kind of value each takes. */
    private static readonly Kinds: ReadonlyMap<string, 'string' | 'boolean' | 'date'> = new Map([
        ['id', 'string'], ['user_id', 'string'], ['active', 'boolean'], ['from_time', 'date'], ['to_time', 'date'],
        ['client', 'string'], ['address', 'string'], ['close_reason', 'string']
    ] as const);
    private static readonly Expected = { string: 'a string', boolean: 'true or false', date: 'a date (ISO 8601)' } as const;

    /** The fields the filter reads (get_sessions ignores any others). */
    public static readonly Fields: readonly string[] = [...SessionsFilter.Kinds.keys()];

    /** The kind of value a filter field takes (the OpenAPI document types the filter by it), or undefined for a field it does not read. */
    public static kindOf(field: string): 'string' | 'boolean' | 'date' | undefined {
        return SessionsFilter.Kinds.get(field);
    }

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
     * Reads each field from the value the caller sent (before any conversion): the same
     * rules whichever API it came through (see problem()).
     */
    public static fromParams(filter: FilterParams | null | undefined): SessionsFilter {
        const values = filter ?? new FilterParams();
        const read = <T>(key: string, parse: (value: unknown) => T | null | undefined): T | null => {
            const value = SessionsFilter.ownValue(values, key);
            const result = parse(value);
            if (result === undefined) throw SessionsFilter.invalid(key, value);
            return result;
        };
        return new SessionsFilter(
            read('id', SessionsFilter.parseString),
            read('user_id', SessionsFilter.parseString),
            read('active', SessionsFilter.parseBoolean),
            read('from_time', SessionsFilter.parseDate),
            read('to_time', SessionsFilter.parseDate),
            read('client', SessionsFilter.parseString),
            read('address', SessionsFilter.parseString),
            read('close_reason', SessionsFilter.parseString)
        );
    }

    /**
     * Why a filter value, as the caller sent it, cannot be read ("must be a string, not an array"),
     * or null if it can (or the field is not the filter's); what is accepted: docs/http.md#filter-and-paging.
     * Checked before anything converts it: FilterParams calls toString(), which failed on {"toString": 1}.
     */
    public static problem(key: string, value: unknown): string | null {
        const kind = SessionsFilter.Kinds.get(key);
        if (kind == null) return null;
        const parsed = kind === 'string' ? SessionsFilter.parseString(value)
            : kind === 'boolean' ? SessionsFilter.parseBoolean(value) : SessionsFilter.parseDate(value);
        if (parsed !== undefined) return null;
        const expected = 'must be ' + SessionsFilter.Expected[kind];
        if (typeof value === 'string') return expected;
        return expected + ', not ' + (Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : 'a ' + typeof value);
    }

    /** Whether the filter asks for the active sessions and nothing else. */
    public get activeOnly(): boolean {
        return this.active === true && this.id == null && this.userId == null && this.fromTime == null && this.toTime == null
            && !this.readsDetails;
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

    /** The value the caller gave for key: an own property only, never one of FilterParams' methods. */
    private static ownValue(filter: FilterParams, key: string): unknown {
        return Object.prototype.hasOwnProperty.call(filter, key) ? (filter as unknown as Record<string, unknown>)[key] : undefined;
    }

    // Each parse returns null for "no condition" and undefined for a value it cannot read.

    private static parseString(value: unknown): string | null | undefined {
        if (value == null || value === '') return null;
        return typeof value === 'string' ? value : undefined;
    }

    private static parseBoolean(value: unknown): boolean | null | undefined {
        if (value == null || value === '') return null;
        if (typeof value === 'boolean') return value;
        if (typeof value !== 'string') return undefined;
        return BooleanConverter.toNullableBoolean(value) ?? undefined;
    }

    private static parseDate(value: unknown): Date | null | undefined {
        if (value == null || value === '') return null;
        // A Date only from in-process callers; JSON brings strings.
        if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
        return SessionV1Json.toDate(value) ?? undefined;
    }

    private static invalid(key: string, value: unknown): BadRequestException {
        return new BadRequestException(undefined, SessionsErrorCode.INVALID_DATA,
            'Filter ' + key + ' ' + SessionsFilter.problem(key, value)).withDetails('field', 'filter.' + key);
    }
}
