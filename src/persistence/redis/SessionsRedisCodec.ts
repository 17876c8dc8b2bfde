import { SessionV1 } from '../../data/version1/SessionV1';

/**
 * How a session sits in its Redis hash: one field per session field, so the scripts read
 * and set the few they decide on (active, the times, user_id) without ever parsing user or
 * data, which pass through as the JSON text the caller's values make. user_id is the raw
 * string (the scripts build key names from it); the times are milliseconds since the epoch
 * (the scripts compare them); every other value is its JSON text ("true", "null", "\"web\"").
 * A field left out of the session is left out of the hash, so it reads back left out.
 */
export class SessionsRedisCodec {
    /** The fields holding times: stored as milliseconds, read back as Dates. */
    public static readonly TimeFields: ReadonlySet<string> = new Set(['open_time', 'close_time', 'request_time', 'expires_at']);
    /** What a listing reads: every field but user and data (get_sessions leaves them out). */
    public static readonly ListedFields: readonly string[] = ['user_id', 'user_name', 'active', 'open_time', 'close_time',
        'close_reason', 'request_time', 'expires_at', 'address', 'client'];

    /** The hash's field-value pairs for the given fields (the id is the key's, never a field). */
    public static encode(fields: Record<string, unknown>): string[] {
        const pairs: string[] = [];
        for (const [name, value] of Object.entries(fields)) {
            if (name === 'id' || value === undefined) continue;
            const text = SessionsRedisCodec.encodeValue(name, value);
            if (text !== undefined) pairs.push(name, text);
        }
        return pairs;
    }

    /** One field's text; undefined for a value JSON cannot write (a function), which is left out as JSON leaves it. */
    public static encodeValue(name: string, value: unknown): string | undefined {
        if (name === 'user_id' && typeof value === 'string') return value;
        if (SessionsRedisCodec.TimeFields.has(name)) {
            const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
            if (!isNaN(time)) return String(time);
        }
        return JSON.stringify(value);
    }

    /** The session a hash holds, from HGETALL's flat [field, value, ...] reply; null for no fields (no such key). */
    public static decode(id: string, flat: readonly string[]): SessionV1 | null {
        if (flat.length === 0) return null;
        const session: Record<string, unknown> = { id };
        for (let index = 0; index + 1 < flat.length; index += 2) {
            session[flat[index]] = SessionsRedisCodec.decodeValue(flat[index], flat[index + 1]);
        }
        return session as unknown as SessionV1;
    }

    /** The listed fields of a session, from HMGET's reply in ListedFields' order; null when the key is gone. */
    public static decodeListed(id: string, values: ReadonlyArray<string | null>): SessionV1 | null {
        if (values.every(value => value == null)) return null;
        const session: Record<string, unknown> = { id };
        SessionsRedisCodec.ListedFields.forEach((name, index) => {
            const value = values[index];
            if (value != null) session[name] = SessionsRedisCodec.decodeValue(name, value);
        });
        return session as unknown as SessionV1;
    }

    private static decodeValue(name: string, text: string): unknown {
        if (name === 'user_id') return text;
        if (SessionsRedisCodec.TimeFields.has(name)) {
            // A time is digits (with a sign before 1970); "null" stays null.
            return /^-?\d+$/.test(text) ? new Date(Number(text)) : JSON.parse(text);
        }
        return JSON.parse(text);
    }
}
