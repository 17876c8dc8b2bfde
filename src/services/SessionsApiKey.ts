import { createHash, timingSafeEqual } from 'crypto';
import { IncomingHttpHeaders } from 'http';

import { ConfigException, ConfigParams, UnauthorizedException } from 'pip-services3-commons-nodex';

/** Shorter keys are refused at start: a shared secret that can be guessed protects nothing. */
const MIN_KEY_LENGTH = 16;

/**
 * The optional shared secret (auth.api_key, HTTP_API_KEY in the bundled config) that
 * callers of the sessions API present, as an `x-api-key` header or an
 * `Authorization: Bearer <key>` header over HTTP, or an `api_key` field in Seneca messages.
 * Off when no key is configured.
 */
export class SessionsApiKey {
    private readonly _digest: Buffer | null;

    public constructor(key: string | null) {
        if (key != null && key !== '' && key.length < MIN_KEY_LENGTH) {
            throw new ConfigException(undefined, 'API_KEY_TOO_SHORT',
                'The API key (auth.api_key, HTTP_API_KEY) must have at least ' + MIN_KEY_LENGTH + ' characters');
        }
        this._digest = key ? SessionsApiKey.digest(key) : null;
    }

    public static fromConfig(config: ConfigParams): SessionsApiKey {
        return new SessionsApiKey(config.getAsNullableString('auth.api_key'));
    }

    public get enabled(): boolean {
        return this._digest != null;
    }

    /** The key a request presents: x-api-key, else a Bearer token; null when it has none. */
    public static fromHeaders(headers: IncomingHttpHeaders): string | null {
        const header = headers['x-api-key'];
        if (typeof header === 'string' && header !== '') return header;
        const authorization = headers.authorization;
        const bearer = authorization != null ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
        return bearer != null ? bearer[1] : null;
    }

    /** Throws 401 UNAUTHORIZED unless the key is off or the presented one matches. */
    public check(correlationId: string | null, presented: unknown): void {
        if (this._digest == null) return;
        // Both sides are hashed first so they have the same length: timingSafeEqual then
        // takes the same time whatever was sent, and the key's length does not leak either.
        const matches = typeof presented === 'string' && presented !== ''
            && timingSafeEqual(SessionsApiKey.digest(presented), this._digest);
        if (!matches) {
            throw new UnauthorizedException(correlationId ?? undefined, 'UNAUTHORIZED',
                'A valid API key is required: send it as an x-api-key header or as Authorization: Bearer <key>');
        }
    }

    private static digest(value: string): Buffer {
        return createHash('sha256').update(value, 'utf8').digest();
    }
}
