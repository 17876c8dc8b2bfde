import {
    ApplicationException, ApplicationExceptionFactory, ConfigParams, ConnectionException, DataPage, ErrorDescription,
    FilterParams, InvalidStateException, InvocationException, PagingParams
} from 'pip-services3-commons-nodex';
import { CommandableHttpClient } from 'pip-services3-rpc-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsReplyV1 } from './SessionsReplyV1';

/** What this client uses of the restify-clients JsonClient the toolkit opens. */
interface RestJsonClient {
    get(options: RestRequestOptions, callback: RestCallback): void;
    head(options: RestRequestOptions, callback: RestCallback): void;
    del(options: RestRequestOptions, callback: RestCallback): void;
    post(options: RestRequestOptions, body: unknown, callback: RestCallback): void;
    put(options: RestRequestOptions, body: unknown, callback: RestCallback): void;
    patch(options: RestRequestOptions, body: unknown, callback: RestCallback): void;
    close(): void;
}

interface RestRequestOptions {
    path: string;
    headers: Record<string, string>;
    /** restify-clients retries only while no connection is made, so a command is never sent twice. */
    retry: { minTimeout: number; maxTimeout: number; retries: number } | false;
}

type RestCallback = (err: Error | null, req: unknown, res: { statusCode: number } | null | undefined, body: unknown) => void;

