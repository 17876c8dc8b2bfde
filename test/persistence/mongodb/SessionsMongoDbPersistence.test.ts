import * as path from 'path';

import { expect } from 'chai';
import { Collection, CommandStartedEvent, Document, MongoClient, MongoServerError } from 'mongodb';
import { ConfigParams } from 'pip-services3-commons-nodex';
import { ContainerConfigReader } from 'pip-services3-container-nodex';
import { MongoDbConnectionResolver } from 'pip-services3-mongodb-nodex';

import { SessionsProcess } from '../../../src/container/SessionsProcess';
import { SessionLimit } from '../../../src/rules/SessionLimit';
import { SessionLiveness } from '../../../src/rules/SessionLiveness';
import { SessionsMongoDbPersistence } from '../../../src/persistence/mongodb/SessionsMongoDbPersistence';
import { SessionTimeouts } from '../../../src/rules/SessionTimeouts';
import { MongoTestServer } from '../../fixtures/MongoTestServer';
import { PACKAGE_ROOT } from '../../fixtures/TestService';
import { makeSession, SessionsPersistenceFixture } from '../SessionsPersistenceFixture';

/** Exposes the collection so a test can count the calls a method makes on it. */
class ObservedMongoDbPersistence extends SessionsMongoDbPersistence {
    public countCalls(methods: string[]): Map<string, number> {
        const counts = new Map<string, number>();
        const collection = this._collection as unknown as Record<string, (...args: unknown[]) => unknown>;
        for (const method of methods) {
            const original = collection[method].bind(collection);
            counts.set(method, 0);
            collection[method] = (...args: unknown[]) => {
                counts.set(method, counts.get(method)! + 1);
                return original(...args);
            };
        }
        return counts;
    }
}

function bundledMongoConfig(env: Record<string, string>): ConfigParams {
    const config = ContainerConfigReader.readFromFile('test', path.join(PACKAGE_ROOT, 'config', 'config.yml'),
        SessionsProcess.parameters([], { MONGO_ENABLED: 'true', ...env }));
    const component = config.find(item => item.descriptor?.getKind() === 'mongodb');
    expect(component, 'the bundled config declares the MongoDB store').to.not.equal(undefined);
    return component!.config;
}

