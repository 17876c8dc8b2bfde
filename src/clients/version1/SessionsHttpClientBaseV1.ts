import * as http from 'http';
import * as https from 'https';

import {
    ConfigException, ConfigParams, IConfigurable, IOpenable, IReferenceable, IReferences, InvalidStateException
} from 'pip-services3-commons-nodex';
import { CompositeCounters, CompositeLogger, CompositeTracer } from 'pip-services3-components-nodex';
// Deep imports: the package index, and its clients/RestClient, load HttpEndpoint -> restify,
// which does not load on Node 24; these two modules need only commons and components.
import { HttpConnectionResolver } from 'pip-services3-rpc-nodex/obj/src/connect/HttpConnectionResolver';
import { InstrumentTiming } from 'pip-services3-rpc-nodex/obj/src/services/InstrumentTiming';

import { SessionsCallInstruments } from './SessionsCallInstruments';
import { SessionsHttpAttemptV1, SessionsHttpRequestV1 } from './SessionsHttpAttemptV1';
import { SessionsHttpErrorsV1 } from './SessionsHttpErrorsV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** The methods call() sends; the ones with a JSON body send data (null as {}). */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const METHODS = new Set(['GET', 'HEAD', 'DELETE', ...METHODS_WITH_BODY]);

/** Node's codes for a kept-alive socket the server closed while it sat idle. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The transport of SessionsCommandableHttpClientV1: the toolkit's CommandableHttpClient rebuilt
 * on Node's http/https with a keep-alive agent (restify does not load on Node 24). It keeps the
 * toolkit's members a subclass relies on; _client is the agent while open, else null.
 */
