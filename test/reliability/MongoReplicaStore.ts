import { MongoClient } from 'mongodb';

import { MongoTestServer } from '../fixtures/MongoTestServer';
import { ReplicaStore, ReplicaStoredSession } from './ReplicaStore';

/**
 * FerretDB 1.x runs every update as a read of the matching documents, a change in memory
 * and a write of whole documents, with nothing isolating the three from another client's
 * update (internal/handler/msg_update.go and msg_findandmodify.go, common.UpdateDocument).
 * So two concurrent $set on different fields of one session can lose one of them, and two
 * concurrent sweeps can both close (and count) the same session. MongoDB updates each
 * document atomically and re-checks the filter of an updateMany per document, so neither
 * can happen there; nor on the bundled test server, which runs each write command alone
 * and says so in buildInfo (isolatedTestServer). Only on a plain FerretDB given through
 * MONGO_SERVICE_URI do the replica tests count and print such events instead of failing on them.
 */
const ISOLATION_NOTE = 'the server is a plain FerretDB, whose updates are not isolated: lost updates and double closes '
    + 'are counted and printed, not asserted absent (use MongoDB or the bundled test server)';
const TEST_SERVER_NOTE = 'the bundled test server runs each write command alone: no lost update or double close is allowed';

type SessionDocument = { _id: string } & Omit<ReplicaStoredSession, 'id'>;

/** The replicas' MongoDB: one database, a collection per namespace (MONGO_COLLECTION). */
export class MongoReplicaStore implements ReplicaStore {
    public readonly name = 'MongoDB';
    public isolated = true;
    private _server: MongoTestServer | null = null;
    private _client: MongoClient | null = null;

    public constructor(private readonly _database: string) {
    }

    public async open(context: Mocha.Context): Promise<void> {
        this._server = await MongoTestServer.require(context);
        this._client = await new MongoClient(this._server.uriFor(this._database)).connect();
        await this._client.db().dropDatabase();
        const build = await this._client.db().admin().command({ buildInfo: 1 });
        this.isolated = build.ferretdbVersion == null || build.isolatedTestServer === true;
        if (!this.isolated) console.log('      ' + ISOLATION_NOTE);
        else if (build.ferretdbVersion != null) console.log('      ' + TEST_SERVER_NOTE);
    }

    public async close(): Promise<void> {
        await this._client?.close();
    }

    public env(namespace: string): Record<string, string> {
        return { MONGO_ENABLED: 'true', MONGO_SERVICE_URI: this._server!.uriFor(this._database), MONGO_COLLECTION: namespace,
            MONGO_CONNECT_TIMEOUT: '5000' };
    }

    public async find(namespace: string, ids: string[]): Promise<ReplicaStoredSession[]> {
        const documents = await this.collection(namespace).find({ _id: { $in: ids } }).toArray();
        return documents.map(({ _id, ...fields }) => ({ ...fields, id: _id, close_time: fields.close_time ?? null }));
    }

    public async count(namespace: string): Promise<number> {
        return await this.collection(namespace).countDocuments({});
    }

    public async countActive(namespace: string, which: { ids: string[] } | { userId: string }): Promise<number> {
        const filter = 'ids' in which ? { _id: { $in: which.ids } } : { user_id: which.userId };
        return await this.collection(namespace).countDocuments({ ...filter, active: true });
    }

    private collection(namespace: string) {
        return this._client!.db().collection<SessionDocument>(namespace);
    }
}
