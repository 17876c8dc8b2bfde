import { ConfigParams, Descriptor } from 'pip-services3-commons-nodex';

import { SessionsMetrics } from '../logic/SessionsMetrics';
import { SessionsRestService } from './SessionsRestService';
import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';

/**
 * GET /metrics in Prometheus' text format, on the shared HTTP endpoint.
 *
 * Configuration: route (default "metrics").
 * References: service-sessions:metrics:*:*:1.0 (required), the HTTP endpoint.
 */
export class SessionsMetricsHttpService extends SessionsRestService {
    private _route = 'metrics';

    public constructor() {
        super();
        this._dependencyResolver.put('metrics', new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        this._route = config.getAsStringWithDefault('route', this._route);
    }

    public register(): void {
        const metrics = this._dependencyResolver.getOneRequired<SessionsMetrics>('metrics');
        this.registerRoute('get', this._route, null, async (req: SessionsHttpRequest, res: SessionsHttpResponse) => {
            const text = await metrics.text();
            res.statusCode = 200;
            res.setHeader('Content-Type', metrics.contentType);
            res.setHeader('Cache-Control', 'no-store');
            res.end(text);
        }, this.requireOperationsKey(this.appendBaseRoute(this._route)));
    }
}
