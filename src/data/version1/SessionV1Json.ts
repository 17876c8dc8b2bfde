import { BadRequestException } from 'pip-services3-commons-nodex';

import { SessionV1 } from './SessionV1';

type JsonObject = Record<string, unknown>;

const DATE_FIELDS = ['open_time', 'close_time', 'request_time'] as const;

/**
 * Turns freshly parsed JSON (a file written by us or by the original, a client reply)
 * into SessionV1 objects with real Dates, converting the object in place.
 *
 * The original's file store skipped this step, so after a restart its expiry sweep
 * compared strings with dates and crashed.
 */
export class SessionV1Json {
    public static toSession(value: unknown): SessionV1 {
        if (value == null || typeof value !== 'object' || Array.isArray(value)) {
            throw new BadRequestException(undefined, 'INVALID_SESSION', 'A session must be a JSON object');
        }
        const json = value as JsonObject;
        if (typeof json.id !== 'string' || json.id === '') {
            throw new BadRequestException(undefined, 'INVALID_SESSION', 'A session must have a string id');
        }
        // Converted in place: the value is freshly parsed and nobody else holds it, and a
        // copy of a million sessions at load time costs hundreds of megabytes.
        const session = json as unknown as SessionV1;
        for (const field of DATE_FIELDS) {
            const raw = json[field];
            if (raw == null) continue;
            const date = SessionV1Json.toDate(raw);
            if (date == null) {
                throw new BadRequestException(undefined, 'INVALID_SESSION',
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
            const time = SessionV1Json.parseCanonicalTime(value);
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
     * parses two million such strings; this is about four times faster than the general
     * parser. Days past the 28th take the general path, so month lengths stay its business.
     */
    private static parseCanonicalTime(text: string): number {
        if (text.length !== 24 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84
            || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46
            || text.charCodeAt(23) !== 90) return -1;
        const year = SessionV1Json.digits(text, 0, 4);
        const month = SessionV1Json.digits(text, 5, 2);
        const day = SessionV1Json.digits(text, 8, 2);
        const hour = SessionV1Json.digits(text, 11, 2);
        const minute = SessionV1Json.digits(text, 14, 2);
        const second = SessionV1Json.digits(text, 17, 2);
        const millisecond = SessionV1Json.digits(text, 20, 3);
        if ((hour | minute | second | millisecond) < 0) return -1;
        if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59) return -1;
        return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
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
