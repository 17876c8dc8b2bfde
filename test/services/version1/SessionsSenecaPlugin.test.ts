import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { ApplicationException, BadRequestException, ConfigParams, NotFoundException } from 'pip-services3-commons-nodex';

import { SessionsRedisPersistence } from '../../../src/persistence/redis/SessionsRedisPersistence';
import { ISenecaInstance } from '../../../src/services/version1/ISenecaInstance';
import { SessionsSenecaClientPlugin } from '../../../src/services/version1/SessionsSenecaClientPlugin';
import { SessionsSenecaPlugin, SessionsSenecaPluginOptions } from '../../../src/services/version1/SessionsSenecaPlugin';
import { MongoTestServer } from '../../fixtures/MongoTestServer';
import { RedisTestServer } from '../../fixtures/RedisTestServer';
import { SenecaApp, SenecaTestApp } from '../../fixtures/SenecaTestApp';
import { freePort } from '../../fixtures/TestService';

type Json = Record<string, unknown>;

function cmd(name: string, args: Json = {}): Json {
    return { role: 'sessions', version: 1, cmd: name, ...args };
}

/** A service error as a Seneca caller gets it: the toolkit's exception, no stack frames or paths. */
function expectServiceError(err: unknown, status: number, code: string): ApplicationException {
    expect(err).to.be.instanceOf(ApplicationException);
    const error = err as ApplicationException;
    expect(error.code, error.message).to.equal(code);
    expect(error.status).to.equal(status);
    expect(error.message).to.be.a('string').and.not.equal('');
    expect(error.stack ?? '').to.not.match(/\n\s+at /);
    expect(JSON.stringify(error)).to.not.match(/\bat .+\(|\.js:\d+|\/src\/|node_modules|\/work\//);
    return error;
}

async function startHost(options: SessionsSenecaPluginOptions): Promise<SenecaApp> {
    const host = SenecaTestApp.create();
    host.use(SessionsSenecaPlugin, options);
    await SenecaTestApp.ready(host);
    return host;
}

describe('SessionsSenecaPlugin in a host Seneca application', function () {
    describe('with the memory store', () => {
        let host: SenecaApp;

        before(async () => {
            host = await startHost({ persistence: { type: 'memory' } });
        });

        after(async () => {
            await SenecaTestApp.close(host);
        });

        it('runs every command through seneca.act, answering the JSON the HTTP API answers', async () => {
            const opened = await new Promise<Json>((resolve, reject) => {
                host.act(cmd('open_session', {
                    user_id: 'u1', user_name: 'Ann', address: '10.1.1.1', client: 'web', user: { role: 'admin' },
                    data: { step: 1, at: new Date(0) }
                }), (err, result) => (err ? reject(err) : resolve(result as Json)));
            });
            expect(opened.id).to.match(/^[0-9a-f]{32}$/);
            expect(opened).to.include({ user_id: 'u1', user_name: 'Ann', active: true });
            expect(opened.open_time, 'dates as ISO strings, as in JSON').to.be.a('string');
            expect(opened.data).to.deep.equal({ step: 1, at: '1970-01-01T00:00:00.000Z' });

            const id = opened.id;
            expect(await host.post(cmd('get_session_by_id', { session_id: id }))).to.deep.equal(opened);
            const stored = await host.post(cmd('store_session_data', { session_id: id, data: { step: 2 } })) as Json;
            expect(stored.data).to.deep.equal({ step: 2 });
            const updated = await host.post(cmd('update_session_user', { session_id: id, user: { role: 'viewer' } })) as Json;
            expect(updated.user).to.deep.equal({ role: 'viewer' });
            const page = await host.post(cmd('get_sessions', { filter: { user_id: 'u1' }, paging: { total: true } })) as Json;
            expect(page.total).to.equal(1);
            expect((page.data as Json[]).map(item => item.id)).to.deep.equal([id]);
            expect((page.data as Json[])[0]).to.not.have.property('data');
            const closed = await host.post(cmd('close_session', { session_id: id, correlation_id: 'trace-1' })) as Json;
            expect(closed).to.include({ active: false, user: null, data: null });
            expect(closed.close_time).to.be.a('string');
            expect(await host.post(cmd('close_expired_sessions'))).to.equal(null);
            expect((await host.post(cmd('delete_session_by_id', { session_id: id })) as Json).id).to.equal(id);
            expect(await host.post(cmd('get_session_by_id', { session_id: id }))).to.equal(null);
        });

        it('answers null for an unknown session id', async () => {
            for (const [name, args] of [
                ['get_session_by_id', {}], ['store_session_data', { data: 1 }], ['update_session_user', { user: {} }],
                ['close_session', {}], ['delete_session_by_id', {}]
            ] as Array<[string, Json]>) {
                expect(await host.post(cmd(name, { session_id: 'ffffffffffffffffffffffffffffffff', ...args })), name).to.equal(null);
            }
        });

        it('fails with the service\'s typed errors: INVALID_DATA naming the field, and writes nothing', async () => {
            const before = (await host.post(cmd('get_sessions', { paging: { total: true } })) as Json).total;
            const cases: Array<[string, Json, string]> = [
                ['open_session', {}, 'user_id'],
                ['open_session', { user_id: 42 }, 'user_id'],
                ['open_session', { user_id: '' }, 'user_id'],
                ['get_session_by_id', { session_id: 5 }, 'session_id'],
                ['store_session_data', { session_id: 'x' }, 'data'],
                ['get_sessions', { paging: { skip: 'x' } }, 'paging.skip'],
                ['get_sessions', { filter: { from_time: 'yesterday' } }, 'filter.from_time'],
                ['open_session', { user_id: 'u', correlation_id: 7 }, 'correlation_id']
            ];
            for (const [name, args, field] of cases) {
                const error = expectServiceError(await SenecaTestApp.failureOf(host.post(cmd(name, args))), 400, 'INVALID_DATA');
                expect(error).to.be.instanceOf(BadRequestException);
                expect((error.details as unknown as Json).field, name + ' ' + error.message).to.equal(field);
            }
            const traced = await SenecaTestApp.failureOf(host.post(cmd('get_session_by_id', { correlation_id: 'trace-2' })));
            expect(traced.correlation_id).to.equal('trace-2');
            expect((await host.post(cmd('get_sessions', { paging: { total: true } })) as Json).total).to.equal(before);
        });

        it('answers 404 for an unknown command, 413 for oversized arguments, 400 for __proto__ keys', async () => {
            const unknown = expectServiceError(await SenecaTestApp.failureOf(host.post(cmd('drop_all_sessions'))), 404, 'RESOURCE_NOT_FOUND');
            expect(unknown).to.be.instanceOf(NotFoundException);
            expectServiceError(await SenecaTestApp.failureOf(host.post(cmd('open_session', {
                user_id: 'big', data: 'x'.repeat(1024 * 1024)
            }))), 413, 'PAYLOAD_TOO_LARGE');
            expectServiceError(await SenecaTestApp.failureOf(host.post(cmd('open_session', {
                user_id: 'p', data: JSON.parse('{"__proto__": {"admin": true}}')
            }))), 400, 'INVALID_DATA');
            expect(({} as Json).admin).to.equal(undefined);
        });

        it('serves remote callers when the host listens; SessionsSenecaClientPlugin unwraps the replies', async () => {
            const port = await freePort();
            await new Promise<void>((resolve, reject) => {
                host.listen({ type: 'tcp', host: '127.0.0.1', port }, err => (err ? reject(err) : resolve()));
            });
            const client = SenecaTestApp.create();
            client.use(SessionsSenecaClientPlugin, { type: 'tcp', host: '127.0.0.1', port });
            await SenecaTestApp.ready(client);
            try {
                const opened = await client.post(cmd('open_session', { user_id: 'remote' })) as Json;
                expect(await client.post(cmd('get_session_by_id', { session_id: opened.id }))).to.deep.equal(opened);
                expect(await client.post(cmd('get_session_by_id', { session_id: 'unknown' }))).to.equal(null);
                const error = expectServiceError(await SenecaTestApp.failureOf(
                    client.post(cmd('get_session_by_id', { session_id: 5 }))), 400, 'INVALID_DATA');
                expect(error).to.be.instanceOf(BadRequestException);
            } finally {
                await SenecaTestApp.close(client);
            }
        });
    });

    it('takes the keys as api_key and app_api_key: remote callers with the application key get its scope only, local callers everything', async () => {
        const fullKey = 'host-plugin-full-key-0001';
        const appKey = 'host-plugin-app-key-00001';
        const host = await startHost({ persistence: { type: 'memory' }, api_key: fullKey, app_api_key: appKey });
        const port = await freePort();
        const client = SenecaTestApp.create();
        try {
            await new Promise<void>((resolve, reject) => {
                host.listen({ type: 'tcp', host: '127.0.0.1', port }, err => (err ? reject(err) : resolve()));
            });
            client.use(SessionsSenecaClientPlugin, { type: 'tcp', host: '127.0.0.1', port, api_key: appKey });
            await SenecaTestApp.ready(client);
            const opened = await client.post(cmd('open_session', { user_id: 'app-user' })) as Json;
            expect(opened.user_id).to.equal('app-user');
            const refused = expectServiceError(await SenecaTestApp.failureOf(
                client.post(cmd('delete_session_by_id', { session_id: opened.id }))), 403, 'FORBIDDEN_SCOPE');
            expect(refused.message).to.contain('full API key');
            expectServiceError(await SenecaTestApp.failureOf(client.post(cmd('get_sessions'))), 403, 'FORBIDDEN_SCOPE');
            expect(((await host.post(cmd('delete_session_by_id', { session_id: opened.id }))) as Json).id, 'the host itself').to.equal(opened.id);
        } finally {
            await SenecaTestApp.close(client);
            await SenecaTestApp.close(host);
        }
    });

    describe('with the file store', () => {
        let dir: string;

        beforeEach(async () => {
            dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-seneca-'));
        });

        afterEach(async () => {
            await fs.rm(dir, { recursive: true, force: true });
        });

        it('opens the store when the host starts and writes it out when the host closes', async () => {
            const filePath = path.join(dir, 'sessions.json');
            const options: SessionsSenecaPluginOptions = { persistence: { type: 'file', path: filePath, options: { sync: false } } };
            const first = await startHost(options);
            const opened = await first.post(cmd('open_session', { user_id: 'kept', data: { v: 1 } })) as Json;
            await SenecaTestApp.close(first);
            const onDisk = JSON.parse(await fs.readFile(filePath, 'utf8')) as Json[];
            expect(onDisk.map(item => item.id), 'the snapshot holds everything after the host closed').to.deep.equal([opened.id]);

            const second = await startHost(options);
            try {
                expect(((await second.post(cmd('get_session_by_id', { session_id: opened.id }))) as Json).data).to.deep.equal({ v: 1 });
            } finally {
                await SenecaTestApp.close(second);
            }
        });
    });

    describe('with the MongoDB store', () => {
        let host: SenecaApp | null = null;

        before(async function () {
            const server = await MongoTestServer.require(this);
            const client = await new MongoClient(server.uriFor('seneca_plugin')).connect();
            await client.db().dropDatabase();
            await client.close();
            host = await startHost({ persistence: { type: 'mongodb', connection: { uri: server.uriFor('seneca_plugin') } } });
        });

        after(async () => {
            if (host != null) await SenecaTestApp.close(host);
        });

        it('keeps sessions in MongoDB', async () => {
            const opened = await host!.post(cmd('open_session', { user_id: 'mongo-user', data: { v: 1 } })) as Json;
            const got = await host!.post(cmd('get_session_by_id', { session_id: opened.id })) as Json;
            expect(got).to.include({ id: opened.id, user_id: 'mongo-user', open_time: opened.open_time });
            expect(got.data).to.deep.equal({ v: 1 });
            const page = await host!.post(cmd('get_sessions', { filter: { user_id: 'mongo-user' } })) as Json;
            expect((page.data as Json[]).map(item => item.id)).to.deep.equal([opened.id]);
        });
    });

    describe('with the Redis store', () => {
        let options: SessionsSenecaPluginOptions;

        before(async function () {
            const server = await RedisTestServer.require(this);
            // This process's own prefix, emptied first: an external REDIS_SERVICE_URI may be shared.
            const persistence = { type: 'redis' as const, connection: { uri: server.uri }, options: { key_prefix: 'seneca-plugin:' + process.pid + ':' } };
            const store = new SessionsRedisPersistence();
            store.configure(ConfigParams.fromValue(persistence));
            await store.open('test');
            await store.clear('test');
            await store.close('test');
            options = { persistence };
        });

        it('keeps sessions in Redis under its key prefix, there for the next host', async () => {
            const first = await startHost(options);
            const opened = await first.post(cmd('open_session', { user_id: 'redis-user', data: { v: 1 } })) as Json;
            const page = await first.post(cmd('get_sessions', { filter: { user_id: 'redis-user' } })) as Json;
            expect((page.data as Json[]).map(item => item.id)).to.deep.equal([opened.id]);
            await SenecaTestApp.close(first);

            const second = await startHost(options);
            try {
                const got = await second.post(cmd('get_session_by_id', { session_id: opened.id })) as Json;
                expect(got).to.include({ id: opened.id, user_id: 'redis-user', open_time: opened.open_time });
                expect(got.data).to.deep.equal({ v: 1 });
            } finally {
                await SenecaTestApp.close(second);
            }
            const other = await startHost({ persistence: { ...options.persistence, options: { key_prefix: 'seneca-plugin-other:' + process.pid + ':' } } });
            try {
                expect(await other.post(cmd('get_session_by_id', { session_id: opened.id })), 'another prefix: another store').to.equal(null);
            } finally {
                await SenecaTestApp.close(other);
            }
        });
    });

    it('refuses a missing or unknown store type', () => {
        // Seneca runs the plugin function with the host as `this`; the options are checked first.
        // (Through seneca.use the error is fatal to the host, as for any plugin that fails to load.)
        const host = {} as unknown as ISenecaInstance;
        for (const options of [{ persistence: { type: 'oracle' } }, {}, undefined]) {
            expect(() => SessionsSenecaPlugin.call(host, options as unknown as SessionsSenecaPluginOptions), JSON.stringify(options))
                .to.throw(/persistence\.type memory, file, mongodb or redis, not /);
        }
    });
});
