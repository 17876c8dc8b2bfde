import {
    ConfigParams, DataPage, Descriptor, FilterParams, IConfigurable, PagingParams, References
} from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionsController } from '../../logic/SessionsController';
import { SessionsMemoryPersistence } from '../../persistence/memory/SessionsMemoryPersistence';
import { ISessionsClientV1 } from './ISessionsClientV1';
import { SessionsReplyV1 } from './SessionsReplyV1';

/**
 * An in-memory sessions service for tests of code that uses a sessions client. It runs the
 * service's own controller and memory store, so its rules are the service's, and copies
 * values as JSON, as the wire does (options.max_page_size, options.expire_timeout; no open()).
 */
export class SessionsMockClientV1 implements ISessionsClientV1, IConfigurable {
    private readonly _persistence = new SessionsMemoryPersistence();
    private readonly _controller = new SessionsController();

    public constructor(config?: unknown) {
        this._controller.setReferences(References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), this._persistence));
        if (config != null) this.configure(ConfigParams.fromValue(config));
    }

    public configure(config: ConfigParams): void {
        this._persistence.configure(config);
        this._controller.configure(config);
    }

    public async getSessions(correlationId: string | null, filter?: FilterParams | null,
        paging?: PagingParams | null): Promise<DataPage<SessionV1>> {
        const page = await this._controller.getSessions(correlationId,
            FilterParams.fromValue(SessionsMockClientV1.overWire(filter)), PagingParams.fromValue(SessionsMockClientV1.overWire(paging)));
        return SessionsReplyV1.toPage(correlationId, SessionsMockClientV1.overWire(page));
    }

    public async getSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return this.reply(correlationId, await this._controller.getSessionById(correlationId, sessionId));
    }

    public async openSession(correlationId: string | null, userId: string, userName?: string | null,
        address?: string | null, client?: string | null, user?: unknown, data?: unknown): Promise<SessionV1> {
        const session = await this._controller.openSession(correlationId, userId, userName, address, client,
            SessionsMockClientV1.overWire(user), SessionsMockClientV1.overWire(data));
        return SessionsReplyV1.toSession(correlationId, SessionsMockClientV1.overWire(session));
    }

    public async storeSessionData(correlationId: string | null, sessionId: string, data: unknown): Promise<SessionV1 | null> {
        return this.reply(correlationId,
            await this._controller.storeSessionData(correlationId, sessionId, SessionsMockClientV1.overWire(data)));
    }

    public async updateSessionUser(correlationId: string | null, sessionId: string, user: unknown): Promise<SessionV1 | null> {
        return this.reply(correlationId,
            await this._controller.updateSessionUser(correlationId, sessionId, SessionsMockClientV1.overWire(user)));
    }

    public async closeSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return this.reply(correlationId, await this._controller.closeSession(correlationId, sessionId));
    }

    public async closeExpiredSessions(correlationId: string | null): Promise<void> {
        await this._controller.closeExpiredSessions(correlationId);
    }

    public async deleteSessionById(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return this.reply(correlationId, await this._controller.deleteSessionById(correlationId, sessionId));
    }

    public async closeUserSessions(correlationId: string | null, userId: string, exceptSessionId?: string | null): Promise<number> {
        return await this._controller.closeUserSessions(correlationId, userId, exceptSessionId);
    }

    public async validateSession(correlationId: string | null, sessionId: string): Promise<SessionV1 | null> {
        return this.reply(correlationId, await this._controller.validateSession(correlationId, sessionId));
    }

    private reply(correlationId: string | null, session: SessionV1 | null): SessionV1 | null {
        return SessionsReplyV1.toSessionOrNull(correlationId, SessionsMockClientV1.overWire(session));
    }

    /** A value as the other side of an HTTP call would see it; undefined stays undefined (left out). */
    private static overWire<T>(value: T): unknown {
        return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
    }
}
