import { format } from 'util';

/**
 * A log line's text from its message and arguments: objects as JSON (the toolkit printed
 * `[object Object]`), with session data, user objects, secrets and full ids redacted from the
 * arguments (docs/deployment.md#health-metrics-logs); the message text itself is kept as it is.
 */
export class SessionsLogText {
    public static readonly Redacted = '[redacted]';
    /** A session id as the service draws it: 32 hex characters. */
    private static readonly SessionIdShape = /^[0-9a-f]{32}$/i;
    private static readonly IdKeys = new Set(['id', 'session_id', '_id']);
    private static readonly PrivateKeys = new Set(['data', 'user']);
    /** Secret settings by the last part of their key (auth.api_key, options.audit_key, credential.pass). */
    private static readonly SecretName = /^(api_key|audit_key|access_key|secret_key|key|pass)$/i;
    private static readonly SecretWord = /password|secret|token|credential|authorization/i;
    private static readonly UriCredentials = /(\/\/)[^/@\s]+@/g;

    /** The line's text: the message with its arguments filled in, as util.format would with readable values. */
    public static format(message: unknown, args: unknown[]): string {
        const text = typeof message === 'string' ? message : SessionsLogText.readable(message);
        if (args.length === 0) return text;
        return format(text, ...args.map(arg => SessionsLogText.argument(arg)));
    }

    /** A value as a log line may show it: JSON for objects, with what must not be logged redacted. */
    public static readable(value: unknown): string {
        if (value === undefined) return 'undefined';
        if (typeof value === 'string') return SessionsLogText.safeString(value);
        if (value instanceof Error) return value.message;
        try {
            return JSON.stringify(value, (key: string, item: unknown) => SessionsLogText.redact(key, item)) ?? String(value);
        } catch {
            // A cycle or a throwing toJSON: the type is all that can be said safely.
            return '[unprintable ' + (value?.constructor?.name ?? typeof value) + ']';
        }
    }

    /** An id as a log may show it: its first 4 characters. */
    public static shortId(id: string): string {
        return id.length <= 4 ? id : id.slice(0, 4) + '…';
    }

    private static argument(arg: unknown): unknown {
        // Numbers, booleans and the like stay as they are, so %d and %i keep working.
        if (typeof arg === 'string') return SessionsLogText.safeString(arg);
        if (arg !== null && (typeof arg === 'object' || typeof arg === 'function')) return SessionsLogText.readable(arg);
        return arg;
    }

    private static safeString(text: string): string {
        if (SessionsLogText.SessionIdShape.test(text)) return SessionsLogText.shortId(text);
        return text.replace(SessionsLogText.UriCredentials, '$1' + SessionsLogText.Redacted + '@');
    }

    private static isSecret(key: string): boolean {
        return SessionsLogText.SecretWord.test(key) || SessionsLogText.SecretName.test(key.slice(key.lastIndexOf('.') + 1));
    }

    private static redact(key: string, item: unknown): unknown {
        if (item == null || key === '') return item;
        if (SessionsLogText.PrivateKeys.has(key) || SessionsLogText.isSecret(key)) return SessionsLogText.Redacted;
        if (typeof item !== 'string') return item;
        if (SessionsLogText.IdKeys.has(key)) return SessionsLogText.shortId(item);
        return SessionsLogText.safeString(item);
    }
}
