import * as net from 'net';

import { expect } from 'chai';
import { ApplicationException, ApplicationExceptionFactory, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { MongoClient } from 'mongodb';

import { HttpReply } from '../../fixtures/HttpReply';
import { MongoTestServer } from '../../fixtures/MongoTestServer';
import { RedisTestServer } from '../../fixtures/RedisTestServer';
import { TestService } from '../../fixtures/TestService';

/** No error reply may carry a stack, a cause or a file path. */
function expectCleanError(reply: HttpReply, status: number, code: string): void {
    expect(reply.status, reply.text).to.equal(status);
    const body = reply.body;
    expect(body.code).to.equal(code);
    expect(body.status).to.equal(status);
    expect(body.message).to.be.a('string').and.not.equal('');
    expect(body.category).to.be.a('string');
    expect(body).to.not.have.property('stack');
    expect(body).to.not.have.property('stack_trace');
    expect(body).to.not.have.property('cause');
    expect(reply.text).to.not.match(/\bat .+\(|\.js:\d+|\/src\/|node_modules|\/work\//);
}

/**
 * What the toolkit's CommandableHttpClient (client-sessions-node 1.1.3 is built on it) sends
 * and reads: POST <base route>/<command>?correlation_id=... with the arguments as a JSON
 * body ({} for none), null for 204, the parsed JSON otherwise, and an error reply turned
 * back into an exception by ApplicationExceptionFactory. The toolkit's own client cannot
 * be loaded here: its module loads restify, which does not load on Node 24.
 */
class ToolkitClient {
    private readonly _url: string;

    public constructor(url: string) {
        this._url = url;
    }

    public async command<T>(name: string, args: unknown): Promise<T> {
        const response = await fetch(this._url + '/v1/sessions/' + name + '?correlation_id=client-test', {
            method: 'POST',
            headers: { 'Accept': 'application/json', 'Content-Type': 'application/json' },
            body: JSON.stringify(args ?? {})
        });
        const reply = await HttpReply.read(response);
        if (reply.status === 204) return null as T;
        if (reply.status >= 400) throw ApplicationExceptionFactory.create(reply.body);
        return reply.body as T;
    }
}

type StoreEnvironment = (context: Mocha.Context) => Promise<Record<string, string>>;

/** The whole HTTP suite, run once per store so every store answers the API the same. */
function describeHttpApi(storeName: string, storeEnvironment: StoreEnvironment): void {
    describe('SessionsCommandableHttpServiceV1 over real HTTP, ' + storeName + ' store', function () {
        let service: TestService;

        before(async function () {
            service = await TestService.start(await storeEnvironment(this));
        });

        after(async () => {
            await service?.stop();
        });

        async function countSessions(): Promise<number> {
            const reply = await service.call('get_sessions', { paging: { total: true, take: 1 } });
            return reply.body.total;
        }

        it('runs every command with the original argument names', async () => {
            const opened = await service.call('open_session', {
                user_id: 'u1', user_name: 'Ann', address: '10.1.1.1', client: 'web', user: { role: 'admin' }, data: { step: 1 }
            });
            expect(opened.status).to.equal(200);
            const session = opened.body;
            expect(session.id).to.match(/^[0-9a-f]{32}$/);
            expect(session).to.include({ user_id: 'u1', user_name: 'Ann', address: '10.1.1.1', client: 'web', active: true });
            expect(session.user).to.deep.equal({ role: 'admin' });
            expect(session.data).to.deep.equal({ step: 1 });
            expect(new Date(session.open_time).toISOString()).to.equal(session.open_time);
            expect(session.request_time).to.equal(session.open_time);

            const got = await service.call('get_session_by_id', { session_id: session.id });
            expect(got.status).to.equal(200);
            expect(got.body.data).to.deep.equal({ step: 1 });

            const stored = await service.call('store_session_data', { session_id: session.id, data: { step: 2 } });
            expect(stored.status).to.equal(200);
            expect(stored.body.data).to.deep.equal({ step: 2 });
            expect(Date.parse(stored.body.request_time)).to.be.at.least(Date.parse(session.request_time));

            const updated = await service.call('update_session_user', { session_id: session.id, user: { role: 'viewer' } });
            expect(updated.status).to.equal(200);
            expect(updated.body.user).to.deep.equal({ role: 'viewer' });
            expect(updated.body.data).to.deep.equal({ step: 2 });

            const listed = await service.call('get_sessions', { filter: { user_id: 'u1' }, paging: { total: true } });
            expect(listed.status).to.equal(200);
            expect(listed.body.total).to.equal(1);
            expect(listed.body.data[0].id).to.equal(session.id);
            expect(listed.body.data[0]).to.not.have.property('data');
            expect(listed.body.data[0]).to.not.have.property('user');

            const closed = await service.call('close_session', { session_id: session.id });
            expect(closed.status).to.equal(200);
            expect(closed.body.active).to.equal(false);
            expect(closed.body.close_time).to.be.a('string');
            expect(closed.body.user).to.equal(null);
            expect(closed.body.data).to.equal(null);

            const swept = await service.call('close_expired_sessions', {});
            expect(swept.status).to.equal(204);
            expect(swept.text).to.equal('');

            const deleted = await service.call('delete_session_by_id', { session_id: session.id });
            expect(deleted.status).to.equal(200);
            expect(deleted.body.id).to.equal(session.id);
            const gone = await service.call('get_session_by_id', { session_id: session.id });
            expect(gone.status).to.equal(204);
        });

        it('refuses data or a user for a closed session with 409 SESSION_CLOSED; closing it again changes nothing', async () => {
            const opened = (await service.call('open_session', { user_id: 'closing-user', data: { step: 1 } })).body;
            const closed = (await service.call('close_session', { session_id: opened.id })).body;
            for (const [command, args] of [
                ['store_session_data', { data: { late: true } }], ['update_session_user', { user: { late: true } }]
            ] as Array<[string, Record<string, unknown>]>) {
                const reply = await service.call(command, { session_id: opened.id, ...args });
                expectCleanError(reply, 409, 'SESSION_CLOSED');
            }
            const again = await service.call('close_session', { session_id: opened.id });
            expect(again.status).to.equal(200);
            expect(again.body).to.deep.equal(closed);
            const stored = await service.call('get_session_by_id', { session_id: opened.id });
            expect(stored.body, 'unchanged since it was closed').to.deep.equal(closed);
        });

        it('answers 204 with an empty body for an unknown session id', async () => {
            for (const [command, args] of [
                ['get_session_by_id', {}], ['store_session_data', { data: 1 }], ['update_session_user', { user: {} }],
                ['close_session', {}], ['delete_session_by_id', {}]
            ] as Array<[string, Record<string, unknown>]>) {
                const reply = await service.call(command, { session_id: 'ffffffffffffffffffffffffffffffff', ...args });
                expect(reply.status, command).to.equal(204);
                expect(reply.text, command).to.equal('');
            }
        });

        it('rejects missing and wrong-typed arguments with 400 INVALID_DATA naming the field, and writes nothing', async () => {
            const opened = (await service.call('open_session', { user_id: 'keep', data: { v: 1 } })).body;
            const before = await countSessions();
            const cases: Array<[string, unknown, string]> = [
                ['open_session', {}, 'user_id'],
                ['open_session', { user_id: 42 }, 'user_id'],
                ['open_session', { user_id: '' }, 'user_id'],
                ['open_session', { user_id: 'u', user_name: { first: 'x' } }, 'user_name'],
                ['get_session_by_id', { session_id: 5 }, 'session_id'],
                ['get_session_by_id', {}, 'session_id'],
                ['store_session_data', { session_id: opened.id }, 'data'],
                ['store_session_data', { data: { v: 2 } }, 'session_id'],
                ['update_session_user', { session_id: opened.id, user: null }, 'user'],
                ['close_session', { session_id: [opened.id] }, 'session_id'],
                ['delete_session_by_id', { session_id: true }, 'session_id'],
                ['get_sessions', { paging: { skip: 'x' } }, 'paging.skip'],
                ['get_sessions', { filter: 'user_id=1' }, 'filter'],
                ['get_sessions', { filter: { from_time: 'yesterday' } }, 'filter.from_time'],
                ['get_sessions', { filter: { active: 'maybe' } }, 'filter.active']
            ];
            for (const [command, args, field] of cases) {
                const reply = await service.call(command, args);
                expectCleanError(reply, 400, 'INVALID_DATA');
                expect(reply.body.details.field, command + ' ' + reply.text).to.equal(field);
                expect(reply.body.message, command).to.contain(field.split('.').pop());
            }
            expect(await countSessions()).to.equal(before);
            const unchanged = await service.call('get_session_by_id', { session_id: opened.id });
            expect(unchanged.body.data).to.deep.equal({ v: 1 });
            expect(unchanged.body.active).to.equal(true);
        });

        it('rejects bodies that are not a JSON object with 400 and writes nothing', async () => {
            const before = await countSessions();
            expectCleanError(await service.call('open_session', '{"user_id": "u1"'), 400, 'INVALID_JSON');
            expectCleanError(await service.call('open_session', 'user_id=u1', {
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
            }), 400, 'INVALID_JSON');
            expectCleanError(await service.call('open_session', '[{"user_id": "u1"}]'), 400, 'INVALID_DATA');
            expectCleanError(await service.call('open_session', '"u1"'), 400, 'INVALID_DATA');
            const polluted = await service.call('open_session', '{"user_id": "u1", "data": {"__proto__": {"admin": true}}}');
            expectCleanError(polluted, 400, 'INVALID_JSON');
            expect(({} as Record<string, unknown>).admin).to.equal(undefined);
            expect(await countSessions()).to.equal(before);
        });

        it('accepts a JSON body sent without a JSON content type, as curl -d sends it', async () => {
            const reply = await service.call('open_session', '{"user_id": "curl-user"}', {
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
            });
            expect(reply.status).to.equal(200);
            expect(reply.body.user_id).to.equal('curl-user');
        });

        it('answers what is not HTTP, or has headers over Node\'s limit, with the same JSON error shape', async () => {
            const url = new URL(service.url);
            const raw = async (request: string): Promise<string> => await new Promise<string>((resolve, reject) => {
                const socket = net.connect(Number(url.port), url.hostname, () => socket.end(request));
                let text = '';
                socket.on('data', chunk => { text += chunk; });
                socket.on('end', () => resolve(text));
                socket.on('error', reject);
            });
            const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
            expect(garbage).to.match(/^HTTP\/1\.1 400 /);
            expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4))).to.include({ status: 400, code: 'BAD_REQUEST' });
            const huge = await raw('POST /v1/sessions/get_sessions HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(70000) + '\r\n\r\n');
            expect(huge).to.match(/^HTTP\/1\.1 431 /);
            expect(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4))).to.include({ status: 431, code: 'HEADERS_TOO_LARGE' });
            expect((await service.call('get_sessions', {})).status, 'keeps serving').to.equal(200);
        });

        it('answers 413 for a body over the limit, declared or chunked, and writes nothing', async () => {
            const before = await countSessions();
            const huge = JSON.stringify({ user_id: 'big', data: 'x'.repeat(1024 * 1024) });
            const declared = await service.call('open_session', huge);
            expectCleanError(declared, 413, 'PAYLOAD_TOO_LARGE');
            expect(declared.body.message).to.equal('Request body larger than 1048576 bytes (1 MiB, HTTP_REQUEST_MAX_SIZE)');

            const chunks = [huge.slice(0, 600000), huge.slice(600000)];
            const stream = new ReadableStream<Uint8Array>({
                pull(controller) {
                    const chunk = chunks.shift();
                    if (chunk == null) controller.close();
                    else controller.enqueue(new TextEncoder().encode(chunk));
                }
            });
            const chunked = await fetch(service.url + '/v1/sessions/open_session', {
                method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half'
            } as RequestInit);
            expectCleanError(await HttpReply.read(chunked), 413, 'PAYLOAD_TOO_LARGE');
            expect(await countSessions()).to.equal(before);

            const justUnder = await service.call('open_session', { user_id: 'big', data: 'x'.repeat(1000 * 1000) });
            expect(justUnder.status).to.equal(200);
        });

        it('answers 404 for an unknown command and 405 for a wrong method, in the same error shape', async () => {
            const unknown = await service.call('drop_all_sessions', {});
            expectCleanError(unknown, 404, 'RESOURCE_NOT_FOUND');
            expect(unknown.body.message).to.match(/^Unknown route: POST \/v1\/sessions\/drop_all_sessions\. The commands at \/v1\/sessions\/ are: /);
            for (const command of ['open_session', 'get_sessions', 'close_session', 'close_expired_sessions']) {
                expect(unknown.body.message).to.contain(' ' + command);
            }
            expect(unknown.body.message, 'swagger is no command').to.not.contain('swagger');
            const get = await fetch(service.url + '/v1/sessions/get_sessions');
            expectCleanError(await HttpReply.read(get), 405, 'METHOD_NOT_ALLOWED');
        });

        it('takes correlation_id from the query string or the header', async () => {
            const byQuery = await fetch(service.url + '/v1/sessions/get_session_by_id?correlation_id=trace-q', {
                method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' }
            });
            expect((await HttpReply.read(byQuery)).body.correlation_id).to.equal('trace-q');
            const byHeader = await service.call('get_session_by_id', {}, {
                headers: { 'Content-Type': 'application/json', correlation_id: 'trace-h' }
            });
            expect(byHeader.body.correlation_id).to.equal('trace-h');
        });

        it('serves /heartbeat, /status and the OpenAPI document', async () => {
            const heartbeat = await fetch(service.url + '/heartbeat');
            expect(heartbeat.status).to.equal(200);
            const status = await HttpReply.read(await fetch(service.url + '/status'));
            expect(status.status).to.equal(200);
            expect(status.body.name).to.equal('service-sessions');

            const swagger = await HttpReply.read(await fetch(service.url + '/v1/sessions/swagger'));
            expect(swagger.status).to.equal(200);
            const paths = Object.keys(swagger.body.paths).sort();
            expect(paths).to.deep.equal([
                'close_expired_sessions', 'close_session', 'close_user_sessions', 'delete_session_by_id', 'get_session_by_id',
                'get_sessions', 'open_session', 'store_session_data', 'update_session_user', 'validate_session'
            ].map(name => '/v1/sessions/' + name));
            const revokeSchema = swagger.body.paths['/v1/sessions/close_user_sessions'].post.requestBody.content['application/json'].schema;
            expect(revokeSchema.required).to.deep.equal(['user_id']);
            expect(Object.keys(revokeSchema.properties)).to.have.members(['user_id', 'except_session_id']);
            const openSchema = swagger.body.paths['/v1/sessions/open_session'].post.requestBody.content['application/json'].schema;
            expect(openSchema.required).to.deep.equal(['user_id']);
            expect(Object.keys(openSchema.properties)).to.have.members(['user_id', 'user_name', 'address', 'client', 'user', 'data']);
        });

        it('works with the requests of the toolkit client that client-sessions-node is built on', async () => {
            const client = new ToolkitClient(service.url);
            const session = await client.command<Record<string, unknown>>('open_session',
                { user_id: 'sdk', user_name: 'Sdk User', address: null, client: undefined, user: null, data: { a: 1 } });
            expect(session.user_id).to.equal('sdk');
            const page = await client.command<{ data: Array<{ id: string }> }>('get_sessions', {
                filter: FilterParams.fromTuples('user_id', 'sdk', 'active', true), paging: new PagingParams(0, 10)
            });
            expect(page.data.map(item => item.id)).to.deep.equal([session.id]);
            expect(await client.command('get_session_by_id', { session_id: 'unknown' })).to.equal(null);
            expect(await client.command('close_expired_sessions', null)).to.equal(null);

            let error: ApplicationException | null = null;
            try {
                await client.command('get_session_by_id', { session_id: 7 });
            } catch (err) {
                error = err as ApplicationException;
            }
            expect(error).to.be.instanceOf(ApplicationException);
            expect(error!.code).to.equal('INVALID_DATA');
            expect(error!.status).to.equal(400);
            expect(error!.stack_trace == null || !/\.js:\d+/.test(error!.stack_trace)).to.equal(true);
        });
    });
}

