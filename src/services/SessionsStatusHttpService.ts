import { ConfigParams, Descriptor, IReferences, StringConverter } from 'pip-services3-commons-nodex';
import { ContextInfo } from 'pip-services3-components-nodex';

import { SessionsRestService } from './SessionsRestService';

/**
 * GET /status: the process's id, name, times, uptime, context properties and component locators,
 * in the shape of the toolkit's StatusRestService (its module loads restify). Config: route.
 */
export class SessionsStatusHttpService extends SessionsRestService {
    private readonly _startTime = new Date();
    private _route = 'status';
    private _contextInfo: ContextInfo | null = null;

    public constructor() {
        super();
        this._dependencyResolver.put('context-info', new Descriptor('pip-services', 'context-info', 'default', '*', '1.0'));
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        this._route = config.getAsStringWithDefault('route', this._route);
    }

    public setReferences(references: IReferences): void {
        super.setReferences(references);
        this._contextInfo = this._dependencyResolver.getOneOptional<ContextInfo>('context-info');
    }

    public register(): void {
        this.registerRoute('get', this._route, null, (req, res) => {
            const now = new Date();
            const info = this._contextInfo;
            this.sendResult(req, res, {
                id: info?.contextId ?? '',
                name: info?.name ?? 'Unknown',
                description: info?.description ?? '',
                start_time: StringConverter.toString(this._startTime),
                current_time: StringConverter.toString(now),
                uptime: now.getTime() - this._startTime.getTime(),
                properties: info?.properties ?? '',
                components: this._references?.getAllLocators().map(locator => String(locator)) ?? []
            });
        }, this.requireOperationsKey(this.appendBaseRoute(this._route)));
    }
}
