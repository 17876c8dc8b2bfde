import { Descriptor, ICommandable } from 'pip-services3-commons-nodex';

import { SessionsMetrics } from '../../logic/SessionsMetrics';
import { ISessionsController } from '../../logic/ISessionsController';
import { HttpErrorBody } from '../HttpErrorBody';
import { SessionsHttpRequest } from '../SessionsHttpRequest';
import { SessionsHttpResponse } from '../SessionsHttpResponse';
import { SessionsJsonText } from '../../logic/SessionsJsonText';
import { SessionsRestService } from '../SessionsRestService';
import { SessionsOpenApiDocument } from './SessionsOpenApiDocument';
import { SessionsCommandSet } from '../../logic/SessionsCommandSet';

type HttpRequest = SessionsHttpRequest;
type HttpResponse = SessionsHttpResponse<SessionsHttpRequest>;

/**
 * POST /v1/sessions/<command> with the arguments as a JSON object, as the original and
 * its client (client-sessions-node) expect: 200 with JSON, 204 for a null result.
 *
 * Differs from the toolkit's CommandableHttpService in how it fails: errors carry no
 * stack, cause or paths; client errors (4xx) are logged at debug, not as ERROR with a
 * stack; and the OpenAPI document at /v1/sessions/swagger (swagger.enable) marks only
 * the really required arguments.
 *
 * Each request is counted and timed in the Prometheus metrics (service-sessions:metrics,
 * optional) instead of the toolkit's instrument(), which also wrote a trace line per request.
 *
 * With auth.api_key set, every command needs a key (x-api-key or Authorization: Bearer),
 * else 401 UNAUTHORIZED before the body is read; the application key (auth.app_api_key) is
 * then checked against its scope with the parsed body, else 403 FORBIDDEN_SCOPE (see
 * SessionsApiAccess). The OpenAPI document stays readable and declares the scheme.
 */
export class SessionsCommandableHttpServiceV1 extends SessionsRestService {
    public constructor() {
        super();
        this._baseRoute = 'v1/sessions';
        this._dependencyResolver.put('metrics', new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
        this._dependencyResolver.put('controller', new Descriptor('service-sessions', 'controller', 'default', '*', '1.0'));
    }

    public register(): void {
        const controller = this._dependencyResolver.getOneRequired<ISessionsController & ICommandable>('controller');
        const metrics = this._dependencyResolver.getOneOptional<SessionsMetrics>('metrics');
        const keyGuard = this.requireKey();
        const commands = SessionsCommandSet.of(controller).getCommands();
        for (const command of commands) {
            const name = command.getName();
            const run = async (req: HttpRequest, res: HttpResponse): Promise<void> => {
                const correlationId = this.getCorrelationId(req);
                const started = performance.now();
                let status: number;
                try {
                    this.authorizeCommand(req, name);
                    const result = await command.executeArguments(correlationId, req.body);
                    status = result == null ? 204 : 200;
                    // The result is built for this reply alone (SessionV1Wire copies): its dates are written in place.
                    if (result == null) {
                        res.send(204);
                    } else {
                        res.statusCode = 200;
                        res.jsonText(SessionsJsonText.stringifyOwned(result));
                    }
                } catch (err) {
                    this.logFailure(correlationId, name, err);
                    status = this.sendError(req, res, err);
                }
                metrics?.recordRequest('http', name, status, (performance.now() - started) / 1000);
            };
            // A refused key is counted as any other answer of the command.
            const guard = (req: HttpRequest): void => {
                try {
                    keyGuard(req);
                } catch (err) {
                    metrics?.recordRequest('http', name, HttpErrorBody.fromError(err).status, 0);
                    throw err;
                }
            };
            this.registerRoute('post', '/' + name, null, run, guard, name);
        }
        if (this._swaggerEnable) {
            const document = JSON.stringify(SessionsOpenApiDocument.create(this._baseRoute, commands,
                { fullKey: this._access.enabled, applicationKey: this._access.applicationKeyEnabled }));
            this.registerRoute('get', this._swaggerRoute, null, (req: HttpRequest, res: HttpResponse) => {
                res.setHeader('Content-Type', 'application/json');
                res.send(200, JSON.parse(document));
            });
        }
    }

    // Faults of the service are logged with their stack; an unavailable database in one
    // line per request (an outage would otherwise flood the log); a client's mistakes at
    // debug only.
    private logFailure(correlationId: string, commandName: string, err: unknown): void {
        const status = HttpErrorBody.fromError(err).status;
        const message = err instanceof Error ? err.message : String(err);
        if (status === 503) this._logger.warn(correlationId, '%s failed: %s', commandName, message);
        else if (status >= 500) this._logger.error(correlationId, err as Error, '%s failed', commandName);
        else this._logger.debug(correlationId, 'Rejected %s: %s', commandName, message);
    }

    protected sendError(req: HttpRequest, res: HttpResponse, error: unknown): number {
        if (!res.headersSent && HttpErrorBody.fromError(error).status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
        return super.sendError(req, res, error);
    }
}
