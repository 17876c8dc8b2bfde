import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import { Duplex } from 'stream';

import {
    ApplicationException, BadRequestException, ConfigException, ConfigParams, ConnectionException, Descriptor, IConfigurable, IOpenable, IReferenceable,
    IReferences, NotFoundException, Schema, UnsupportedException
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { ByteSize } from '../logic/ByteSize';
import { SessionsMetrics } from '../logic/SessionsMetrics';
import { HttpErrorBody } from './HttpErrorBody';
import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';
import { SessionsSettingReader } from '../logic/SessionsSettingReader';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';
import { SessionsJsonParser } from './SessionsJsonParser';
import { SessionsListenResolver } from './SessionsListenResolver';

type Response = SessionsHttpResponse<SessionsHttpRequest>;
type RouteAction = (req: SessionsHttpRequest, res: Response) => Promise<void> | void;
/** Checks a request before its body is read (the API key); throws to refuse it. */
export type SessionsHttpRouteGuard = (req: SessionsHttpRequest) => void;

/** What a REST service registered on the endpoint implements (as the toolkit's do). */
interface IRegisterable {
    register(): void;
}

interface Route {
    readonly schema: Schema | null;
    readonly action: RouteAction;
    readonly guard: SessionsHttpRouteGuard | null;
    /** The API command the route runs (its metrics label), or null for other routes (heartbeat, metrics...). */
    readonly command: string | null;
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** How long close() waits for requests in flight before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5000;
/** The command label of a rejected request whose route names no command: a fixed value, never the URL. */
const UNKNOWN_COMMAND = 'unknown';

/**
 * The HTTP endpoint all of the process's REST services share, on Node's own http server
 * (the toolkit's needs restify, which does not load on Node 24). Every refusal before a
 * route (404, 405, 400, 408, 413, 415, 431) is in the service's error shape and counted in
 * sessions_requests_total. Options: docs/configuration.md#http-endpoint-options.
 */
export class SessionsHttpEndpoint implements IConfigurable, IReferenceable, IOpenable {
    private static readonly _endpointDefaults = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', '0.0.0.0',
        'connection.port', 8080,
        'options.request_max_size', 1024 * 1024,
        'options.max_connections', 4096,
        'options.headers_timeout', 10000,
        'options.request_timeout', 30000
    );

    private readonly _resolver = new SessionsListenResolver();
    private readonly _log = new CompositeLogger();
    private readonly _registered: IRegisterable[] = [];
    private readonly _routes = new Map<string, Map<string, Route>>();
    private _metrics: SessionsMetrics | null = null;
    private _httpServer: http.Server | null = null;
    private _closing = false;
    private _address: string | null = null;
    private _requestMaxSize = 1024 * 1024;
    private _maxConnections = 4096;
    private _headersTimeout = 10000;
    private _requestTimeout = 30000;

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsHttpEndpoint._endpointDefaults);
        const settings = new SessionsSettingReader(config);
        if (config.getAsNullableString('connection.uri') == null) settings.port('connection.port', 8080);
        this._resolver.configure(config);
        this._requestMaxSize = settings.bytes('options.request_max_size', this._requestMaxSize);
        this._maxConnections = settings.count('options.max_connections', this._maxConnections, 1);
        this._headersTimeout = settings.millis('options.headers_timeout', this._headersTimeout);
        this._requestTimeout = settings.millis('options.request_timeout', this._requestTimeout);
        if (!(this._headersTimeout > 0 && this._requestTimeout >= this._headersTimeout)) {
            throw new ConfigException(undefined, SessionsErrorCode.BAD_HTTP_LIMITS, 'options.max_connections and options.headers_timeout must be '
                + 'above 0, and options.request_timeout at least options.headers_timeout');
        }
    }

    public setReferences(references: IReferences): void {
        this._log.setReferences(references);
        this._resolver.setReferences(references);
        this._metrics = references.getOneOptional<SessionsMetrics>(new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    public isOpen(): boolean {
        return this._httpServer != null;
    }

    /** Where it listens once open (`http://host:port`), with the real port when 0 was asked for. */
    public get address(): string | null {
        return this._httpServer != null ? this._address : null;
    }

    public async open(correlationId: string): Promise<void> {
        if (this._httpServer != null) return;
        const connection = await this._resolver.resolve(correlationId);
        const protocol = connection.getAsStringWithDefault('protocol', 'http');
        const host = connection.getAsStringWithDefault('host', '0.0.0.0');
        const port = connection.getAsInteger('port');

        // Far below Node's defaults (60 s for headers, 300 s for a whole request): a slow
        // client holds a connection and its buffered body for seconds, not minutes. Node
        // checks them every connectionsCheckingInterval, so that is kept short too.
        const options = {
            IncomingMessage: SessionsHttpRequest, ServerResponse: SessionsHttpResponse,
            headersTimeout: this._headersTimeout, requestTimeout: this._requestTimeout,
            connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(this._headersTimeout / 4)))
        };
        const listener = (req: SessionsHttpRequest, res: Response) => this.handle(req, res);
        const server = protocol === 'https'
            ? https.createServer({
                ...options,
                key: fs.readFileSync(connection.getAsString('ssl_key_file')),
                cert: fs.readFileSync(connection.getAsString('ssl_crt_file'))
            }, listener)
            : http.createServer(options, listener);
        server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.answerClientError(err, socket));
        // Without a listener Node drops a CONNECT without a word; this is no proxy.
        server.on('connect', (req: http.IncomingMessage, socket: Duplex) => this.answerRaw(socket,
            new UnsupportedException(undefined, SessionsErrorCode.METHOD_NOT_ALLOWED, 'CONNECT is not allowed: this is not a proxy').withStatus(405),
            'Method Not Allowed'));
        // Past the cap Node closes new connections at once, so a flood cannot exhaust memory or file handles.
        server.maxConnections = this._maxConnections;

        this._routes.clear();
        for (const registration of this._registered) registration.register();
        try {
            await new Promise<void>((resolve, reject) => {
                server.once('error', reject);
                server.listen(port, host, () => {
                    server.off('error', reject);
                    resolve();
                });
            });
        } catch (err) {
            throw new ConnectionException(correlationId, SessionsErrorCode.CANNOT_LISTEN,
                'Cannot listen on ' + host + ':' + port + ': ' + (err as Error).message);
        }
        this._httpServer = server;
        this._address = protocol + '://' + host + ':' + (server.address() as AddressInfo).port;
        this._log.info(correlationId, 'HTTP API listening at %s', this._address);
    }

    public async close(correlationId: string): Promise<void> {
        const server = this._httpServer;
        if (server == null) return;
        this._httpServer = null;
        // Stop accepting connections, let the requests in flight finish, and end each
        // kept-alive connection after its current response (handle() marks them), so a
        // busy client cannot hold the shutdown open; past the grace period, cut the rest.
        this._closing = true;
        await new Promise<void>((resolve) => {
            const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
            server.close(() => {
                clearTimeout(deadline);
                resolve();
            });
            server.closeIdleConnections();
        });
        this._closing = false;
        this._log.debug(correlationId, 'HTTP API closed');
    }

    public register(registration: IRegisterable): void {
        this._registered.push(registration);
    }

    public unregister(registration: IRegisterable): void {
        const index = this._registered.indexOf(registration);
        if (index >= 0) this._registered.splice(index, 1);
    }

    public getCorrelationId(req: SessionsHttpRequest): string {
        return SessionsHttpEndpoint.correlationIdOf(req);
    }

    /** From the query string (correlation_id), else the correlation_id header, as the toolkit reads it. */
    public static correlationIdOf(req: SessionsHttpRequest): string {
        const fromQuery = req.query.correlation_id;
        if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
        const fromHeader = req.headers['correlation_id'];
        return typeof fromHeader === 'string' ? fromHeader : '';
    }

    /** command: the API command the route runs, for the metrics of requests refused before it runs. */
    public registerRoute(method: string, route: string, schema: Schema | null, action: RouteAction,
        guard: SessionsHttpRouteGuard | null = null, command: string | null = null): void {
        const path = route.startsWith('/') ? route : '/' + route;
        let methods = this._routes.get(path);
        if (methods == null) {
            methods = new Map<string, Route>();
            this._routes.set(path, methods);
        }
        const name = method.toUpperCase() === 'DEL' ? 'DELETE' : method.toUpperCase();
        methods.set(name, { schema, action, guard, command });
    }

    private handle(req: SessionsHttpRequest, res: Response): void {
        if (this._closing) res.setHeader('Connection', 'close');
        const url = req.url ?? '/';
        const queryStart = url.indexOf('?');
        req.pathname = queryStart < 0 ? url : url.slice(0, queryStart);
        if (queryStart >= 0) req.query = Object.fromEntries(new URLSearchParams(url.slice(queryStart + 1)));

        const methods = this._routes.get(req.pathname);
        const route = methods?.get(req.method ?? 'GET');
        if (methods == null || route == null) {
            const error = methods == null
                ? new NotFoundException(undefined, SessionsErrorCode.RESOURCE_NOT_FOUND, 'Unknown route: ' + req.method + ' ' + req.pathname
                    + this.commandsBeside(req.pathname))
                : new UnsupportedException(undefined, SessionsErrorCode.METHOD_NOT_ALLOWED, req.method + ' is not allowed on ' + req.pathname)
                    .withStatus(405);
            if (methods != null) res.setHeader('Allow', [...methods.keys()].join(', '));
            const command = methods == null ? null : [...methods.values()].find(known => known.command != null)?.command ?? null;
            this.count(command, this.reject(req, res, error));
            return;
        }
        if (route.guard != null) {
            try {
                route.guard(req);
            } catch (err) {
                this.reject(req, res, err);
                return;
            }
        }
        if (!METHODS_WITH_BODY.has(req.method ?? '')) {
            req.resume();
            this.run(req, res, route);
            return;
        }
        this.readBody(req, res, route, () => this.run(req, res, route));
    }

    /** For a path beside command routes (a mistyped command): ". The commands at <parent> are: a, b". */
    private commandsBeside(pathname: string): string {
        const parent = pathname.slice(0, pathname.lastIndexOf('/') + 1);
        const commands: string[] = [];
        for (const [path, methods] of this._routes) {
            if (!path.startsWith(parent) || path.indexOf('/', parent.length) >= 0) continue;
            for (const route of methods.values()) {
                if (route.command != null && !commands.includes(route.command)) commands.push(route.command);
            }
        }
        return commands.length === 0 ? '' : '. The commands at ' + parent + ' are: ' + commands.join(', ');
    }

    private readBody(req: SessionsHttpRequest, res: Response, route: Route, then: () => void): void {
        const encoding = req.headers['content-encoding'];
        if (encoding != null && encoding !== 'identity') {
            this.count(route.command, this.reject(req, res, new BadRequestException(undefined, SessionsErrorCode.UNSUPPORTED_MEDIA_TYPE,
                'Content-Encoding ' + encoding + ' is not supported').withStatus(415)));
            return;
        }
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > this._requestMaxSize) {
            this.count(route.command, this.reject(req, res, this.tooLarge()));
            return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let rejected = false;
        req.on('data', (chunk: Buffer) => {
            if (rejected) return;
            size += chunk.length;
            if (size > this._requestMaxSize) {
                rejected = true;
                chunks.length = 0;
                this.count(route.command, this.reject(req, res, this.tooLarge()));
            } else {
                chunks.push(chunk);
            }
        });
        req.on('error', () => { rejected = true; });
        req.on('end', () => {
            if (rejected) return;
            const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
            try {
                req.body = SessionsHttpEndpoint.parseJson(text);
            } catch (err) {
                this.count(route.command, this.reject(req, res, err));
                return;
            }
            then();
        });
    }

    private run(req: SessionsHttpRequest, res: Response, route: Route): void {
        if (route.schema != null) {
            this.runRoute(req, res, route).catch((err: unknown) => this.sendError(req, res, err));
            return;
        }
        // No schema to check (every route of ours): the action straight away, without an async wrapper around it.
        let done: Promise<void> | void;
        try {
            done = route.action(req, res);
        } catch (err) {
            this.sendError(req, res, err);
            return;
        }
        if (done != null) done.catch((err: unknown) => this.sendError(req, res, err));
    }

    private async runRoute(req: SessionsHttpRequest, res: Response, route: Route): Promise<void> {
        if (route.schema != null) {
            const params = { ...req.params, ...req.query, body: req.body };
            const error = route.schema.validateAndReturnException(this.getCorrelationId(req), params, false);
            if (error != null) throw error;
        }
        await route.action(req, res);
    }

    /** Answers an error before the body was read; the connection is not reused. Returns the status answered. */
    private reject(req: SessionsHttpRequest, res: Response, error: unknown): number {
        res.setHeader('Connection', 'close');
        const status = this.sendError(req, res, error);
        req.resume();
        return status;
    }

    /** Counts a request refused before its route ran, under its command or "unknown" (labels stay a fixed set). */
    private count(command: string | null, status: number): void {
        this._metrics?.recordRejected('http', command ?? UNKNOWN_COMMAND, status);
    }

    private sendError(req: SessionsHttpRequest, res: Response, err: unknown): number {
        const body = HttpErrorBody.fromError(err, this.getCorrelationId(req));
        if (res.headersSent) return body.status;
        if (body.status >= 500) this._log.error(this.getCorrelationId(req), err as Error, 'Request %s failed', req.pathname);
        if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
        res.send(body.status, body);
        return body.status;
    }

    private tooLarge(): ApplicationException {
        return new BadRequestException(undefined, SessionsErrorCode.PAYLOAD_TOO_LARGE,
            'Request body larger than ' + ByteSize.describe(this._requestMaxSize, 'HTTP_REQUEST_MAX_SIZE')).withStatus(413)
            .withDetails('max_size', this._requestMaxSize);
    }

    /**
     * Requests Node refuses before they reach a route (not HTTP, headers over its limit,
     * too slow) get the same JSON error as everything else, where Node sends an empty
     * 400, 431 or 408.
     */
    private answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
        const inResponse = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
        if (err.code === 'ECONNRESET' || !socket.writable || inResponse) {
            socket.destroy();
            return;
        }
        if (err.code === 'HPE_HEADER_OVERFLOW') {
            this.answerRaw(socket, new BadRequestException(undefined, SessionsErrorCode.HEADERS_TOO_LARGE,
                'The request headers are too large').withStatus(431), 'Request Header Fields Too Large');
        } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
            this.answerRaw(socket, new BadRequestException(undefined, SessionsErrorCode.REQUEST_TIMEOUT,
                'The request was not received in time').withStatus(408), 'Request Timeout');
        } else {
            this.answerRaw(socket, new BadRequestException(undefined, SessionsErrorCode.BAD_REQUEST,
                'The request is not valid HTTP'), 'Bad Request');
        }
    }

    /** Writes an error reply straight to the socket, then closes it; counted, as no route was found for it. */
    private answerRaw(socket: Duplex, error: ApplicationException, reason: string): void {
        this.count(null, error.status);
        const body = JSON.stringify(HttpErrorBody.fromError(error));
        socket.end('HTTP/1.1 ' + error.status + ' ' + reason + '\r\n'
            + 'Content-Type: application/json\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\nConnection: close\r\n\r\n' + body);
    }

    /** Empty means no arguments; otherwise a JSON object, never an array or a scalar. */
    private static parseJson(text: string): unknown {
        if (text.trim() === '') return undefined;
        let parsed: unknown;
        try {
            parsed = SessionsJsonParser.parse(text);
        } catch (err) {
            const forbidden = SessionsJsonParser.isForbiddenKey(err);
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_JSON, forbidden
                ? 'The request body must not contain __proto__ or constructor.prototype keys'
                : 'The request body is not valid JSON');
        }
        if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_DATA, 'The request body must be a JSON object of arguments');
        }
        return parsed ?? undefined;
    }
}
