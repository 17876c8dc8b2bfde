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
        if (typeof value === 'string' || typeof value === 'number') {
            const date = new Date(value);
            return isNaN(date.getTime()) ? null : date;
        }
        return null;
    }
}
