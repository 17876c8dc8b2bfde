import { expect } from 'chai';
import { ApplicationException } from 'pip-services3-commons-nodex';

import { SessionsCommandableHttpClientV1 } from '../../src/clients/version1/SessionsCommandableHttpClientV1';
import { SessionsApiKey } from '../../src/services/SessionsApiKey';
import { HttpReply } from '../fixtures/HttpReply';
import { rejection } from '../fixtures/Rejection';
import { SessionsSenecaClientPlugin } from '../../src/services/version1/SessionsSenecaClientPlugin';
import { SenecaApp, SenecaTestApp } from '../fixtures/SenecaTestApp';
import { freePort, TestService } from '../fixtures/TestService';

const KEY = 'k3y-for-the-sessions-api-0001';

describe('SessionsApiKey', () => {
    it('is off without a key and refuses keys shorter than 16 characters', () => {
        expect(new SessionsApiKey(null).enabled).to.equal(false);
        expect(new SessionsApiKey('').enabled).to.equal(false);
        expect(() => new SessionsApiKey('short-key')).to.throw(/at least 16 characters/);
    });

    it('takes the key from x-api-key, else from a Bearer token', () => {
        expect(SessionsApiKey.fromHeaders({ 'x-api-key': 'a', authorization: 'Bearer b' })).to.equal('a');
        expect(SessionsApiKey.fromHeaders({ authorization: 'bearer  b ' })).to.equal('b');
        expect(SessionsApiKey.fromHeaders({ authorization: 'Basic dXNlcjpwYXNz' })).to.equal(null);
        expect(SessionsApiKey.fromHeaders({})).to.equal(null);
    });

    it('accepts exactly the key: not a prefix, an extension, another case, or a non-string', () => {
        const apiKey = new SessionsApiKey(KEY);
        expect(() => apiKey.check(null, KEY)).to.not.throw();
        for (const wrong of [KEY.slice(0, -1), KEY + 'x', KEY.toUpperCase(), '', null, undefined, 42, [KEY]]) {
            expect(() => apiKey.check('c1', wrong), String(wrong)).to.throw(/valid API key/);
        }
    });
});

