import { ConfigParams, ConnectionException, Descriptor } from 'pip-services3-commons-nodex';

import { ISessionsPersistence } from '../persistence/ISessionsPersistence';
import { HttpErrorBody } from './HttpErrorBody';
import { SessionsRestService } from './SessionsRestService';
import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';
import { ApplicationErrors } from '../logic/ApplicationErrors';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * GET /ready: 200 while the store can serve ("degraded" while it serves but needs an operator), 503
 * NOT_READY with details.reason while it cannot, so a load balancer sends traffic elsewhere; /heartbeat
 * stays liveness only, as a replica whose database is down should leave rotation, not restart
 * (docs/deployment.md#health-metrics-logs). Config: route, options.timeout (2000 ms).
 */
export class SessionsReadinessHttpService extends SessionsRestService {
    private _route = 'ready';
    private _timeout = 2000;
    private _lastReady: boolean | null = null;

    public constructor() {
        super();
        this._dependencyResolver.put('persistence', new Descriptor('service-sessions', 'persistence', '*', '*', '1.0'));
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        this._route = config.getAsStringWithDefault('route', this._route);
        this._timeout = config.getAsIntegerWithDefault('options.timeout', this._timeout);
    }

    public register(): void {
        const persistence = this._dependencyResolver.getOneRequired<ISessionsPersistence>('persistence');
        this.registerRoute('get', this._route, null, async (req: SessionsHttpRequest, res: SessionsHttpResponse) => {
            const correlationId = this.getCorrelationId(req);
            const reason = await this.check(correlationId, persistence);
            this.logChange(correlationId, reason);
            if (reason == null) {
                const degradation = persistence.degradation ?? null;
                res.send(200, degradation == null ? { status: 'ready' } : { status: 'degraded', reason: degradation });
                return;
            }
            const error = new ConnectionException(correlationId, SessionsErrorCode.NOT_READY, 'The session store is not ready')
                .withStatus(503).withDetails('reason', reason);
            const body = HttpErrorBody.fromError(error, correlationId);
            // The generic 5xx message would hide what an operator needs here; the reason
            // is one of a few fixed codes, never a driver message.
            res.send(503, { ...body, message: 'The session store is not ready', details: { reason } });
        });
    }

    /** Null when ready, else a short reason code. */
    private async check(correlationId: string, persistence: ISessionsPersistence): Promise<string | null> {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve(SessionsErrorCode.READY_TIMEOUT), this._timeout); });
        const probe = persistence.checkReady(correlationId).then(
            () => null,
            (err: unknown) => (ApplicationErrors.isApplicationException(err) && err.code) || SessionsErrorCode.STORE_FAILED);
        try {
            return await Promise.race([probe, timeout]);
        } finally {
            clearTimeout(timer);
        }
    }

    // Probes come every few seconds: log the changes, not every answer.
    private logChange(correlationId: string, reason: string | null): void {
        const ready = reason == null;
        if (ready === this._lastReady) return;
        if (ready) this._logger.info(correlationId, 'Ready: the session store answers');
        else this._logger.warn(correlationId, 'Not ready: %s', reason);
        this._lastReady = ready;
    }
}
