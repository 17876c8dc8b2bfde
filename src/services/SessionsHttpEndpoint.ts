import * as fs from 'fs';

import * as restify from 'restify';
import * as secureJson from 'secure-json-parse';
import {
    BadRequestException, ConfigParams, ConnectionException, IReferences, Schema
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';
import { HttpConnectionResolver, HttpEndpoint } from 'pip-services3-rpc-nodex';

import { HttpErrorBody } from './HttpErrorBody';

type RouteAction = (req: restify.Request, res: restify.Response) => Promise<void> | void;
/** What the toolkit's REST services implement (its IRegisterable is not exported). */
interface IRegisterable {
    register(): void;
}

type Interceptor = (req: restify.Request, res: restify.Response, next: () => void) => void;

/**
 * The HTTP endpoint all of the process's REST services share (our commandable service,
 * the toolkit's heartbeat and status services). It replaces the toolkit's HttpEndpoint,
 * whose server set-up cannot be changed from outside, to fix what that one gets wrong:
 * - options.request_max_size (default 1 MB) is enforced: 413, checked on Content-Length
 *   before reading and on the bytes read (the toolkit ignores the option);
 * - a body that is not JSON, or that carries __proto__ / constructor.prototype keys,
 *   is a 400 in the service's error shape, and so are restify's own 404 and 405;
 * - no CORS headers: the toolkit reflected any Origin with credentials allowed, and
 *   browsers have no business calling a session store directly.
 *
 * Configuration: connection.protocol/host/port (or uri), credential.ssl_key_file and
 * credential.ssl_crt_file for https, options.request_max_size (bytes).
 */
export class SessionsHttpEndpoint extends HttpEndpoint {
    private static readonly _endpointDefaults = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', '0.0.0.0',
        'connection.port', 8080,
        'options.request_max_size', 1024 * 1024
    );

    private readonly _resolver = new HttpConnectionResolver();
    private readonly _log = new CompositeLogger();
    private readonly _registered: IRegisterable[] = [];
    private _httpServer: restify.Server | null = null;
    private _address: string | null = null;
    private _requestMaxSize = 1024 * 1024;

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsHttpEndpoint._endpointDefaults);
        this._resolver.configure(config);
        this._requestMaxSize = config.getAsLongWithDefault('options.request_max_size', this._requestMaxSize);
    }

    public setReferences(references: IReferences): void {
        this._log.setReferences(references);
        this._resolver.setReferences(references);
    }

    public isOpen(): boolean {
        return this._httpServer != null;
    }

    /** The URL the endpoint listens on once open, with the real port when 0 was asked for. */
    public get address(): string | null {
        return this._address;
    }

    public async open(correlationId: string): Promise<void> {
        if (this._httpServer != null) return;
        const connection = await this._resolver.resolve(correlationId);
        const protocol = connection.getAsStringWithDefault('protocol', 'http');
        const host = connection.getAsStringWithDefault('host', '0.0.0.0');
        const port = connection.getAsInteger('port');

        const options: restify.ServerOptions = { handleUpgrades: false };
        if (protocol === 'https') {
            options.key = fs.readFileSync(connection.getAsString('ssl_key_file'));
            options.certificate = fs.readFileSync(connection.getAsString('ssl_crt_file'));
        }
        const server = restify.createServer(options);
        server.pre((req, res, next) => this.rejectOversizedBody(req, res, next));
        server.use(restify.plugins.queryParser());
        server.use(restify.plugins.bodyReader({ maxBodySize: this._requestMaxSize }));
        server.use((req, res, next) => this.parseJsonBody(req, res, next));
        server.on('restifyError', (req: restify.Request, res: restify.Response, err: Error & { toJSON?: () => unknown },
            callback: () => void) => {
            const body = HttpErrorBody.fromError(err, this.getCorrelationId(req));
            err.toJSON = () => body;
            callback();
        });

        this._httpServer = server;
        try {
            for (const registration of this._registered) registration.register();
            await new Promise<void>((resolve, reject) => {
                server.server.once('error', reject);
                server.listen(port, host, () => {
                    server.server.off('error', reject);
                    resolve();
                });
            });
        } catch (err) {
            this._httpServer = null;
            server.close();
            throw new ConnectionException(correlationId, 'CANNOT_LISTEN',
                'Cannot listen on ' + host + ':' + port + ': ' + (err as Error).message);
        }
        const bound = server.address();
        this._address = protocol + '://' + host + ':' + bound.port;
        this._log.info(correlationId, 'HTTP API listening at %s', this._address);
    }

    public async close(correlationId: string): Promise<void> {
        const server = this._httpServer;
        if (server == null) return;
        this._httpServer = null;
        this._address = null;
        // Finish requests in flight, then drop idle keep-alive connections so close() returns.
        await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.server.closeIdleConnections();
        });
        this._log.debug(correlationId, 'HTTP API closed');
    }

    public register(registration: IRegisterable): void {
        this._registered.push(registration);
    }

    public unregister(registration: IRegisterable): void {
        const index = this._registered.indexOf(registration);
        if (index >= 0) this._registered.splice(index, 1);
    }

    public getCorrelationId(req: restify.Request): string {
        const fromQuery = (req.query as Record<string, unknown> | undefined)?.correlation_id;
        if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
        const fromHeader = req.headers['correlation_id'];
        return typeof fromHeader === 'string' ? fromHeader : '';
    }

    public registerRoute(method: string, route: string, schema: Schema | null, action: RouteAction): void {
        const server = this.server;
        const path = route.startsWith('/') ? route : '/' + route;
        const handler = (req: restify.Request, res: restify.Response, next: restify.Next): void => {
            this.runRoute(req, res, schema, action).then(() => next(), () => next());
        };
        switch (method.toLowerCase()) {
            case 'get': server.get(path, handler); break;
            case 'post': server.post(path, handler); break;
            case 'put': server.put(path, handler); break;
            case 'patch': server.patch(path, handler); break;
            case 'delete': case 'del': server.del(path, handler); break;
            case 'head': server.head(path, handler); break;
            default: throw new Error('Unsupported HTTP method ' + method);
        }
    }

    public registerRouteWithAuth(method: string, route: string, schema: Schema | null,
        authorize: Interceptor, action: RouteAction): void {
        this.registerRoute(method, route, schema, async (req, res) => {
            await new Promise<void>((resolve, reject) => {
                try {
                    authorize(req, res, () => { Promise.resolve(action(req, res)).then(resolve, reject); });
                } catch (err) {
                    reject(err);
                }
            });
        });
    }

    public registerInterceptor(route: string, action: Interceptor): void {
        const prefix = route.startsWith('/') ? route : '/' + route;
        this.server.use((req, res, next) => {
            if (prefix !== '/' && !(req.path() ?? '').startsWith(prefix)) return next();
            action(req, res, next);
        });
    }

    private get server(): restify.Server {
        if (this._httpServer == null) throw new Error('Routes can only be registered while the endpoint opens');
        return this._httpServer;
    }

    private async runRoute(req: restify.Request, res: restify.Response, schema: Schema | null,
        action: RouteAction): Promise<void> {
        try {
            if (schema != null) {
                const params = { ...req.params, ...(req.query as object), body: req.body };
                const error = schema.validateAndReturnException(this.getCorrelationId(req), params, false);
                if (error != null) throw error;
            }
            await action(req, res);
        } catch (err) {
            this.sendError(req, res, err);
        }
    }

    private sendError(req: restify.Request, res: restify.Response, err: unknown): void {
        if (res.headersSent) return;
        const body = HttpErrorBody.fromError(err, this.getCorrelationId(req));
        if (body.status >= 500) this._log.error(this.getCorrelationId(req), err as Error, 'Request %s failed', req.path());
        res.send(body.status, body);
    }

    // Refuses a declared oversized body before reading a byte of it.
    private rejectOversizedBody(req: restify.Request, res: restify.Response, next: restify.Next): void {
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > this._requestMaxSize) {
            res.setHeader('Connection', 'close');
            this.sendError(req, res, new BadRequestException(this.getCorrelationId(req), 'PAYLOAD_TOO_LARGE',
                'Request body size exceeds ' + this._requestMaxSize).withStatus(413));
            return next(false);
        }
        return next();
    }

    private parseJsonBody(req: restify.Request, res: restify.Response, next: restify.Next): void {
        const raw: unknown = req.body;
        const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
        if (text.trim() === '') {
            req.body = undefined;
            return next();
        }
        let parsed: unknown;
        try {
            parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
        } catch (err) {
            const forbidden = /prototype|constructor/i.test((err as Error).message);
            this.sendError(req, res, new BadRequestException(this.getCorrelationId(req), 'INVALID_JSON', forbidden
                ? 'The request body must not contain __proto__ or constructor.prototype keys'
                : 'The request body is not valid JSON'));
            return next(false);
        }
        if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
            this.sendError(req, res, new BadRequestException(this.getCorrelationId(req), 'INVALID_DATA',
                'The request body must be a JSON object of arguments'));
            return next(false);
        }
        req.body = parsed ?? undefined;
        return next();
    }
}