/** max_sessions_per_user as the bundled config reads it from the environment, over HTTP. */
function describeSessionLimit(storeName: string, storeEnvironment: StoreEnvironment): void {
    describe('SESSION_LIMIT_REACHED over real HTTP, ' + storeName + ' store', function () {
        let service: TestService;

        before(async function () {
            service = await TestService.start({ ...await storeEnvironment(this), MAX_SESSIONS_PER_USER: '2', SESSION_LIMIT_POLICY: 'reject' });
        });

        after(async () => {
            await service?.stop();
        });

        it('answers 409 SESSION_LIMIT_REACHED, without internals, once a user has MAX_SESSIONS_PER_USER', async () => {
            const user = 'limited-' + Date.now();
            for (let index = 0; index < 2; index++) expect((await service.call('open_session', { user_id: user })).status).to.equal(200);
            const refused = await service.call('open_session', { user_id: user, data: { secret: 'kept-out' } });
            expectCleanError(refused, 409, 'SESSION_LIMIT_REACHED');
            expect(refused.body.details, 'the toolkit keeps details as strings').to.deep.equal({ max_sessions_per_user: '2' });
            expect(refused.text).to.not.contain('kept-out');
            const listed = await service.call('get_sessions', { filter: { user_id: user }, paging: { total: true } });
            expect(listed.body.total, 'nothing stored for the refused open').to.equal(2);
        });
    });
}