describe('SessionsMongoDbPersistence', function () {
    let server: MongoTestServer;
    let persistence: ObservedMongoDbPersistence;

    before(async function () {
        server = await MongoTestServer.require(this);
    });

    beforeEach(async () => {
        persistence = new ObservedMongoDbPersistence();
        persistence.configure(ConfigParams.fromTuples('connection.uri', server.uriFor('sessions_test')));
        await persistence.open('test');
        await persistence.clear('test');
    });

    afterEach(async () => {
        await persistence.close('test');
    });

    SessionsPersistenceFixture.describeSharedBehaviour(() => persistence);

    it('counts the sessions opened while no reject limit was in force once the limit is back (forgetSessionLimit)', async () => {
        const reject: SessionLimit = { max: 2, policy: 'reject', reason: 'evicted' };
        const liveness: SessionLiveness = { now: makeSession('t', 'u', 0).open_time.getTime(), timeouts: SessionTimeouts.None };
        await persistence.createWithinLimit('test', makeSession('a', 'toggled', 0), reject, liveness);
        // The limit is off (a restart without it): sessions open without taking places.
        await persistence.forgetSessionLimit('test');
        await persistence.create('test', makeSession('b', 'toggled', 0));
        await persistence.create('test', makeSession('c', 'toggled', 0));
        // Back on: the user already has 3 live sessions, over the limit of 2.
        const refused = await persistence.createWithinLimit('test', makeSession('d', 'toggled', 0), reject, liveness)
            .then(() => null, (err: { code?: string }) => err);
        expect(refused?.code).to.equal('SESSION_LIMIT_REACHED');
        expect(await persistence.getOneById('test', 'd')).to.equal(null);
    });

    it('opens under the reject limit with one round trip more than without, once the user has places', async () => {
        const commands: string[] = [];
        const db = (persistence as unknown as { _db: { collection(name: string): Record<string, unknown> } })._db;
        const collectionOf = db.collection.bind(db);
        const count = (collection: Record<string, unknown>, name: string): Record<string, unknown> => new Proxy(collection, {
            get: (target, key) => {
                const value = target[key as string];
                if (typeof value !== 'function') return value;
                return (...args: unknown[]) => {
                    commands.push(name + '.' + String(key));
                    return (value as (...a: unknown[]) => unknown).apply(target, args);
                };
            }
        });
        db.collection = (name: string) => count(collectionOf(name), name);
        const collection = persistence as unknown as { _collection: Record<string, unknown> };
        collection._collection = count(collection._collection, 'sessions');
        const reject: SessionLimit = { max: 5, policy: 'reject', reason: 'evicted' };
        const liveness: SessionLiveness = { now: makeSession('t', 'u', 0).open_time.getTime(), timeouts: SessionTimeouts.None };

        await persistence.create('test', makeSession('plain', 'counted', 0));
        const withoutLimit = commands.splice(0);
        await persistence.createWithinLimit('test', makeSession('first', 'counted', 0), reject, liveness);
        const firstLimited = commands.splice(0);
        await persistence.createWithinLimit('test', makeSession('second', 'counted', 0), reject, liveness);
        const limited = commands.splice(0);
        expect(withoutLimit).to.deep.equal(['sessions.insertOne']);
        expect(limited).to.deep.equal(['sessions_slots.findOneAndUpdate', 'sessions.insertOne']);
        expect(firstLimited.length, firstLimited.join(', ')).to.equal(4);
    });

    it('has its indexes after open', async () => {
        const client = await new MongoClient(server.uriFor('sessions_test')).connect();
        try {
            const indexes = await client.db().collection('sessions').listIndexes().toArray();
            const keys = indexes.map(index => JSON.stringify(index.key));
            expect(keys).to.include.members([
                JSON.stringify({ user_id: 1 }),
                JSON.stringify({ request_time: -1 }),
                JSON.stringify({ active: 1, request_time: -1 }),
                JSON.stringify({ active: 1, open_time: 1 })
            ]);
        } finally {
            await client.close();
        }
    });

    it('sets retention with a TTL index where the server has them, and says when it leaves it to the sweep', async () => {
        const client = await new MongoClient(server.uriFor('sessions_test')).connect();
        try {
            const ttlIndexes = async () => (await client.db().collection('sessions').listIndexes().toArray())
                .filter(index => index.expireAfterSeconds != null);
            const byServer = await persistence.applyRetention(null, 90000);
            const indexes = await ttlIndexes();
            // FerretDB 1.x has no TTL indexes: false, and no index. A MongoDB server: true, and the index.
            expect(byServer).to.equal(indexes.length === 1);
            if (byServer) {
                expect(indexes[0]).to.include({ name: 'close_time_retention', expireAfterSeconds: 90 });
                expect(await persistence.applyRetention(null, 120000)).to.equal(true);
                expect((await ttlIndexes())[0].expireAfterSeconds).to.equal(120);
            }
            expect(await persistence.applyRetention(null, 0)).to.equal(false);
            expect(await ttlIndexes()).to.deep.equal([]);
        } finally {
            await client.close();
        }
    });

    describe('retention by a TTL index, as sent to the server (command monitoring)', () => {
        // The test server has no TTL indexes, so what the server does with these commands is
        // seen only against a real MongoDB (see the README); what is sent is checked here.
        let monitored: SessionsMongoDbPersistence;
        let sent: Document[];

        beforeEach(async () => {
            monitored = new SessionsMongoDbPersistence();
            // The driver's own URI option: the toolkit passes the URI through, and nothing else changes.
            const uri = new URL(server.uriFor('sessions_test'));
            uri.searchParams.set('monitorCommands', 'true');
            monitored.configure(ConfigParams.fromTuples('connection.uri', uri.toString()));
            await monitored.open('test');
            sent = [];
            const client = (monitored as unknown as { _client: MongoClient })._client;
            client.on('commandStarted', (event: CommandStartedEvent) => {
                if (['createIndexes', 'collMod', 'dropIndexes'].includes(event.commandName)) sent.push(event.command);
            });
        });

        afterEach(async () => {
            await monitored.close('test');
        });

        // Without the session fields the driver adds; an index key (a Map, for its order) as an object.
        const retentionCommands = (): Document[] => sent.map(({ lsid, $db, $clusterTime, ...command }) => JSON.parse(JSON.stringify(command,
            (key, value: unknown) => value instanceof Map ? Object.fromEntries(value) : value)) as Document);

        it('creates the TTL index on close_time with the period in whole seconds, rounded up, at least 1', async () => {
            for (const period of [90000, 90001, 500]) await monitored.applyRetention(null, period);
            expect(retentionCommands()).to.deep.equal([90, 91, 1].map(seconds => ({
                createIndexes: 'sessions',
                indexes: [{ key: { close_time: 1 }, name: 'close_time_retention', expireAfterSeconds: seconds }]
            })));
        });

        it('changes the period of an existing index with collMod, and drops the index for period 0', async () => {
            // A MongoDB server answers IndexOptionsConflict when the index exists with another period.
            const collection = (monitored as unknown as { _collection: Collection })._collection;
            const createIndex = collection.createIndex.bind(collection);
            collection.createIndex = (async (...args: Parameters<Collection['createIndex']>) => {
                await createIndex(...args).catch(() => undefined);
                throw new MongoServerError({ message: 'An equivalent index already exists with different options', code: 85 });
            }) as Collection['createIndex'];
            // The test server's answer to collMod does not matter here (a MongoDB server applies it).
            await monitored.applyRetention(null, 120000).catch(() => undefined);
            await monitored.applyRetention(null, 0);
            const commands = retentionCommands();
            expect(commands.slice(1)).to.deep.equal([
                { collMod: 'sessions', index: { name: 'close_time_retention', expireAfterSeconds: 120 } },
                { dropIndexes: 'sessions', index: 'close_time_retention' }
            ]);
        });
    });

    it('closes expired sessions with one updateMany, reading back what it closed by its own token', async () => {
        for (let index = 0; index < 5; index++) {
            await persistence.create(null, makeSession('e' + index, 'u', index < 3 ? 0 : 10));
        }
        const calls = persistence.countCalls(['updateMany', 'updateOne', 'findOneAndUpdate', 'find', 'bulkWrite']);
        const closed = await persistence.closeExpired(null, new Date(Date.parse('2026-01-01T15:00:00Z')), new Date(), 'idle');
        expect(closed.map(item => item.id).sort()).to.deep.equal(['e0', 'e1', 'e2']);
        // find ids, close them, find the ones this call closed, clear its token.
        expect(Object.fromEntries(calls)).to.deep.equal({ updateMany: 2, updateOne: 0, findOneAndUpdate: 0, find: 2, bulkWrite: 0 });
        const client = await new MongoClient(server.uriFor('sessions_test')).connect();
        try {
            expect(await client.db().collection('sessions').countDocuments({ close_token: { $exists: true } }), 'no token left').to.equal(0);
        } finally {
            await client.close();
        }
    });

    it('reports a duplicate id as a conflict', async () => {
        await persistence.create(null, makeSession('dup', 'u', 0));
        try {
            await persistence.create(null, makeSession('dup', 'u', 1));
            expect.fail('a second session with the same id must be refused');
        } catch (err) {
            expect((err as { code: string }).code).to.equal('SESSION_ALREADY_EXISTS');
            expect((err as { status: number }).status).to.equal(409);
        }
    });

    it('takes database and collection from the original environment names', async () => {
        const url = new URL(server.uri);
        const config = bundledMongoConfig({
            MONGO_SERVICE_HOST: url.hostname, MONGO_SERVICE_PORT: url.port,
            MONGO_DB: 'custom_db', MONGO_COLLECTION: 'custom_sessions'
        });
        const custom = new SessionsMongoDbPersistence();
        custom.configure(config);
        await custom.open('test');
        try {
            await custom.clear('test');
            await custom.create(null, makeSession('placed', 'u', 0));
        } finally {
            await custom.close('test');
        }
        const client = await new MongoClient(server.uriFor('custom_db')).connect();
        try {
            const stored = await client.db().collection('custom_sessions').findOne({ user_id: 'u' });
            expect(stored).to.not.equal(null);
            expect(stored!._id as unknown).to.equal('placed');
            expect(stored!.request_time).to.be.instanceOf(Date);
        } finally {
            await client.close();
        }
    });

    it('builds the connection from MONGO_SERVICE_URI, or from host, port, database and credentials', async () => {
        const resolve = async (env: Record<string, string>): Promise<string> => {
            const resolver = new MongoDbConnectionResolver();
            resolver.configure(bundledMongoConfig(env));
            return await resolver.resolve('test');
        };
        expect(await resolve({ MONGO_SERVICE_HOST: 'db.internal', MONGO_SERVICE_PORT: '27999', MONGO_DB: 'prod',
            MONGO_USER: 'svc', MONGO_PASS: 'p@ss' }))
            .to.match(/^mongodb:\/\/svc:p%40ss@db\.internal:27999\/prod(\?|$)/);
        expect(await resolve({})).to.match(/^mongodb:\/\/localhost:27017\/app(\?|$)/);
        expect(await resolve({ MONGO_SERVICE_URI: 'mongodb://a:1,b:2/x?replicaSet=rs' }))
            .to.equal('mongodb://a:1,b:2/x?replicaSet=rs');
    });
});
