import { ConfigParams, IOpenable } from 'pip-services3-commons-nodex';

import { ISessionsPersistence } from '../../src/persistence/ISessionsPersistence';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionsMongoDbPersistence } from '../../src/persistence/mongodb/SessionsMongoDbPersistence';
import { SessionsRedisPersistence } from '../../src/persistence/redis/SessionsRedisPersistence';
import { MongoTestServer } from '../fixtures/MongoTestServer';
import { RedisTestServer } from '../fixtures/RedisTestServer';

/** A store the controller tests run on, as the service would use it. */
export interface ControllerStore {
    /** For the titles: memory, Redis, MongoDB. */
    readonly name: string;
    /** For a before() hook: finds the store's server, or marks the suite pending (a failure under *_TESTS_REQUIRED). */
    prepare(context: Mocha.Context): Promise<void>;
    /** A store of this kind, open and empty, for one test. */
    open(): Promise<ISessionsPersistence & IOpenable>;
}

const memoryStore: ControllerStore = {
    name: 'memory',
    prepare: async () => undefined,
    open: async () => {
        const store = new SessionsMemoryPersistence();
        await store.open('test');
        return store;
    }
};

function redisStore(): ControllerStore {
    let uri = '';
    // This process's own prefix: an external REDIS_SERVICE_URI may be shared with other runs.
    const prefix = 'controller-tests:' + process.pid + ':';
    return {
        name: 'Redis',
        prepare: async context => { uri = (await RedisTestServer.require(context)).uri; },
        open: async () => {
            const store = new SessionsRedisPersistence();
            store.configure(ConfigParams.fromValue({ connection: { uri }, options: { key_prefix: prefix, connect_timeout: 2000 } }));
            await store.open('test');
            await store.clear('test');
            return store;
        }
    };
}

function mongoStore(): ControllerStore {
    let uri = '';
    return {
        name: 'MongoDB',
        prepare: async context => { uri = (await MongoTestServer.require(context)).uriFor('controller_tests'); },
        open: async () => {
            const store = new SessionsMongoDbPersistence();
            store.configure(ConfigParams.fromTuples('connection.uri', uri));
            await store.open('test');
            await store.clear('test');
            return store;
        }
    };
}

/** Every store kind whose behaviour under the controller's rules must be the same. */
export const ControllerStores: readonly ControllerStore[] = [memoryStore, redisStore(), mongoStore()];

/**
 * For a describe on one store: before() finds its server, each test gets the store open
 * and empty, closed after the test; the getter gives the current test's store.
 */
export function storePerTest(store: ControllerStore): () => ISessionsPersistence {
    let current: (ISessionsPersistence & IOpenable) | null = null;
    before(async function () {
        await store.prepare(this);
    });
    beforeEach(async () => {
        current = await store.open();
    });
    afterEach(async () => {
        await current?.close('test');
        current = null;
    });
    return () => {
        if (current == null) throw new Error('The ' + store.name + ' store is only open inside a test');
        return current;
    };
}