/** Node's codes for "never reached the server"; anything else without a reply may have reached it. */
const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * The sessions service over its commandable HTTP API (POST /v1/sessions/<command>),
 * also exported as SessionsHttpClientV1.
 *
 * Configuration (all optional):
 * - connection.protocol, connection.host, connection.port, or connection.uri: the service
 *   (default http://localhost:8080, the service's own default)
 * - options.connect_timeout: ms to wait for a connection (default 5000)
 * - options.timeout: ms to wait for an answer once connected (default 10000: the service
 *   itself answers within 5 s when its database is down)
 * - options.retries: how many times to retry a connection that could not be made (default 2;
 *   0 means no retry)
 * - options.retry_delay: ms before the first retry, doubling for each next one (default 1000)
 * - options.correlation_id: where the correlation id goes: query (default), headers or both
 * - auth.api_key: the service's API key (HTTP_API_KEY), sent as an x-api-key header
 *
 * Built on the toolkit's CommandableHttpClient, whose transport it replaces (call()):
 * with the toolkit's defaults a call to a down service rejected after about 70 s with a
 * raw Error, retries 0 meant 4 retries, and an error reply lost its HTTP status. Here:
 * - a service that cannot be reached is a ConnectionException (CONNECTION_FAILED, 503) naming
 *   the URL, after the configured retries; no answer in time is REQUEST_TIMEOUT (504), a
 *   connection broken mid-call CONNECTION_LOST (502);
 * - an error reply of the service is the toolkit's typed exception for its category, with
 *   the service's code, message, details and HTTP status;
 * - a 502/503/504 without the service's error body (a proxy in front of a stopped service)
 *   is a ConnectionException SERVICE_UNAVAILABLE with that status;
 * - results are SessionV1 objects with Date fields; "no such session" (204) is null.
 */
export class SessionsCommandableHttpClientV1 extends CommandableHttpClient implements ISessionsClientV1 {
    private static readonly _clientDefaults = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', 'localhost',
        'connection.port', 8080,
        'options.connect_timeout', 5000,
        'options.timeout', 10000,
        'options.retries', 2,
        'options.retry_delay', 1000
    );

    private _retryDelay: number;
    private _apiKey: string | null = null;

    public constructor(config?: unknown) {
        super('v1/sessions');
        // The same defaults for a client that is never configured (references only).
        const defaults = SessionsCommandableHttpClientV1._clientDefaults;
        this._connectTimeout = defaults.getAsInteger('options.connect_timeout');
        this._timeout = defaults.getAsInteger('options.timeout');
        this._retries = defaults.getAsInteger('options.retries');
        this._retryDelay = defaults.getAsInteger('options.retry_delay');
        if (config != null) this.configure(ConfigParams.fromValue(config));
    }

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsCommandableHttpClientV1._clientDefaults);
        super.configure(config);
        this._retries = Math.max(0, this._retries);
        this._retryDelay = Math.max(1, config.getAsIntegerWithDefault('options.retry_delay', this._retryDelay));
        this._apiKey = config.getAsNullableString('auth.api_key') || null;
    }

    public async open(correlationId: string | null): Promise<void> {
        await super.open(correlationId as string);
    }

    public async close(correlationId: string | null): Promise<void> {
        const client = this._client as RestJsonClient | null;
        await super.close(correlationId as string);
        // The toolkit only forgets its client; its keep-alive sockets would hold the process open.
        client?.close();
    }

    public async getSessions(correlationId: string | null, filter?: FilterParams | null,
        paging?: PagingParams | null): Promise<DataPage<SessionV1>> {
        const reply = await this.command('get_sessions', correlationId, { filter: filter, paging: paging });
        return SessionsReplyV1.toPage(correlationId, reply);
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.command('get_session_by_id', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const reply = await this.command('open_session', correlationId, {
            user_id: userId, user_name: userName, address: address, client: client, user: user, data: data
        });
        return SessionsReplyV1.toSession(correlationId, reply);
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        const reply = await this.command('store_session_data', correlationId, { session_id: sessionId, data: data });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        const reply = await this.command('update_session_user', correlationId, { session_id: sessionId, user: user });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.command('close_session', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        await this.command('close_expired_sessions', correlationId, {});
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.command('delete_session_by_id', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        const reply = await this.command('close_user_sessions', correlationId, { user_id: userId, except_session_id: exceptSessionId });
        return SessionsReplyV1.toClosedCount(correlationId, reply);
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        const reply = await this.command('validate_session', correlationId, { session_id: sessionId });
        return SessionsReplyV1.toSessionOrNull(correlationId, reply);
    }

    /**
     * Sends one request. Replaces the toolkit's version, which rejected with whatever the
     * HTTP library threw and dropped the HTTP status of error replies.
     */
    protected async call<T>(method: string, route: string, correlationId?: string,
        params: Record<string, unknown> = {}, data?: unknown): Promise<T> {
        const client = this._client as RestJsonClient | null;
        if (client == null) {
            throw new InvalidStateException(correlationId, 'NOT_OPENED', 'The sessions client is not open: call open() first');
        }
        const path = '/' + this._baseRoute + (route.startsWith('/') ? route : '/' + route);
        const url = this._uri + path;
        const query = new URLSearchParams();
        for (const [key, value] of Object.entries(params ?? {})) {
            if (value != null) query.set(key, String(value));
        }
        const headers: Record<string, string> = {};
        if (this._apiKey != null) headers['x-api-key'] = this._apiKey;
        if (correlationId != null && correlationId !== '') {
            const place = this._correlationIdLocation;
            if (place === 'query' || place === 'both') query.set('correlation_id', correlationId);
            if (place === 'headers' || place === 'both') headers.correlation_id = correlationId;
        }
        const search = query.toString();
        const options = (): RestRequestOptions => ({
            path: search !== '' ? path + '?' + search : path,
            headers: { ...headers },
            retry: this._retries > 0 ? { minTimeout: this._retryDelay, maxTimeout: Infinity, retries: this._retries } : false
        });

        return await new Promise<T>((resolve, reject) => {
            let resent = false;
            const done: RestCallback = (err, req, res, body) => {
                if (res == null && !resent && SessionsCommandableHttpClientV1.isStaleSocket(err, req)) {
                    // A kept-alive connection the service closed while it sat idle (a restart, or
                    // its keep-alive timeout): the request never reached it, so send it again, once.
                    resent = true;
                    send();
                } else if (res == null) reject(this.transportError(correlationId ?? null, url, err));
                else if (res.statusCode === 204) resolve(null as T);
                else if (res.statusCode >= 400) reject(this.replyError(correlationId ?? null, url, res.statusCode, body));
                else if (err != null) {
                    reject(new InvocationException(correlationId, 'INVALID_REPLY',
                        'The sessions service at ' + url + ' answered ' + res.statusCode + ' with a body that is not JSON')
                        .withDetails('url', url).withCause(err));
                } else resolve(body as T);
            };
            const send = (): void => {
                try {
                    switch (method.toLowerCase()) {
                        case 'get': client.get(options(), done); break;
                        case 'head': client.head(options(), done); break;
                        case 'delete': client.del(options(), done); break;
                        case 'post': client.post(options(), data, done); break;
                        case 'put': client.put(options(), data, done); break;
                        case 'patch': client.patch(options(), data, done); break;
                        default: reject(new InvalidStateException(correlationId, 'UNSUPPORTED_METHOD',
                            'HTTP method ' + method + ' is not supported'));
                    }
                } catch (err) {
                    // Thrown before sending (a header Node refuses, a body JSON cannot hold).
                    reject(err);
                }
            };
            send();
        });
    }

    private async command(name: string, correlationId: string | null, args: Record<string, unknown>): Promise<unknown> {
        // The toolkit types the correlation id as a string, but sends none for null.
        return await this.callCommand<unknown>(name, correlationId as string, args);
    }

    private transportError(correlationId: string | null, url: string, err: Error | null): ConnectionException {
        const cause = err ?? new Error('no response');
        const code = (cause as NodeJS.ErrnoException).code;
        let error: ApplicationException;
        if (cause.name === 'RequestTimeoutError') {
            error = new ConnectionException(correlationId ?? undefined, 'REQUEST_TIMEOUT',
                'The sessions service at ' + url + ' did not answer within ' + this._timeout
                + ' ms; the command may or may not have run').withStatus(504);
        } else if (cause.name === 'ConnectTimeoutError' || (code != null && CONNECT_ERROR_CODES.has(code))) {
            error = new ConnectionException(correlationId ?? undefined, 'CONNECTION_FAILED',
                'Cannot connect to the sessions service at ' + url + ': ' + cause.message).withStatus(503);
        } else {
            error = new ConnectionException(correlationId ?? undefined, 'CONNECTION_LOST',
                'The connection to the sessions service at ' + url + ' failed during the call (' + cause.message
                + '); the command may or may not have run').withStatus(502);
        }
        return error.withDetails('url', url).withCause(cause) as ConnectionException;
    }

    private replyError(correlationId: string | null, url: string, status: number, body: unknown): ApplicationException {
        if (SessionsCommandableHttpClientV1.isErrorDescription(body)) {
            // The factory picks the class by category but leaves the status at the class default.
            const error = ApplicationExceptionFactory.create(body).withStatus(Number(body.status) || status);
            if (!error.correlation_id && correlationId) error.withCorrelationId(correlationId);
            return error;
        }
        const error = status === 502 || status === 503 || status === 504
            ? new ConnectionException(correlationId ?? undefined, 'SERVICE_UNAVAILABLE',
                'The sessions service at ' + url + ' is unavailable: HTTP ' + status + ' without an error description')
            : new InvocationException(correlationId ?? undefined, 'UNEXPECTED_REPLY',
                'The sessions service at ' + url + ' answered HTTP ' + status + ' without an error description');
        return error.withStatus(status).withDetails('url', url);
    }

    private static isStaleSocket(err: Error | null, req: unknown): boolean {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        return (code === 'ECONNRESET' || code === 'EPIPE') && (req as { reusedSocket?: boolean } | null)?.reusedSocket === true;
    }

    private static isErrorDescription(body: unknown): body is ErrorDescription {
        const description = body as ErrorDescription | null;
        return description != null && typeof description === 'object'
            && typeof description.code === 'string' && typeof description.category === 'string';
    }
}
