import {
    ConfigParams, DependencyResolver, IConfigurable, IOpenable, IReferenceable, IReferences, IUnreferenceable, Schema
} from 'pip-services3-commons-nodex';
import { CompositeCounters, CompositeLogger } from 'pip-services3-components-nodex';

import { HttpErrorBody } from './HttpErrorBody';
import { SessionsApiAccess } from './SessionsApiAccess';
import { SessionsHttpEndpoint, SessionsHttpRouteGuard } from './SessionsHttpEndpoint';
import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';

export type SessionsHttpRouteAction = (req: SessionsHttpRequest, res: SessionsHttpResponse<SessionsHttpRequest>) => Promise<void> | void;

/**
 * What a REST service needs of the endpoint it registers on: ours, or any endpoint with the
 * toolkit's registration API (an application may share its own).
 */
export interface SessionsHttpRouteRegistry {
    register(registration: { register(): void }): void;
    unregister(registration: { register(): void }): void;
    registerRoute(method: string, route: string, schema: Schema | null, action: SessionsHttpRouteAction,
        guard?: SessionsHttpRouteGuard | null, command?: string | null): void;
    configure?(config: ConfigParams): void;
    setReferences?(references: IReferences): void;
    open(correlationId: string): Promise<void>;
    close(correlationId: string): Promise<void>;
}

/**
 * The base of the service's REST services (the API, Swagger UI, heartbeat, status, ready,
 * metrics): routes under an optional base_route on the shared HTTP endpoint
 * (dependencies.endpoint, default *:endpoint:http:*:1.0), or, without one, on an endpoint
 * of its own configured from this component's connection and options.
 *
 * Ours rather than the toolkit's RestService: that module loads restify, which does not
 * load on Node 24 (http-deceiver calls a removed process.binding).
 *
 * Configuration: base_route, dependencies.endpoint, swagger.enable, swagger.route, and the
 * endpoint's connection.* and options.* when it has no shared one.
 */
export abstract class SessionsRestService implements IConfigurable, IReferenceable, IUnreferenceable, IOpenable {
    private static readonly _defaultConfig = ConfigParams.fromTuples(
        'base_route', '',
        'dependencies.endpoint', '*:endpoint:http:*:1.0',
        'dependencies.access', 'service-sessions:access:*:*:1.0'
    );

    protected readonly _dependencyResolver = new DependencyResolver(SessionsRestService._defaultConfig);
    protected readonly _logger = new CompositeLogger();
    protected readonly _counters = new CompositeCounters();
    protected _config: ConfigParams = new ConfigParams();
    protected _references: IReferences | null = null;
    protected _endpoint: SessionsHttpRouteRegistry | null = null;
    protected _localEndpoint = false;
    protected _baseRoute = '';
    protected _swaggerEnable = false;
    protected _swaggerRoute = 'swagger';
    /** Who may call (see SessionsApiAccess): resolved with the references. */
    protected _access = new SessionsApiAccess();
    private _opened = false;

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsRestService._defaultConfig);
        this._config = config;
        this._dependencyResolver.configure(config);
        this._baseRoute = config.getAsStringWithDefault('base_route', this._baseRoute);
        this._swaggerEnable = config.getAsBooleanWithDefault('swagger.enable', this._swaggerEnable);
        this._swaggerRoute = config.getAsStringWithDefault('swagger.route', this._swaggerRoute);
    }

    public setReferences(references: IReferences): void {
        this._references = references;
        this._logger.setReferences(references);
        this._counters.setReferences(references);
        this._dependencyResolver.setReferences(references);
        this._access = SessionsApiAccess.forService(this._config, this._dependencyResolver.getOneOptional<SessionsApiAccess>('access'));
        const shared = this._dependencyResolver.getOneOptional<SessionsHttpRouteRegistry>('endpoint');
        this._endpoint = shared ?? this.createEndpoint();
        this._localEndpoint = shared == null;
        this._endpoint.register(this);
    }

    public unsetReferences(): void {
        this._endpoint?.unregister(this);
        this._endpoint = null;
    }

    public isOpen(): boolean {
        return this._opened;
    }

    public async open(correlationId: string): Promise<void> {
        if (this._opened) return;
        if (this._endpoint == null) {
            this._endpoint = this.createEndpoint();
            this._endpoint.register(this);
            this._localEndpoint = true;
        }
        if (this._localEndpoint) await this._endpoint.open(correlationId);
        this._opened = true;
    }

    public async close(correlationId: string): Promise<void> {
        if (!this._opened) return;
        if (this._localEndpoint) await this._endpoint?.close(correlationId);
        this._opened = false;
    }

    /** Called by the endpoint as it opens: registers this service's routes. */
    public abstract register(): void;

    /** With a guard, the endpoint runs it before reading the body (the API key); command: the API command the route runs. */
    protected registerRoute(method: string, route: string, schema: Schema | null, action: SessionsHttpRouteAction,
        guard: SessionsHttpRouteGuard | null = null, command: string | null = null): void {
        this._endpoint?.registerRoute(method, this.appendBaseRoute(route), schema, action, guard, command);
    }

    /**
     * A guard that lets a request through with a valid key only (401 before the body is
     * read); what that key may call is checked with the arguments (authorizeCommand()).
     */
    protected requireKey(): SessionsHttpRouteGuard {
        const access = this._access;
        return req => {
            // Without a key configured every caller passes: nothing to read from the request.
            if (!access.enabled) return;
            access.authenticate(this.getCorrelationId(req), SessionsApiAccess.fromHeaders(req.headers));
        };
    }

    /** Throws 401 or 403 unless the request's key may run the command with its parsed body. */
    protected authorizeCommand(req: SessionsHttpRequest, command: string): void {
        if (!this._access.enabled) return;
        this._access.authorize(this.getCorrelationId(req), SessionsApiAccess.fromHeaders(req.headers), command, req.body);
    }

    /** For /metrics and /status (at route): the full key, unless an operator opened them (options.operations_without_key). */
    protected requireOperationsKey(route: string): SessionsHttpRouteGuard {
        const access = this._access;
        return req => access.authorizeOperations(this.getCorrelationId(req), SessionsApiAccess.fromHeaders(req.headers), route);
    }

    protected appendBaseRoute(route: string): string {
        const path = route.startsWith('/') ? route : '/' + route;
        const base = this._baseRoute.replace(/^\/+|\/+$/g, '');
        return base === '' ? path : '/' + base + (path === '/' ? '' : path);
    }

    protected getCorrelationId(req: SessionsHttpRequest): string {
        return SessionsHttpEndpoint.correlationIdOf(req);
    }

    /** 200 with the result as JSON, or 204 without a body for a null result. */
    protected sendResult(req: SessionsHttpRequest, res: SessionsHttpResponse<SessionsHttpRequest>, result: unknown): void {
        if (result == null) res.send(204);
        else res.send(200, result);
    }

    /** The error in the service's shape (no stack, cause or paths); returns the status answered. */
    protected sendError(req: SessionsHttpRequest, res: SessionsHttpResponse<SessionsHttpRequest>, error: unknown): number {
        const body = HttpErrorBody.fromError(error, this.getCorrelationId(req));
        if (!res.headersSent) res.send(body.status, body);
        return body.status;
    }

    private createEndpoint(): SessionsHttpEndpoint {
        const endpoint = new SessionsHttpEndpoint();
        endpoint.configure(this._config);
        if (this._references != null) endpoint.setReferences(this._references);
        return endpoint;
    }
}
