import {
    ConfigParams, DataPage, Descriptor, FilterParams, InvalidStateException, PagingParams
} from 'pip-services3-commons-nodex';
// Deep import: the package index loads HttpEndpoint -> restify, which does not load on Node 24.
import { DirectClient } from 'pip-services3-rpc-nodex/obj/src/clients/DirectClient';

import { SessionV1 } from '../../data/version1/SessionV1';
import { ISessionsController } from '../../logic/ISessionsController';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * Calls the sessions controller in the same process (dependencies.controller). It calls the
 * controller's methods, not its commands, so the correlation id reaches the logic unchanged and
 * no JSON is involved; callers are typed, so arguments are not validated (docs/development.md#the-direct-client).
 */
export class SessionsDirectClientV1 extends DirectClient<ISessionsController> implements ISessionsClientV1 {
    public constructor(config?: unknown) {
        super();
        this._dependencyResolver.put('controller', new Descriptor('service-sessions', 'controller', '*', '*', '*'));
        if (config != null) this.configure(ConfigParams.fromValue(config));
    }

    public async open(correlationId: string | null): Promise<void> {
        await super.open(correlationId as string);
    }

    public async close(correlationId: string | null): Promise<void> {
        await super.close(correlationId as string);
    }

    public async getSessions(correlationId: string | null, filter?: FilterParams | null,
        paging?: PagingParams | null): Promise<DataPage<SessionV1>> {
        return await this.run(correlationId, 'get_sessions', controller => controller.getSessions(correlationId,
            FilterParams.fromValue(filter), PagingParams.fromValue(paging)));
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.run(correlationId, 'get_session_by_id', controller => controller.getSessionById(correlationId, sessionId));
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        return await this.run(correlationId, 'open_session', controller => controller.openSession(correlationId,
            userId, userName, address, client, user, data));
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        return await this.run(correlationId, 'store_session_data', controller => controller.storeSessionData(correlationId, sessionId, data));
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        return await this.run(correlationId, 'update_session_user', controller => controller.updateSessionUser(correlationId, sessionId, user));
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.run(correlationId, 'close_session', controller => controller.closeSession(correlationId, sessionId));
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        await this.run(correlationId, 'close_expired_sessions', controller => controller.closeExpiredSessions(correlationId));
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.run(correlationId, 'delete_session_by_id', controller => controller.deleteSessionById(correlationId, sessionId));
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        return await this.run(correlationId, 'close_user_sessions',
            controller => controller.closeUserSessions(correlationId, userId, exceptSessionId));
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return await this.run(correlationId, 'validate_session', controller => controller.validateSession(correlationId, sessionId));
    }

    private async run<T>(correlationId: string | null, name: string,
        action: (controller: ISessionsController) => Promise<T>): Promise<T> {
        const timing = this.instrument(correlationId as string, 'sessions.' + name);
        try {
            const result = await action(this.controller(correlationId));
            timing.endSuccess();
            return result;
        } catch (err) {
            timing.endFailure(err as Error);
            throw err;
        }
    }

    // The toolkit's DirectClient counts as open from the start, so a client that was never
    // given its references would otherwise fail with a TypeError on the first call.
    private controller(correlationId: string | null): ISessionsController {
        if (this._controller == null) {
            throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.NO_CONTROLLER,
                'SessionsDirectClientV1 has no controller: give it references with a service-sessions controller');
        }
        return this._controller;
    }
}