describe('The HTTP API with HTTP_API_KEY set', function () {
    this.timeout(30000);
    let service: TestService;

    before(async () => {
        service = await TestService.start({ MEMORY_ENABLED: 'true', HTTP_API_KEY: KEY });
    });

    after(async () => {
        await service?.stop();
    });

    it('answers 401 UNAUTHORIZED without the key or with a wrong one, and writes nothing', async () => {
        const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'wrong-key-wrong-key' }, { authorization: 'Bearer ' + KEY + 'x' }];
        for (const headers of attempts) {
            const reply = await service.call('open_session', { user_id: 'u1' },
                { headers: { 'Content-Type': 'application/json', ...headers } });
            expect(reply.status, JSON.stringify(headers)).to.equal(401);
            expect(reply.body).to.include({ code: 'UNAUTHORIZED', status: 401 });
            expect(reply.headers.get('www-authenticate')).to.equal('Bearer');
            expect(reply.text).to.not.contain(KEY);
        }
        const listed = await service.call('get_sessions', { paging: { total: true } }, {
            headers: { 'Content-Type': 'application/json', 'x-api-key': KEY }
        });
        expect(listed.body.total).to.equal(0);
    });

    it('runs commands with the key as x-api-key or as a Bearer token', async () => {
        const opened = await service.call('open_session', { user_id: 'u1' },
            { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
        expect(opened.status).to.equal(200);
        const got = await service.call('get_session_by_id', { session_id: opened.body.id },
            { headers: { 'Content-Type': 'application/json', authorization: 'Bearer ' + KEY } });
        expect(got.body.user_id).to.equal('u1');
    });

    it('leaves /heartbeat, /ready and the documents open, and asks the key for /status and /metrics; the OpenAPI document declares it', async () => {
        for (const route of ['/heartbeat', '/ready', '/v1/sessions/swagger', '/swagger']) {
            expect((await fetch(service.url + route)).status, route).to.equal(200);
        }
        for (const route of ['/status', '/metrics']) {
            const refused = await HttpReply.read(await fetch(service.url + route));
            expect([refused.status, refused.body.code], route).to.deep.equal([401, 'UNAUTHORIZED']);
            expect((await fetch(service.url + route, { headers: { 'x-api-key': KEY } })).status, route).to.equal(200);
        }
        const document = (await HttpReply.read(await fetch(service.url + '/v1/sessions/swagger'))).body;
        expect(document.components.securitySchemes.apiKey).to.include({ type: 'apiKey', in: 'header', name: 'x-api-key' });
        expect(document.security).to.deep.equal([{ apiKey: [] }, { bearer: [] }]);
        const metrics = await (await fetch(service.url + '/metrics', { headers: { authorization: 'Bearer ' + KEY } })).text();
        expect(metrics).to.match(/^sessions_requests_total\{api="http",command="open_session",status="401"\} [1-9]/m);
    });

    it('checks the key before reading the body: a bad body without the key is 401, not 400 or 413', async () => {
        for (const body of ['{not json', '{"user_id": "' + 'x'.repeat(2 * 1024 * 1024) + '"}']) {
            const reply = await HttpReply.read(await fetch(service.url + '/v1/sessions/open_session', {
                method: 'POST', headers: { 'Content-Type': 'application/json' }, body
            }));
            expect([reply.status, reply.body.code]).to.deep.equal([401, 'UNAUTHORIZED']);
        }
    });

    it('leaves /status and /metrics open with OPERATIONS_WITHOUT_KEY=true, the commands still behind the key', async () => {
        const open = await TestService.start({ MEMORY_ENABLED: 'true', HTTP_API_KEY: KEY, OPERATIONS_WITHOUT_KEY: 'true' });
        try {
            for (const route of ['/status', '/metrics']) expect((await fetch(open.url + route)).status, route).to.equal(200);
            expect((await open.call('get_sessions', {})).status).to.equal(401);
        } finally {
            await open.stop();
        }
    });

    it('the HTTP client sends the key from auth.api_key', async () => {
        const withKey = new SessionsCommandableHttpClientV1({ connection: { uri: service.url }, auth: { api_key: KEY } });
        const withoutKey = new SessionsCommandableHttpClientV1({ connection: { uri: service.url } });
        await withKey.open(null);
        await withoutKey.open(null);
        try {
            expect((await withKey.openSession(null, 'client-user')).user_id).to.equal('client-user');
            const error = await rejection(withoutKey.openSession(null, 'client-user')) as ApplicationException;
            expect(error.code).to.equal('UNAUTHORIZED');
            expect(error.status).to.equal(401);
        } finally {
            await withKey.close(null);
            await withoutKey.close(null);
        }
    });
});

describe('The Seneca API with HTTP_API_KEY set', function () {
    this.timeout(30000);
    let service: TestService;
    let port: number;
    const clients: SenecaApp[] = [];

    async function client(options: Record<string, unknown>): Promise<SenecaApp> {
        const app = SenecaTestApp.create();
        app.use(SessionsSenecaClientPlugin, { host: '127.0.0.1', port, ...options });
        await SenecaTestApp.ready(app);
        clients.push(app);
        return app;
    }

    before(async () => {
        port = await freePort();
        service = await TestService.start({
            MEMORY_ENABLED: 'true', HTTP_API_KEY: KEY, SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(port)
        });
    });

    after(async () => {
        for (const app of clients) await SenecaTestApp.close(app);
        await service?.stop();
    });

    it('refuses messages without the key or with a wrong one with 401 UNAUTHORIZED, running nothing', async () => {
        for (const options of [{}, { api_key: 'wrong-key-wrong-key' }]) {
            const app = await client(options);
            const error = await SenecaTestApp.failureOf(app.post({ role: 'sessions', version: 1, cmd: 'open_session', user_id: 'u1' }));
            expect(error.code, JSON.stringify(options)).to.equal('UNAUTHORIZED');
            expect(error.status).to.equal(401);
        }
        const listed = await service.call('get_sessions', { paging: { total: true } }, {
            headers: { 'Content-Type': 'application/json', 'x-api-key': KEY }
        });
        expect(listed.body.total).to.equal(0);
    });

    it('runs commands for a client that sends the key, which never reaches the command as an argument', async () => {
        const app = await client({ api_key: KEY });
        const opened = await app.post({ role: 'sessions', version: 1, cmd: 'open_session', user_id: 'seneca-user' }) as { id: string };
        const got = await app.post({ role: 'sessions', version: 1, cmd: 'get_session_by_id', session_id: opened.id }) as Record<string, unknown>;
        expect(got.user_id).to.equal('seneca-user');
        expect(JSON.stringify(got)).to.not.contain(KEY);
    });
});
