import { IncomingHttpHeaders } from 'http';

import { ConfigException, ConfigParams, Descriptor, IConfigurable, UnauthorizedException } from 'pip-services3-commons-nodex';

import { SessionsSettingReader } from '../logic/SessionsSettingReader';
import { SessionsApiKey } from './SessionsApiKey';
import { SessionsApplicationKeyScope } from './SessionsApplicationKeyScope';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** What a transport hands over of a caller's request metadata (gRPC's Metadata fits). */
export interface SessionsKeyMetadata {
    get(key: string): Array<string | Buffer>;
}

/**
 * Which key a caller presented: the full key, the application key, or none needed because
 * no key is configured.
 */
export type SessionsKeyGrant = 'full' | 'application' | 'open';

/** How the application key is named in configuration errors. */
const APP_KEY_SETTING = 'auth.app_api_key, APP_API_KEY';

/**
 * Who may call the service, and what: the one place that decides it for every API (HTTP, Seneca,
 * both gRPC APIs); each transport only finds the key its caller presents (docs/http.md#api-key).
 */
export class SessionsApiAccess implements IConfigurable {
    public static readonly Descriptor = new Descriptor('service-sessions', 'access', 'api-key', '*', '1.0');
    /** How services name this dependency. */
    public static readonly Dependency = new Descriptor('service-sessions', 'access', '*', '*', '1.0');
    /** The code of a call the application key may not make. */
    public static readonly ForbiddenScopeCode = SessionsErrorCode.FORBIDDEN_SCOPE;

    private _fullKey = new SessionsApiKey(null);
    private _appKey = new SessionsApiKey(null, APP_KEY_SETTING);
    private _operationsWithoutKey = false;

    public configure(config: ConfigParams): void {
        const fullKey = SessionsApiKey.fromConfig(config);
        const appKey = new SessionsApiKey(config.getAsNullableString('auth.app_api_key'), APP_KEY_SETTING);
        if (appKey.enabled && !fullKey.enabled) {
            // Refused rather than ignored: without the full key every command would be open to anyone.
            throw new ConfigException(undefined, SessionsErrorCode.APP_API_KEY_WITHOUT_API_KEY,
                'APP_API_KEY needs HTTP_API_KEY: the application key (auth.app_api_key) only narrows access '
                + 'once the full key (auth.api_key) is set; without it every command would be open to anyone');
        }
        if (appKey.sameAs(fullKey)) {
            throw new ConfigException(undefined, SessionsErrorCode.APP_API_KEY_SAME_AS_API_KEY,
                'APP_API_KEY must differ from HTTP_API_KEY: the application key (auth.app_api_key) '
                + 'would otherwise grant everything the full key (auth.api_key) does');
        }
        this._fullKey = fullKey;
        this._appKey = appKey;
        this._operationsWithoutKey = new SessionsSettingReader(config).flag('options.operations_without_key', this._operationsWithoutKey);
    }

    /** The access a service applies: its own auth.api_key if it has one, else the shared component's, else open. */
    public static forService(config: ConfigParams | null, shared: SessionsApiAccess | null): SessionsApiAccess {
        if (config?.getAsNullableString('auth.api_key') || config?.getAsNullableString('auth.app_api_key')) {
            const own = new SessionsApiAccess();
            own.configure(ConfigParams.fromTuples(
                'auth.api_key', config.getAsNullableString('auth.api_key'),
                'auth.app_api_key', config.getAsNullableString('auth.app_api_key')));
            return own;
        }
        return shared ?? new SessionsApiAccess();
    }

    /** Whether a key is required at all. */
    public get enabled(): boolean {
        return this._fullKey.enabled;
    }

    /** Whether an application key is set beside the full key. */
    public get applicationKeyEnabled(): boolean {
        return this._appKey.enabled;
    }

    /** Which key the caller presented; throws 401 UNAUTHORIZED for none or an unknown one while keys are on. */
    public authenticate(correlationId: string | null, presented: unknown): SessionsKeyGrant {
        if (!this._fullKey.enabled) return 'open';
        if (this._fullKey.matches(presented)) return 'full';
        if (this._appKey.matches(presented)) return 'application';
        throw SessionsApiKey.unauthorized(correlationId);
    }

    /**
     * Throws 401 UNAUTHORIZED without a valid key, 403 FORBIDDEN_SCOPE when the application
     * key presents a command (with these arguments: the parsed body or message fields) out
     * of its scope.
     */
    public authorize(correlationId: string | null, presented: unknown, command: string, args: unknown): void {
        if (this.authenticate(correlationId, presented) !== 'application') return;
        if (SessionsApplicationKeyScope.permits(command, args)) return;
        const message = command === SessionsApplicationKeyScope.OneUserListing
            ? 'The application key may call ' + command + ' only with a filter naming a user_id: use the full API key to list every user\'s sessions'
            : 'The application key may not call ' + command + ': use the full API key';
        throw SessionsApiAccess.forbidden(correlationId, message).withDetails('command', command);
    }

    /**
     * As authorize(), for /metrics and /status (route names it): the full key only, unless
     * the operator opened them (options.operations_without_key).
     */
    public authorizeOperations(correlationId: string | null, presented: unknown, route: string): void {
        if (this._operationsWithoutKey) return;
        if (this.authenticate(correlationId, presented) !== 'application') return;
        throw SessionsApiAccess.forbidden(correlationId, 'The application key may not read ' + route + ': use the full API key')
            .withDetails('route', route);
    }

    /** The key an HTTP request presents: x-api-key, else a Bearer token; null when it has none. */
    public static fromHeaders(headers: IncomingHttpHeaders): string | null {
        return SessionsApiKey.fromHeaders(headers);
    }

    /** The key a gRPC call presents in its metadata, read as the HTTP headers are. */
    public static fromMetadata(metadata: SessionsKeyMetadata): string | null {
        const first = (key: string): string | undefined => {
            const value = metadata.get(key)[0];
            return value == null ? undefined : String(value);
        };
        return SessionsApiKey.fromHeaders({ 'x-api-key': first('x-api-key'), authorization: first('authorization') });
    }

    /** 403: a valid key, but not one that may do this. */
    private static forbidden(correlationId: string | null, message: string): UnauthorizedException {
        return new UnauthorizedException(correlationId ?? undefined, SessionsApiAccess.ForbiddenScopeCode, message)
            .withStatus(403) as UnauthorizedException;
    }
}