/** Filter values of the wrong type, over the real container. */
function describeFilterTypes(storeName: string, storeEnvironment: StoreEnvironment): void {
    describe('get_sessions filter types over real HTTP, ' + storeName + ' store', function () {
        let service: TestService;

        before(async function () {
            service = await TestService.start(await storeEnvironment(this));
        });

        after(async () => {
            await service?.stop();
        });

        it('answers 400 INVALID_DATA naming the field for every filter field of the wrong type, never a 500', async () => {
            const fields = ['id', 'user_id', 'active', 'from_time', 'to_time', 'client', 'address', 'close_reason'];
            for (const field of fields) {
                const values: unknown[] = [[], { toString: 1 }, { a: 1 }, 7, ...(field === 'active' ? [] : [true])];
                for (const value of values) {
                    const reply = await service.call('get_sessions', { filter: { [field]: value } });
                    expectCleanError(reply, 400, 'INVALID_DATA');
                    expect(reply.body.details.field, field + ' ' + reply.text).to.equal('filter.' + field);
                }
            }
        });

        it('still filters by the string values the original\'s client sends', async () => {
            const user = 'types-' + Date.now();
            const kept = (await service.call('open_session', { user_id: user, client: 'web' })).body;
            const closed = (await service.call('open_session', { user_id: user, client: 'cli' })).body;
            expect((await service.call('close_session', { session_id: closed.id })).status).to.equal(200);
            const ids = async (filter: Record<string, string>): Promise<string[]> => {
                const reply = await service.call('get_sessions', { filter });
                expect(reply.status, reply.text).to.equal(200);
                return (reply.body.data as Array<{ id: string }>).map(item => item.id);
            };
            expect(await ids({ user_id: user, active: 'true' })).to.deep.equal([kept.id]);
            expect(await ids({ user_id: user, active: 'false', close_reason: 'logout' })).to.deep.equal([closed.id]);
            expect(await ids({ user_id: user, client: 'web', from_time: kept.open_time })).to.deep.equal([kept.id]);
            expect(await ids({ user_id: user, to_time: kept.open_time })).to.deep.equal([]);
        });
    });
}

