import { createHash, timingSafeEqual } from 'crypto';
import { IncomingHttpHeaders } from 'http';

import { ConfigException, ConfigParams, UnauthorizedException } from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** Shorter keys are refused at start: a shared secret that can be guessed protects nothing. */
const MIN_KEY_LENGTH = 16;

/**
 * One optional shared secret that callers of the sessions API present, as an `x-api-key`
 * header or an `Authorization: Bearer <key>` header over HTTP, or an `api_key` field in
 * Seneca messages: the full key (auth.api_key, HTTP_API_KEY in the bundled config) or the
 * application key (auth.app_api_key, APP_API_KEY). Off when no key is configured.
 */
export class SessionsApiKey {
    /** How the full key is named in errors. */
    public static readonly FullKeySetting = 'auth.api_key, HTTP_API_KEY';

    private readonly _digest: Buffer | null;

    /** setting names the key in the error for a short one, so an operator knows which to fix. */
    public constructor(key: string | null, setting: string = SessionsApiKey.FullKeySetting) {
        if (key != null && key !== '' && key.length < MIN_KEY_LENGTH) {
            throw new ConfigException(undefined, SessionsErrorCode.API_KEY_TOO_SHORT,
                'The API key (' + setting + ') must have at least ' + MIN_KEY_LENGTH + ' characters');
        }
        this._digest = key ? SessionsApiKey.digest(key) : null;
    }

    public static fromConfig(config: ConfigParams): SessionsApiKey {
        return new SessionsApiKey(config.getAsNullableString('auth.api_key'));
    }

    /** Whether two configured keys are the same secret (both off counts as different: there is none). */
    public sameAs(other: SessionsApiKey): boolean {
        return this._digest != null && other._digest != null && this._digest.equals(other._digest);
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
        if (!this.matches(presented)) throw SessionsApiKey.unauthorized(correlationId);
    }

    /** Whether the key is on and the presented one is it. */
    public matches(presented: unknown): boolean {
        if (this._digest == null || typeof presented !== 'string' || presented === '') return false;
        // Both sides are hashed first so they have the same length: timingSafeEqual then
        // takes the same time whatever was sent, and the key's length does not leak either.
        return timingSafeEqual(SessionsApiKey.digest(presented), this._digest);
    }

    /** The 401 for a call without a valid key. */
    public static unauthorized(correlationId: string | null): UnauthorizedException {
        return new UnauthorizedException(correlationId ?? undefined, SessionsErrorCode.UNAUTHORIZED,
            'A valid API key is required: send it as an x-api-key header or as Authorization: Bearer <key>');
    }

    private static digest(value: string): Buffer {
        return createHash('sha256').update(value, 'utf8').digest();
    }
}
