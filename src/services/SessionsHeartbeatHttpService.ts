import { ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsRestService } from './SessionsRestService';

/**
 * GET /heartbeat: 200 with the current time as a JSON string, a pure liveness check, as the
 * toolkit's HeartbeatRestService answers it (its module loads restify). Config: route.
 */
export class SessionsHeartbeatHttpService extends SessionsRestService {
    private _route = 'heartbeat';

    public configure(config: ConfigParams): void {
        super.configure(config);
        this._route = config.getAsStringWithDefault('route', this._route);
    }

    public register(): void {
        this.registerRoute('get', this._route, null, (req, res) => this.sendResult(req, res, new Date()));
    }
}
