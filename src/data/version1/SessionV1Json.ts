import { BadRequestException } from 'pip-services3-commons-nodex';

import { SessionV1 } from './SessionV1';
import { SessionsErrorCode } from './SessionsErrorCatalogue';

type JsonObject = Record<string, unknown>;

const DATE_FIELDS = ['open_time', 'close_time', 'request_time', 'expires_at'] as const;

/**
 * Turns freshly parsed JSON (our file, the original's, a client reply) into SessionV1 objects with
 * real Dates, in place: the original's file store skipped this and its sweep crashed on strings.
 */
export class SessionV1Json {
    public static toSession(value: unknown): SessionV1 {
        if (value == null || typeof value !== 'object' || Array.isArray(value)) {
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_SESSION, 'A session must be a JSON object');
        }
        const json = value as JsonObject;
        if (typeof json.id !== 'string' || json.id === '') {
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_SESSION, 'A session must have a string id');
        }
        // Converted in place: the value is freshly parsed and nobody else holds it, and a
        // copy of a million sessions at load time costs hundreds of megabytes.
        const session = json as unknown as SessionV1;
        for (const field of DATE_FIELDS) {
            const raw = json[field];
            if (raw == null) continue;
            const date = SessionV1Json.toDate(raw);
            if (date == null) {
                throw new BadRequestException(undefined, SessionsErrorCode.INVALID_SESSION,
                    'Session field ' + field + ' is not a valid date').withDetails('field', field);
            }
            json[field] = date;
        }
        session.active = json.active === true || json.active === 'true';
        return session;
    }

    public static toDate(value: unknown): Date | null {
        if (value instanceof Date) return isNaN(value.getTime()) ? null : value;
        if (typeof value === 'string') {
            const time = SessionV1Json.canonicalTime(value);
            if (time >= 0) return new Date(time);
        }
        if (typeof value === 'string' || typeof value === 'number') {
            const date = new Date(value);
            return isNaN(date.getTime()) ? null : date;
        }
        return null;
    }
    /**
     * The time of a string exactly as JSON.stringify writes dates (2024-01-31T23:59:59.999Z),
     * or -1 for anything else, which goes to Date's own parser. Loading a million sessions
     * reads two million such strings; this is about four times faster than the general
     * parser. Years before 1970 take the general path (-1 is taken). start and end pick
     * the date out of a longer text without slicing it.
     */
    public static canonicalTime(text: string, start = 0, end = text.length): number {
        if (end - start !== 24 || text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45
            || text.charCodeAt(start + 10) !== 84 || text.charCodeAt(start + 13) !== 58
            || text.charCodeAt(start + 16) !== 58 || text.charCodeAt(start + 19) !== 46
            || text.charCodeAt(start + 23) !== 90) return -1;
        const year = SessionV1Json.digits(text, start, 4);
        const month = SessionV1Json.digits(text, start + 5, 2);
        const day = SessionV1Json.digits(text, start + 8, 2);
        const hour = SessionV1Json.digits(text, start + 11, 2);
        const minute = SessionV1Json.digits(text, start + 14, 2);
        const second = SessionV1Json.digits(text, start + 17, 2);
        const millisecond = SessionV1Json.digits(text, start + 20, 3);
        if ((hour | minute | second | millisecond) < 0) return -1;
        if (year < 1970 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return -1;
        if (day < 1 || day > SessionV1Json.daysInMonth(year, month)) return -1;
        // Most times of a file fall on a few days: the day's start is kept from the last call.
        const dayKey = (year * 100 + month) * 100 + day;
        if (dayKey !== SessionV1Json._lastDayKey) {
            SessionV1Json._lastDayKey = dayKey;
            SessionV1Json._lastDayStart = Date.UTC(year, month - 1, day);
        }
        return SessionV1Json._lastDayStart + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
    }

    private static _lastDayKey = -1;
    private static _lastDayStart = 0;

    private static daysInMonth(year: number, month: number): number {
        if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
        return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    }

    /** The decimal number in text[start, start + count), or -1 if any character is not a digit. */
    private static digits(text: string, start: number, count: number): number {
        let result = 0;
        for (let index = start; index < start + count; index++) {
            const digit = text.charCodeAt(index) - 48;
            if (digit < 0 || digit > 9) return -1;
            result = result * 10 + digit;
        }
        return result;
    }
}
