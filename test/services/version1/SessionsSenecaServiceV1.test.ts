import * as net from 'net';

import { expect } from 'chai';
import { ApplicationException, BadRequestException, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsSenecaClientPlugin } from '../../../src/services/version1/SessionsSenecaClientPlugin';
import { SessionsSenecaServiceV1 } from '../../../src/services/version1/SessionsSenecaServiceV1';
import { SenecaApp, SenecaTestApp } from '../../fixtures/SenecaTestApp';
import { freePort, TestService } from '../../fixtures/TestService';

type Json = Record<string, unknown>;

function cmd(name: string, args: Json = {}): Json {
    return { role: 'sessions', version: 1, cmd: name, ...args };
}

/** No error may carry a stack frame or a file path of the service. */
function expectNoInternals(value: unknown): void {
    expect(JSON.stringify(value)).to.not.match(/\bat .+\(|\.js:\d+|\/src\/|node_modules|\/work\//);
}

async function startService(type: string, port: number, env: Record<string, string> = {}): Promise<TestService> {
    return await TestService.start({
        MEMORY_ENABLED: 'true', SENECA_ENABLED: 'true', SENECA_TYPE: type, SENECA_HOST: '127.0.0.1', SENECA_PORT: String(port), ...env
    });
}

async function startClient(type: string, port: number): Promise<SenecaApp> {
    const client = SenecaTestApp.create();
    client.use(SessionsSenecaClientPlugin, { type, host: '127.0.0.1', port });
    await SenecaTestApp.ready(client);
    return client;
}

/** The suite for one transport: a real client Seneca calling the real container. */
function describeSenecaApi(type: 'tcp' | 'http'): void {
    describe('SessionsSenecaServiceV1 in the container, a client Seneca over ' + type, function () {
        let port: number;
        let service: TestService;
        let client: SenecaApp;

        before(async () => {
            port = await freePort();
            service = await startService(type, port);
            client = await startClient(type, port);
        });

        after(async () => {
            if (client != null) await SenecaTestApp.close(client);
            await service?.stop();
        });

        /** What the HTTP API answers for the same command: its JSON, null for 204. */
        async function overHttp(name: string, args: Json): Promise<unknown> {
            const reply = await service.call(name, args);
            expect(reply.status, reply.text).to.be.oneOf([200, 204]);
            return reply.body;
        }

        it('runs every command, each answering the JSON the HTTP API answers', async () => {
            const opened = await client.post(cmd('open_session', {
                user_id: 'u1', user_name: 'Ann', address: '10.1.1.1', client: 'web', user: { role: 'admin' }, data: { step: 1 }
            })) as Json;
            expect(opened.id).to.match(/^[0-9a-f]{32}$/);
            expect(opened).to.include({ user_id: 'u1', user_name: 'Ann', address: '10.1.1.1', client: 'web', active: true });
            const id = opened.id as string;
            expect(opened).to.deep.equal(await overHttp('get_session_by_id', { session_id: id }));

            const got = await client.post(cmd('get_session_by_id', { session_id: id }));
            expect(got).to.deep.equal(await overHttp('get_session_by_id', { session_id: id }));

            const stored = await client.post(cmd('store_session_data', { session_id: id, data: { step: 2 } })) as Json;
            expect(stored.data).to.deep.equal({ step: 2 });
            expect(stored).to.deep.equal(await overHttp('get_session_by_id', { session_id: id }));

            const updated = await client.post(cmd('update_session_user', { session_id: id, user: { role: 'viewer' } })) as Json;
            expect(updated.user).to.deep.equal({ role: 'viewer' });
            expect(updated).to.deep.equal(await overHttp('get_session_by_id', { session_id: id }));

            const query = { filter: { user_id: 'u1', active: true }, paging: { skip: 0, take: 10, total: true } };
            const page = await client.post(cmd('get_sessions', query)) as Json;
            expect(page.total).to.equal(1);
            expect(page).to.deep.equal(await overHttp('get_sessions', query));

            const closed = await client.post(cmd('close_session', { session_id: id })) as Json;
            expect(closed).to.include({ active: false, user: null, data: null });
            expect(closed).to.deep.equal(await overHttp('get_session_by_id', { session_id: id }));

            expect(await client.post(cmd('close_expired_sessions'))).to.equal(null);
            const deleted = await client.post(cmd('delete_session_by_id', { session_id: id }));
            expect(deleted).to.deep.equal(closed);
            expect(await client.post(cmd('get_session_by_id', { session_id: id }))).to.equal(null);
            expect(await overHttp('get_session_by_id', { session_id: id })).to.equal(null);
        });

        it('answers null for an unknown session id', async () => {
            for (const [name, args] of [
                ['get_session_by_id', {}], ['store_session_data', { data: 1 }], ['update_session_user', { user: {} }],
                ['close_session', {}], ['delete_session_by_id', {}]
            ] as Array<[string, Json]>) {
                expect(await client.post(cmd(name, { session_id: 'ffffffffffffffffffffffffffffffff', ...args })), name).to.equal(null);
            }
        });

        it('fails bad arguments with the HTTP API\'s code, status and message as a typed error, and writes nothing', async () => {
            const before = ((await client.post(cmd('get_sessions', { paging: { total: true } }))) as Json).total;
            const cases: Array<[string, Json]> = [
                ['open_session', {}],
                ['open_session', { user_id: 42 }],
                ['get_session_by_id', { session_id: 5 }],
                ['store_session_data', { session_id: 'x' }],
                ['update_session_user', { session_id: 'x', user: null }],
                ['close_session', { session_id: ['x'] }],
                ['get_sessions', { paging: { skip: 'x' } }],
                ['get_sessions', { filter: { active: 'maybe' } }]
            ];
            for (const [name, args] of cases) {
                const error = await SenecaTestApp.failureOf(client.post(cmd(name, { ...args, correlation_id: 'trace-' + name })));
                const http = (await service.call(name, args, {
                    headers: { 'Content-Type': 'application/json', correlation_id: 'trace-' + name }
                })).body;
                expect(error, name).to.be.instanceOf(BadRequestException);
                expect(error.code, name).to.equal('INVALID_DATA');
                expect({ code: error.code, status: error.status, message: error.message, field: error.details.field })
                    .to.deep.equal({ code: http.code, status: http.status, message: http.message, field: http.details.field });
                expect(error.correlation_id).to.equal('trace-' + name);
                expect(error.stack).to.not.match(/\n\s+at /);
                expectNoInternals(error);
            }
            expect(((await client.post(cmd('get_sessions', { paging: { total: true } }))) as Json).total).to.equal(before);
        });

        it('shows callers without the client plugin the envelope: {result} or {error}', async () => {
            const plain = SenecaTestApp.create();
            plain.client({ type, host: '127.0.0.1', port, pin: { role: 'sessions', version: 1 } });
            await SenecaTestApp.ready(plain);
            try {
                expect(await plain.post(cmd('get_session_by_id', { session_id: 'unknown' }))).to.deep.equal({ result: null });
                const opened = await plain.post(cmd('open_session', { user_id: 'plain' })) as { result: Json };
                expect(opened.result.user_id).to.equal('plain');
                const failed = await plain.post(cmd('get_session_by_id', { session_id: 5, correlation_id: 'c1' })) as { error: Json };
                expect(Object.keys(failed)).to.deep.equal(['error']);
                expect(failed.error).to.include({ category: 'BadRequest', status: 400, code: 'INVALID_DATA', correlation_id: 'c1' });
                expect(failed.error.details).to.deep.equal({ field: 'session_id', fields: 'session_id' });
                expectNoInternals(failed);
            } finally {
                await SenecaTestApp.close(plain);
            }
        });

        if (type === 'http') {
            it('answers a plain HTTP POST to /act with the envelope', async () => {
                const response = await fetch('http://127.0.0.1:' + port + '/act', {
                    method: 'POST', headers: { 'Content-Type': 'application/json' },
                    body: JSON.stringify(cmd('get_session_by_id', { session_id: 5 }))
                });
                expect(response.status).to.equal(200);
                const body = await response.json() as { error: Json };
                expect(body.error).to.include({ status: 400, code: 'INVALID_DATA' });
                const other = await fetch('http://127.0.0.1:' + port + '/act?role=seneca&cmd=close', { method: 'POST', body: '{}' });
                expect(((await other.json()) as { error: Json }).error).to.include({ status: 404, code: 'RESOURCE_NOT_FOUND' });
                expect(await client.post(cmd('close_expired_sessions')), 'still serving').to.equal(null);
            });
        }
    });
}

describeSenecaApi('tcp');
describeSenecaApi('http');

describe('SessionsSenecaServiceV1 and malformed messages, over raw tcp', function () {
    let port: number;
    let service: TestService;
    let client: SenecaApp;

    before(async () => {
        port = await freePort();
        service = await startService('tcp', port);
        client = await startClient('tcp', port);
    });

    after(async () => {
        if (client != null) await SenecaTestApp.close(client);
        await service?.stop();
    });

    async function expectStillServing(): Promise<void> {
        const opened = await client.post(cmd('open_session', { user_id: 'alive' })) as Json;
        expect(await client.post(cmd('get_session_by_id', { session_id: opened.id }))).to.deep.equal(opened);
    }

    async function errorOf(act: Json): Promise<Json> {
        const reply = await SenecaTestApp.sendRawTcp(port, act);
        expect(reply, JSON.stringify(act)).to.not.equal(null);
        expect(reply!.error, 'a reply, not a transport error: ' + JSON.stringify(reply)).to.equal(undefined);
        const envelope = reply!.res as { error?: Json };
        expect(envelope.error, JSON.stringify(reply)).to.be.an('object');
        expectNoInternals(reply);
        return envelope.error!;
    }

    it('answers messages without the API\'s role fields with 404, runs none of Seneca\'s own actions, keeps serving', async () => {
        for (const act of [
            { version: 1, cmd: 'get_sessions' },
            { role: 'sessions', cmd: 'get_sessions' },
            { role: 'sessions', version: 2, cmd: 'get_sessions' },
            { role: { name: 'sessions' }, version: 1, cmd: 'get_sessions' },
            { role: 'seneca', cmd: 'close' },
            { role: 'seneca', cmd: 'stats' },
            { role: 'seneca', get: 'options' },
            { role: 'transport', cmd: 'listen', type: 'tcp', host: '127.0.0.1', port: 0 },
            { role: 'nothing', fatal$: true },
            {}
        ] as Json[]) {
            const error = await errorOf(act);
            expect(error, JSON.stringify(act)).to.include({ status: 404, code: 'RESOURCE_NOT_FOUND' });
        }
        await expectStillServing();
    });

    it('answers unknown commands, wrong types and polluted objects with error replies', async () => {
        const cases: Array<[Json, number, string]> = [
            [cmd('drop_all_sessions'), 404, 'RESOURCE_NOT_FOUND'],
            [{ role: 'sessions', version: 1 }, 404, 'RESOURCE_NOT_FOUND'],
            [{ role: 'sessions', version: 1, cmd: 5 }, 404, 'RESOURCE_NOT_FOUND'],
            [cmd('get_session_by_id', { session_id: { $ne: null } }), 400, 'INVALID_DATA'],
            [cmd('open_session', { user_id: ['u'] }), 400, 'INVALID_DATA'],
            [cmd('get_sessions', { filter: 'user_id=1' }), 400, 'INVALID_DATA'],
            [cmd('get_sessions', { paging: { take: 'all' } }), 400, 'INVALID_DATA'],
            [cmd('open_session', { user_id: 'u', correlation_id: { id: 1 } }), 400, 'INVALID_DATA'],
            [cmd('open_session', { user_id: 'u', data: JSON.parse('{"__proto__": {"admin": true}}') }), 400, 'INVALID_DATA']
        ];
        for (const [act, status, code] of cases) {
            expect(await errorOf(act), JSON.stringify(act)).to.include({ status, code });
        }
        const unknown = await errorOf(cmd('drop_all_sessions'));
        expect(unknown.message).to.match(/^Unknown command: drop_all_sessions\. The commands are: /)
            .and.contain('open_session, ').and.contain('close_expired_sessions');
        await expectStillServing();
    });

    it('refuses fields that steer Seneca itself (prior$, fatal$, timeout$, ...) from remote callers, and keeps serving', async () => {
        // prior$ picked an action by id past the pattern; with fatal$ its failure closed the whole Seneca API.
        for (const fields of [
            { prior$: 'nope', fatal$: true }, { prior$: 'nope' }, { fatal$: true }, { timeout$: 1 }, { gate$: true }, { local$: true },
            { default$: { x: 1 } }, { plugin$: { name: 'x' } }, { closing$: true }, { meta$: { closing: true } }
        ] as Json[]) {
            const error = await errorOf(cmd('get_sessions', fields));
            expect(error, JSON.stringify(fields)).to.include({ status: 400, code: 'INVALID_DATA' });
            expect(error.message, JSON.stringify(fields)).to.match(/control fields/);
        }
        await expectStillServing();
    });

    it('runs a message again when its id is reused, instead of answering from Seneca\'s action cache', async () => {
        const frame = (userId: string): string => JSON.stringify({
            id: 'same-id/tx', kind: 'act', origin: 'raw-test', sync: true, act: cmd('open_session', { user_id: userId })
        });
        const first = await SenecaTestApp.sendRawTcp(port, frame('first')) as { res: { result: Json } };
        const second = await SenecaTestApp.sendRawTcp(port, frame('second')) as { res: { result: Json } };
        expect(first.res.result.user_id).to.equal('first');
        expect(second.res.result.user_id, 'not the first call\'s cached result').to.equal('second');
        expect(second.res.result.id).to.not.equal(first.res.result.id);
    });

    it('runs a command whose message has fields named hasOwnProperty or get', async () => {
        const reply = await SenecaTestApp.sendRawTcp(port, cmd('open_session', { user_id: 'fields', hasOwnProperty: 1, get: 2 }));
        expect((reply!.res as { result: Json }).result.user_id).to.equal('fields');
    });

    it('answers a huge message with 413 PAYLOAD_TOO_LARGE and keeps serving', async () => {
        const error = await errorOf(cmd('open_session', { user_id: 'big', data: 'x'.repeat(3 * 1024 * 1024) }));
        expect(error).to.include({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
        expect(error.message).to.match(/^Message (arguments )?larger than 1048576 bytes \(1 MiB, options\.request_max_size of the Seneca service\)$/);
        const page = await client.post(cmd('get_sessions', { filter: { user_id: 'big' }, paging: { total: true } })) as Json;
        expect(page.total, 'nothing written').to.equal(0);
        await expectStillServing();
    });

    it('answers a line that is not JSON with a 400 INVALID_JSON envelope, and keeps serving', async () => {
        // seneca-transport printed the parse error with a stack to stderr and dropped the connection without a reply.
        const reply = await SenecaTestApp.sendRawTcp(port, 'not json {');
        expect(reply, 'a reply line').to.not.equal(null);
        expect((reply!.res as { error: Json }).error).to.deep.equal({
            category: 'BadRequest', status: 400, code: 'INVALID_JSON', message: 'The line is not valid JSON'
        });
        expectNoInternals(reply);
        await expectStillServing();
    });
});

describe('SessionsSenecaServiceV1 configuration', function () {
    it('fails to start at once with CANNOT_LISTEN when the port is taken', async () => {
        const blocker = net.createServer();
        const port = await freePort();
        await new Promise<void>(resolve => blocker.listen(port, '127.0.0.1', () => resolve()));
        try {
            const started = Date.now();
            const error = await SenecaTestApp.failureOf(startService('tcp', port)) as ApplicationException;
            expect(error.code, error.message).to.equal('CANNOT_LISTEN');
            expect(error.message).to.contain(String(port));
            expect(Date.now() - started).to.be.below(5000);
        } finally {
            await new Promise<void>(resolve => blocker.close(() => resolve()));
        }
    });

    it('refuses a transport type other than tcp or http, a bad port and an empty host', () => {
        for (const [key, value, code] of [
            ['connection.protocol', 'amqp', 'BAD_SETTING'],
            ['connection.port', 70000, 'BAD_SETTING'],
            ['connection.port', 'eighty', 'BAD_SETTING'],
            ['connection.host', ' ', 'NO_HOST']
        ] as Array<[string, unknown, string]>) {
            const service = new SessionsSenecaServiceV1();
            expect(() => service.configure(ConfigParams.fromTuples(key, value)), key + '=' + value)
                .to.throw().with.property('code', code);
        }
        const service = new SessionsSenecaServiceV1();
        service.configure(ConfigParams.fromTuples('connection.protocol', 'HTTP', 'connection.port', 0));
    });
});
