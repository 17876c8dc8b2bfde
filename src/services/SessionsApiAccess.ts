import { IncomingHttpHeaders } from 'http';

import { ConfigParams, Descriptor, IConfigurable } from 'pip-services3-commons-nodex';

import { SessionsApiKey } from './SessionsApiKey';

/** What a transport hands over of a caller's request metadata (gRPC's Metadata fits). */
export interface SessionsKeyMetadata {
    get(key: string): Array<string | Buffer>;
}

/**
 * Who may call the service: the one place that decides it, for every API the process
 * serves (HTTP, Seneca, both gRPC APIs). Each transport only finds the key its caller
 * presents (x-api-key or Authorization: Bearer over HTTP and in gRPC metadata, api_key in
 * Seneca messages) and asks here.
 *
 * Configuration: auth.api_key (HTTP_API_KEY; off when empty); options.operations_without_key
 * (OPERATIONS_WITHOUT_KEY, default false: /metrics and /status need the key as the API does;
 * /heartbeat, /ready and the API documents never do).
 * A service configured with an auth.api_key of its own (configs written before this
 * component) uses that key instead.
 */
export class SessionsApiAccess implements IConfigurable {
    public static readonly Descriptor = new Descriptor('service-sessions', 'access', 'api-key', '*', '1.0');
    /** How services name this dependency. */
    public static readonly Dependency = new Descriptor('service-sessions', 'access', '*', '*', '1.0');

    private _key = new SessionsApiKey(null);
    private _operationsWithoutKey = false;

    public configure(config: ConfigParams): void {
        this._key = SessionsApiKey.fromConfig(config);
        this._operationsWithoutKey = config.getAsBooleanWithDefault('options.operations_without_key', this._operationsWithoutKey);
    }

    /** The access a service applies: its own auth.api_key if it has one, else the shared component's, else open. */
    public static forService(config: ConfigParams | null, shared: SessionsApiAccess | null): SessionsApiAccess {
        if (config?.getAsNullableString('auth.api_key')) {
            const own = new SessionsApiAccess();
            own.configure(ConfigParams.fromTuples('auth.api_key', config.getAsString('auth.api_key')));
            return own;
        }
        return shared ?? new SessionsApiAccess();
    }

    /** Whether a key is required at all. */
    public get enabled(): boolean {
        return this._key.enabled;
    }

    /** Throws 401 UNAUTHORIZED unless the key is off or the presented one matches. */
    public authorize(correlationId: string | null, presented: unknown): void {
        this._key.check(correlationId, presented);
    }

    /** As authorize(), for /metrics and /status, unless the operator opened them (options.operations_without_key). */
    public authorizeOperations(correlationId: string | null, presented: unknown): void {
        if (!this._operationsWithoutKey) this._key.check(correlationId, presented);
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
}