/** MAX_DATA_SIZE as the bundled config reads it from the environment, over HTTP. */
function describeDataSize(storeName: string, storeEnvironment: StoreEnvironment): void {
    describe('DATA_TOO_LARGE over real HTTP, ' + storeName + ' store', function () {
        let service: TestService;

        before(async function () {
            service = await TestService.start({ ...await storeEnvironment(this), MAX_DATA_SIZE: '1000' });
        });

        after(async () => {
            await service?.stop();
        });

        it('answers 413 DATA_TOO_LARGE naming the field and the limit, stores nothing, and takes exactly the limit', async () => {
            // {"v":"..."}: 8 bytes around the text.
            const sized = (bytes: number): { v: string } => ({ v: 'x'.repeat(bytes - 8) });
            const user = 'sized-' + Date.now();
            const opened = (await service.call('open_session', { user_id: user, user: sized(1000), data: sized(1000) })).body;
            expect(opened.data).to.deep.equal(sized(1000));
            for (const [command, args, field] of [
                ['open_session', { user_id: user, data: sized(1001) }, 'data'],
                ['store_session_data', { session_id: opened.id, data: sized(1001) }, 'data'],
                ['update_session_user', { session_id: opened.id, user: sized(1001) }, 'user']
            ] as Array<[string, Record<string, unknown>, string]>) {
                const reply = await service.call(command, args);
                expectCleanError(reply, 413, 'DATA_TOO_LARGE');
                expect(reply.body.details, command).to.include({ field, max_data_size: '1000' });
                expect(reply.body.message, command).to.contain(field)
                    .and.contain('the limit is 1000 bytes (1000 B, MAX_DATA_SIZE, options.max_data_size)');
            }
            const listed = await service.call('get_sessions', { filter: { user_id: user }, paging: { total: true } });
            expect(listed.body.total, 'nothing stored for the refused open').to.equal(1);
            const kept = (await service.call('get_session_by_id', { session_id: opened.id })).body;
            expect([kept.user, kept.data, kept.request_time]).to.deep.equal([sized(1000), sized(1000), opened.request_time]);
        });
    });
}

