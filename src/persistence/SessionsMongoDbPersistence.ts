import { DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';
import { IdentifiableMongoDbPersistence } from 'pip-services3-mongodb-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { ISessionsPersistence } from './ISessionsPersistence';
import { SessionsFilter } from './SessionsFilter';

/**
 * Sessions in a MongoDB collection (default "sessions"), _id = session id.
 *
 * Configuration as the original: collection, connection.uri or
 * connection.host/port/database, credential.username/password, options.max_page_size.
 */
export class SessionsMongoDbPersistence
    extends IdentifiableMongoDbPersistence<SessionV1, string>
    implements ISessionsPersistence {

    public constructor() {
        super('sessions');
        // Serve the per-user listing, the newest-first sort and the expiry sweep.
        this.ensureIndex({ user_id: 1 });
        this.ensureIndex({ request_time: -1 });
        this.ensureIndex({ active: 1, request_time: -1 });
    }

    public async getPageByFilter(correlationId: string | null, filter: FilterParams | null,
        paging: PagingParams | null): Promise<DataPage<SessionV1>> {
        const query = SessionsFilter.fromParams(filter).toMongoQuery();
        return await super.getPageByFilter(correlationId as string, query, paging as PagingParams,
            { request_time: -1, _id: 1 }, { user: 0, data: 0 });
    }

    public async closeExpired(correlationId: string | null, requestTime: Date, closeTime: Date): Promise<number> {
        const result = await this._collection.updateMany(
            { active: true, request_time: { $lt: requestTime } },
            { $set: { active: false, close_time: closeTime, request_time: closeTime, user: null, data: null } }
        );
        return result.modifiedCount;
    }
}