export abstract class SessionsHttpClientBaseV1 implements IOpenable, IConfigurable, IReferenceable {
    private static readonly _clientDefaults = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', 'localhost',
        'connection.port', 8080,
        'options.connect_timeout', 5000,
        'options.timeout', 10000,
        'options.retries', 2,
        'options.retry_delay', 1000
    );

    /** The keep-alive agent while open; null while closed. */
    protected _client: http.Agent | null = null;
    protected _connectionResolver: HttpConnectionResolver = new HttpConnectionResolver();
    protected _logger: CompositeLogger = new CompositeLogger();
    protected _counters: CompositeCounters = new CompositeCounters();
    protected _tracer: CompositeTracer = new CompositeTracer();
    /** The options section of the configuration. */
    protected _options: ConfigParams = new ConfigParams();
    protected _baseRoute: string;
    /** Retries of a connection that could not be made (0: none). */
    protected _retries: number;
    /** ms before the first retry, doubling for each next one. */
    protected _retryDelay: number;
    /** Headers sent with every request. */
    protected _headers: Record<string, string> = {};
    protected _connectTimeout: number;
    protected _timeout: number;
    /** The service's URI while open. */
    protected _uri: string | null = null;
    /** query, headers or both. */
    protected _correlationIdLocation = 'query';

    private _target: URL | null = null;
    private _apiKey: string | null = null;

    protected constructor(baseRoute: string) {
        this._baseRoute = baseRoute;
        // The same defaults for a client that is never configured (references only).
        const defaults = SessionsHttpClientBaseV1._clientDefaults;
        this._connectTimeout = defaults.getAsInteger('options.connect_timeout');
        this._timeout = defaults.getAsInteger('options.timeout');
        this._retries = defaults.getAsInteger('options.retries');
        this._retryDelay = defaults.getAsInteger('options.retry_delay');
    }

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsHttpClientBaseV1._clientDefaults);
        this._connectionResolver.configure(config);
        this._options = this._options.override(config.getSection('options'));
        this._retries = Math.max(0, config.getAsIntegerWithDefault('options.retries', this._retries));
        this._retryDelay = Math.max(1, config.getAsIntegerWithDefault('options.retry_delay', this._retryDelay));
        this._connectTimeout = config.getAsIntegerWithDefault('options.connect_timeout', this._connectTimeout);
        this._timeout = config.getAsIntegerWithDefault('options.timeout', this._timeout);
        this._baseRoute = config.getAsStringWithDefault('base_route', this._baseRoute);
        this._correlationIdLocation = config.getAsStringWithDefault('options.correlation_id_place', this._correlationIdLocation);
        this._correlationIdLocation = config.getAsStringWithDefault('options.correlation_id', this._correlationIdLocation);
        this._apiKey = config.getAsNullableString('auth.api_key') || null;
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
        this._counters.setReferences(references);
        this._tracer.setReferences(references);
        this._connectionResolver.setReferences(references);
    }

    public isOpen(): boolean {
        return this._client != null;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this.isOpen()) return;
        // The toolkit types the correlation id as a string, but takes none as null.
        const connection = await this._connectionResolver.resolve(correlationId as string);
        const uri = connection.getAsString('uri');
        let target: URL;
        try {
            target = new URL(uri);
        } catch (err) {
            throw new ConfigException(correlationId ?? undefined, SessionsErrorCode.WRONG_URI, 'The sessions service URI ' + uri + ' is not a URL')
                .withDetails('uri', uri).withCause(err as Error);
        }
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
            throw new ConfigException(correlationId ?? undefined, SessionsErrorCode.WRONG_PROTOCOL, 'The sessions service URI ' + uri
                + ' is neither http nor https').withDetails('uri', uri);
        }
        this._uri = uri;
        this._target = target;
        // Keep-alive: a call reuses an idle connection instead of opening one each time.
        this._client = target.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
        this._logger.debug(correlationId as string, 'Connected via REST to %s', uri);
    }

    public async close(correlationId: string | null): Promise<void> {
        const agent = this._client;
        if (agent == null) return;
        const uri = this._uri;
        this._client = null;
        this._uri = null;
        this._target = null;
        // Its kept-alive sockets would otherwise hold the process open.
        agent.destroy();
        this._logger.debug(correlationId as string, 'Closed REST service at %s', uri);
    }

    /** Logs, counts and traces a call; end the returned timing when the call is done. */
    protected instrument(correlationId: string | null, name: string): InstrumentTiming {
        return SessionsCallInstruments.begin(this._logger, this._counters, this._tracer, correlationId, name);
    }

    /** POSTs a command to <base route>/<name> with its arguments as the JSON body. */
    protected async callCommand<T>(name: string, correlationId: string | null, params: unknown): Promise<T> {
        const timing = this.instrument(correlationId, this._baseRoute + '.' + name);
        try {
            const result = await this.call<T>('post', name, correlationId ?? undefined, {}, params ?? {});
            timing.endTiming();
            return result;
        } catch (err) {
            timing.endFailure(err as Error);
            throw err;
        }
    }

    /**
     * Sends one request and reads its JSON reply (null for 204). A connection that cannot
     * be made is retried options.retries times, after options.retry_delay ms doubling each
     * time; once connected, a request is never sent again (but for a kept-alive connection
     * found closed, where it never reached the service).
     */
    protected async call<T>(method: string, route: string, correlationId?: string,
        params: Record<string, unknown> = {}, data?: unknown): Promise<T> {
        const agent = this._client;
        const target = this._target;
        if (agent == null || target == null) {
            throw new InvalidStateException(correlationId, SessionsErrorCode.NOT_OPENED, 'The sessions client is not open: call open() first');
        }
        const verb = method.toUpperCase();
        if (!METHODS.has(verb)) {
            throw new InvalidStateException(correlationId, SessionsErrorCode.UNSUPPORTED_METHOD, 'HTTP method ' + method + ' is not supported');
        }
        const path = this.createRequestRoute(route);
        const url = this._uri + path;
        const query = new URLSearchParams();
        for (const [key, value] of Object.entries(params ?? {})) {
            if (value != null) query.set(key, String(value));
        }
        const headers: Record<string, string> = { accept: 'application/json', ...this._headers };
        if (this._apiKey != null) headers['x-api-key'] = this._apiKey;
        if (correlationId != null && correlationId !== '') {
            const place = this._correlationIdLocation;
            if (place === 'query' || place === 'both') query.set('correlation_id', correlationId);
            if (place === 'headers' || place === 'both') headers.correlation_id = correlationId;
        }
        let body: Buffer | null = null;
        if (METHODS_WITH_BODY.has(verb)) {
            body = Buffer.from(JSON.stringify(data ?? {}), 'utf8');
            headers['content-type'] = 'application/json';
            headers['content-length'] = String(body.length);
        }
        const search = query.toString();
        const request: SessionsHttpRequestV1 = {
            agent, target, method: verb, path: search !== '' ? path + '?' + search : path, headers, body,
            connectTimeout: this._connectTimeout, timeout: this._timeout
        };

        let retriesLeft = this._retries;
        let delay = this._retryDelay;
        let resent = false;
        for (;;) {
            const outcome = await SessionsHttpAttemptV1.send(request);
            if (outcome.kind === 'reply') return this.readReply<T>(correlationId ?? null, url, outcome.status, outcome.text);
            const code = (outcome.error as NodeJS.ErrnoException).code;
            if (outcome.failure === 'lost' && outcome.reusedSocket && !resent && code != null && STALE_SOCKET_CODES.has(code)) {
                // A kept-alive connection the service closed while it sat idle (a restart, or
                // its keep-alive timeout): the request never reached it, so send it again, once.
                resent = true;
                continue;
            }
            if (outcome.failure === 'connect' && retriesLeft > 0 && this._client === agent) {
                retriesLeft--;
                await new Promise(resolve => setTimeout(resolve, delay));
                delay *= 2;
                // Closed while waiting: no more attempts on a destroyed agent.
                if (this._client === agent) continue;
            }
            throw SessionsHttpErrorsV1.transport(correlationId ?? null, url, outcome.failure, outcome.error, this._timeout);
        }
    }

    private readReply<T>(correlationId: string | null, url: string, status: number, text: string): T {
        if (status === 204) return null as T;
        let body: unknown;
        let parseError: Error | null = null;
        try {
            // An empty reply reads as {}, as restify-clients read it: a session call then fails
            // INVALID_REPLY rather than passing for "no such session".
            body = text === '' ? {} : JSON.parse(text);
        } catch (err) {
            parseError = err as Error;
        }
        if (status >= 400) throw SessionsHttpErrorsV1.reply(correlationId, url, status, parseError == null ? body : null);
        if (parseError != null) throw SessionsHttpErrorsV1.invalidJson(correlationId, url, status, parseError);
        return body as T;
    }

    private createRequestRoute(route: string): string {
        let path = '';
        if (this._baseRoute != null && this._baseRoute.length > 0) {
            if (!this._baseRoute.startsWith('/')) path += '/';
            path += this._baseRoute;
        }
        if (route.length > 0 && !route.startsWith('/')) path += '/';
        return path + route;
    }
}