describeHttpApi('memory', async () => ({ MEMORY_ENABLED: 'true' }));
describeDataSize('memory', async () => ({ MEMORY_ENABLED: 'true' }));
describeFilterTypes('memory', async () => ({ MEMORY_ENABLED: 'true' }));
describeSessionLimit('memory', async () => ({ MEMORY_ENABLED: 'true' }));
describeSessionLimit('MongoDB', async (context) => {
    const server = await MongoTestServer.require(context);
    return { MONGO_ENABLED: 'true', MONGO_SERVICE_URI: server.uriFor('http_limit_tests') };
});

describeHttpApi('MongoDB', async (context) => {
    const server = await MongoTestServer.require(context);
    const client = await new MongoClient(server.uriFor('http_tests')).connect();
    await client.db().dropDatabase();
    await client.close();
    return { MONGO_ENABLED: 'true', MONGO_SERVICE_URI: server.uriFor('http_tests') };
});

// Each run under its own key prefix, so nothing of an earlier run is listed.
describeSessionLimit('Redis', async (context) => {
    const server = await RedisTestServer.require(context);
    return { REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: 'http_limit_tests:' + process.pid + ':' + Date.now() + ':' };
});

describeHttpApi('Redis', async (context) => {
    const server = await RedisTestServer.require(context);
    return { REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: 'http_tests:' + process.pid + ':' + Date.now() + ':' };
});

describeDataSize('Redis', async (context) => {
    const server = await RedisTestServer.require(context);
    return { REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: 'http_size_tests:' + process.pid + ':' + Date.now() + ':' };
});
describeFilterTypes('Redis', async (context) => {
    const server = await RedisTestServer.require(context);
    return { REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: 'http_filter_tests:' + process.pid + ':' + Date.now() + ':' };
});
