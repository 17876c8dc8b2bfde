import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { ConfigParams, FilterParams, UnauthorizedException } from 'pip-services3-commons-nodex';

import { ISessionsClientV1 } from '../../src/clients/version1/ISessionsClientV1';
import { SessionsCommandableGrpcClientV1 } from '../../src/clients/version1/SessionsCommandableGrpcClientV1';
import { SessionsCommandableHttpClientV1 } from '../../src/clients/version1/SessionsCommandableHttpClientV1';
import { SessionsGrpcClientV1 } from '../../src/clients/version1/SessionsGrpcClientV1';
import { SessionsProtoV1 } from '../../src/protos/SessionsProtoV1';
import { SessionsApiAccess } from '../../src/services/SessionsApiAccess';
import { SessionsSenecaClientPlugin } from '../../src/services/version1/SessionsSenecaClientPlugin';
import { HttpReply } from '../fixtures/HttpReply';
import { rejection } from '../fixtures/Rejection';
import { SenecaTestApp } from '../fixtures/SenecaTestApp';
import { freePort, TestService } from '../fixtures/TestService';

const KEY = 'the-one-key-of-every-api-0001';
const APP_KEY = 'the-application-key-0000001';
const WRONG = 'not-the-key-of-any-api-00001';

/** What the application key may run, written out here rather than read from the scope class under test. */
const APP_ALLOWED = [
    'get_sessions of one user', 'get_session_by_id', 'open_session', 'store_session_data', 'update_session_user',
    'validate_session', 'close_user_sessions', 'close_session'
];
/** What it may not: everything else, each answered 403 FORBIDDEN_SCOPE. */
const APP_REFUSED = ['get_sessions of every user', 'close_expired_sessions', 'delete_session_by_id'];

/** How a test calls one command: over one API, presenting one key (or none). */
type Call = (command: string, args: Record<string, unknown>) => Promise<unknown>;

/** One call of a walk: a label (the command, and for get_sessions whose sessions), the command and its arguments. */
type Step = [label: string, command: string, args: Record<string, unknown>];

/** Every command of the service, with arguments that are valid for a session that exists; get_sessions with and without a user. */
function everyCommand(sessionId: string): Step[] {
    return [
        ['get_sessions of one user', 'get_sessions', { filter: { user_id: 'walker' } }],
        ['get_sessions of every user', 'get_sessions', {}],
        ['get_session_by_id', 'get_session_by_id', { session_id: sessionId }],
        ['open_session', 'open_session', { user_id: 'walker' }],
        ['store_session_data', 'store_session_data', { session_id: sessionId, data: { n: 1 } }],
        ['update_session_user', 'update_session_user', { session_id: sessionId, user: { n: 2 } }],
        ['validate_session', 'validate_session', { session_id: sessionId }],
        ['close_user_sessions', 'close_user_sessions', { user_id: 'nobody-to-close' }],
        ['close_session', 'close_session', { session_id: sessionId }],
        ['close_expired_sessions', 'close_expired_sessions', {}],
        ['delete_session_by_id', 'delete_session_by_id', { session_id: sessionId }]
    ];
}

/** The client methods of the commands, for the APIs that have a typed client. */
function viaClient(client: ISessionsClientV1): Call {
    return async (command, args) => {
        const id = args.session_id as string;
        switch (command) {
            case 'get_sessions': return await client.getSessions(null, args.filter != null ? FilterParams.fromValue(args.filter) : null);
            case 'get_session_by_id': return await client.getSessionById(null, id);
            case 'open_session': return await client.openSession(null, args.user_id as string);
            case 'store_session_data': return await client.storeSessionData(null, id, args.data);
            case 'update_session_user': return await client.updateSessionUser(null, id, args.user);
            case 'validate_session': return await client.validateSession(null, id);
            case 'close_user_sessions': return await client.closeUserSessions(null, args.user_id as string);
            case 'close_session': return await client.closeSession(null, id);
            case 'close_expired_sessions': return await client.closeExpiredSessions(null);
            case 'delete_session_by_id': return await client.deleteSessionById(null, id);
            default: throw new Error('no client method for ' + command);
        }
    };
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; status?: number; message?: string } | null> {
    return await promise.then(() => null, (err: { code?: string; status?: number; message?: string }) => err);
}

const JSON_WITH_KEY = (key: string): Record<string, string> => ({ 'Content-Type': 'application/json', 'x-api-key': key });

describe('The API key on every API: one rule, every command', function () {
    this.timeout(60000);
    let service: TestService;
    let grpcPort: number;
    let senecaPort: number;
    const closers: Array<() => Promise<void>> = [];

    before(async () => {
        grpcPort = await freePort();
        senecaPort = await freePort();
        service = await TestService.start({
            MEMORY_ENABLED: 'true', HTTP_API_KEY: KEY, APP_API_KEY: APP_KEY,
            GRPC_ENABLED: 'true', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort),
            SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort)
        });
    });

    after(async () => {
        for (const close of closers) await close();
        await service?.stop();
    });

    /** A caller of every API, presenting the given key (null: none). */
    async function callers(key: string | null): Promise<Array<[string, Call]>> {
        const auth = key != null ? { auth: { api_key: key } } : {};
        const http = new SessionsCommandableHttpClientV1({ connection: { uri: service.url }, options: { retries: 0 }, ...auth });
        const plainGrpc = new SessionsGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort }, ...auth });
        const commandableGrpc = new SessionsCommandableGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort }, ...auth });
        for (const client of [http, plainGrpc, commandableGrpc]) {
            await client.open(null);
            closers.push(() => client.close(null));
        }
        const seneca = SenecaTestApp.create();
        seneca.use(SessionsSenecaClientPlugin, { host: '127.0.0.1', port: senecaPort, ...(key != null ? { api_key: key } : {}) });
        await SenecaTestApp.ready(seneca);
        closers.push(() => SenecaTestApp.close(seneca));
        return [
            ['HTTP', viaClient(http)],
            ['gRPC sessions_v1.Sessions', viaClient(plainGrpc)],
            ['gRPC commandable.Commandable', viaClient(commandableGrpc)],
            ['Seneca', (command, args) => seneca.post({ role: 'sessions', version: 1, cmd: command, ...args })]
        ];
    }

    async function sessionCount(): Promise<number> {
        const reply = await service.call('get_sessions', { paging: { total: true } },
            { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
        return reply.body.total as number;
    }

    it('refuses every command on every API without the key and with a wrong one (401), running none', async () => {
        const opened = await service.call('open_session', { user_id: 'walker' }, { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
        const before = await sessionCount();
        const refused: string[] = [];
        for (const key of [null, WRONG]) {
            for (const [api, call] of await callers(key)) {
                for (const [label, command, args] of everyCommand(opened.body.id)) {
                    const error = await failure(call(command, args));
                    expect(error, api + ' ' + label + ' with ' + (key ?? 'no key')).to.not.equal(null);
                    expect([error!.code, error!.status], api + ' ' + label).to.deep.equal(['UNAUTHORIZED', 401]);
                    refused.push(api + ' ' + label);
                }
            }
        }
        expect(refused.length, '11 calls x 4 APIs x 2 keys').to.equal(88);
        expect(await sessionCount(), 'nothing ran').to.equal(before);
        const untouched = await service.call('get_session_by_id', { session_id: opened.body.id },
            { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
        expect(untouched.body.active, 'the session was neither closed nor deleted').to.equal(true);
    });

    it('runs every command on every API with the right key', async () => {
        for (const [api, call] of await callers(KEY)) {
            const opened = await service.call('open_session', { user_id: 'walker' }, { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
            for (const [label, command, args] of everyCommand(opened.body.id)) {
                const error = await failure(call(command, args));
                expect(error, api + ' ' + label).to.equal(null);
            }
        }
    });

    it('runs with the application key exactly its scope on every API, refusing the rest with 403 FORBIDDEN_SCOPE and running none of it', async () => {
        for (const [api, call] of await callers(APP_KEY)) {
            const opened = await service.call('open_session', { user_id: 'walker' }, { headers: JSON_WITH_KEY(KEY) });
            const ran: string[] = [];
            const refused: string[] = [];
            for (const [label, command, args] of everyCommand(opened.body.id)) {
                const error = await failure(call(command, args));
                if (error == null) {
                    ran.push(label);
                    continue;
                }
                expect([error.code, error.status], api + ' ' + label).to.deep.equal(['FORBIDDEN_SCOPE', 403]);
                expect(error.message, api + ' ' + label).to.contain(command).and.to.contain('full API key');
                refused.push(label);
            }
            expect(ran, api).to.deep.equal(APP_ALLOWED);
            expect(refused, api).to.deep.equal(APP_REFUSED);
            const kept = await service.call('get_session_by_id', { session_id: opened.body.id }, { headers: JSON_WITH_KEY(KEY) });
            expect([kept.status, kept.body.id], api + ': delete_session_by_id did not run').to.deep.equal([200, opened.body.id]);
        }
    });

    it('lists one user\'s sessions for the application key, and only with a user_id that names someone', async () => {
        await service.call('open_session', { user_id: 'listed-user' }, { headers: JSON_WITH_KEY(KEY) });
        const listed = await service.call('get_sessions', { filter: { user_id: 'listed-user' } }, { headers: JSON_WITH_KEY(APP_KEY) });
        expect(listed.status).to.equal(200);
        expect(listed.body.data.map((session: { user_id: string }) => session.user_id)).to.deep.equal(['listed-user']);
        for (const filter of [undefined, {}, { user_id: '' }, { user_id: null }, { active: true }, 'user_id=listed-user']) {
            const reply = await service.call('get_sessions', filter === undefined ? {} : { filter }, { headers: JSON_WITH_KEY(APP_KEY) });
            expect([reply.status, reply.body.code, reply.body.details?.command], JSON.stringify(filter))
                .to.deep.equal([403, 'FORBIDDEN_SCOPE', 'get_sessions']);
            expect(reply.body.message).to.contain('user_id');
        }
    });

    it('keeps /metrics and /status for the full key: 403 to the application key, 401 without a key', async () => {
        for (const route of ['/metrics', '/status']) {
            const forApp = await HttpReply.read(await fetch(service.url + route, { headers: { authorization: 'Bearer ' + APP_KEY } }));
            expect([forApp.status, forApp.body.code], route).to.deep.equal([403, 'FORBIDDEN_SCOPE']);
            expect(forApp.body.message, route).to.contain(route);
            const anonymous = await HttpReply.read(await fetch(service.url + route));
            expect([anonymous.status, anonymous.body.code], route).to.deep.equal([401, 'UNAUTHORIZED']);
            expect((await fetch(service.url + route, { headers: { 'x-api-key': KEY } })).status, route).to.equal(200);
        }
        await service.call('delete_session_by_id', { session_id: 'any' }, { headers: JSON_WITH_KEY(APP_KEY) });
        const metrics = await (await fetch(service.url + '/metrics', { headers: { 'x-api-key': KEY } })).text();
        expect(metrics, 'a refused command is counted as 403').to.match(/^sessions_requests_total\{api="http",command="delete_session_by_id",status="403"\} [1-9]/m);
    });

    it('declares the 403 in the OpenAPI document for the commands out of the application key\'s scope only', async () => {
        const document = (await HttpReply.read(await fetch(service.url + '/v1/sessions/swagger'))).body;
        const withForbidden = Object.keys(document.paths)
            .filter(path => document.paths[path].post.responses['403'] != null)
            .map(path => path.replace('/v1/sessions/', ''))
            .sort();
        expect(withForbidden).to.deep.equal(['close_expired_sessions', 'delete_session_by_id', 'get_sessions']);
    });

    it('gives a client configured with the application key the typed 403 error for a command out of scope', async () => {
        const client = new SessionsCommandableHttpClientV1({ connection: { uri: service.url }, options: { retries: 0 }, auth: { api_key: APP_KEY } });
        await client.open(null);
        try {
            const session = await client.openSession('cid-app', 'client-app-user');
            expect((await client.validateSession('cid-app', session.id))?.id).to.equal(session.id);
            const error = await rejection(client.deleteSessionById('cid-app', session.id));
            expect(error).to.be.instanceOf(UnauthorizedException);
            expect([error.code, error.status, error.correlation_id]).to.deep.equal(['FORBIDDEN_SCOPE', 403, 'cid-app']);
            expect(error.message).to.equal('The application key may not call delete_session_by_id: use the full API key');
        } finally {
            await client.close(null);
        }
    });

    it('answers gRPC calls without the key with UNAUTHENTICATED, and the application key out of scope with PERMISSION_DENIED, on both gRPC APIs', async () => {
        const address = '127.0.0.1:' + grpcPort;
        const plain = new (SessionsProtoV1.sessions())(address, grpc.credentials.createInsecure());
        const commandable = new (SessionsProtoV1.commandable())(address, grpc.credentials.createInsecure());
        try {
            const unary = (client: grpc.Client, method: string, request: unknown, metadata: grpc.Metadata): Promise<grpc.ServiceError | null> =>
                new Promise(resolve => (client as unknown as Record<string, (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void) => void>)[method]
                    .call(client, request, metadata, error => resolve(error)));
            const wrong = new grpc.Metadata();
            wrong.set('authorization', 'Bearer ' + WRONG);
            for (const metadata of [new grpc.Metadata(), wrong]) {
                expect((await unary(plain, 'get_sessions', {}, metadata))?.code).to.equal(grpc.status.UNAUTHENTICATED);
                expect((await unary(commandable, 'invoke', { method: 'v1/sessions.get_sessions', args_empty: true }, metadata))?.code)
                    .to.equal(grpc.status.UNAUTHENTICATED);
            }
            const right = new grpc.Metadata();
            right.set('authorization', 'Bearer ' + KEY);
            expect(await unary(plain, 'get_sessions', {}, right)).to.equal(null);
            const app = new grpc.Metadata();
            app.set('x-api-key', APP_KEY);
            const plainRefusal = await unary(plain, 'get_sessions', {}, app);
            const commandableRefusal = await unary(commandable, 'invoke', { method: 'v1/sessions.get_sessions', args_empty: true }, app);
            for (const refusal of [plainRefusal, commandableRefusal]) {
                expect(refusal?.code).to.equal(grpc.status.PERMISSION_DENIED);
                const body = JSON.parse(String(refusal!.metadata.get(SessionsProtoV1.errorMetadataKey)[0]));
                expect([body.code, body.status, body.details.command]).to.deep.equal(['FORBIDDEN_SCOPE', 403, 'get_sessions']);
            }
            expect(await unary(plain, 'get_sessions', { filter: { user_id: 'walker' } }, app)).to.equal(null);
        } finally {
            plain.close();
            commandable.close();
        }
    });
});

describe('SessionsApiAccess with an application key', () => {
    function access(tuples: Array<string | null>): SessionsApiAccess {
        const configured = new SessionsApiAccess();
        configured.configure(ConfigParams.fromTuples(...tuples));
        return configured;
    }

    function configureError(tuples: Array<string | null>): { code?: string; message?: string } {
        try {
            access(tuples);
        } catch (err) {
            return err as { code?: string; message?: string };
        }
        throw new Error('Expected configure to fail');
    }

    it('refuses at configure an application key that is too short, equal to the full key, or without a full key', () => {
        const short = configureError(['auth.api_key', KEY, 'auth.app_api_key', 'short-app-key']);
        expect(short.code).to.equal('API_KEY_TOO_SHORT');
        expect(short.message).to.contain('APP_API_KEY').and.to.contain('16 characters');
        const same = configureError(['auth.api_key', KEY, 'auth.app_api_key', KEY]);
        expect(same.code).to.equal('APP_API_KEY_SAME_AS_API_KEY');
        expect(same.message).to.contain('APP_API_KEY must differ from HTTP_API_KEY');
        for (const fullKey of [null, '']) {
            const alone = configureError(['auth.api_key', fullKey, 'auth.app_api_key', APP_KEY]);
            expect(alone.code, String(fullKey)).to.equal('APP_API_KEY_WITHOUT_API_KEY');
            expect(alone.message).to.contain('APP_API_KEY needs HTTP_API_KEY');
        }
        const fullOnly = access(['auth.api_key', KEY, 'auth.app_api_key', '']);
        expect(() => fullOnly.authenticate(null, APP_KEY), 'an empty application key is off').to.throw(/valid API key/);
    });

    it('refuses to start a process given APP_API_KEY without HTTP_API_KEY', async () => {
        const error = await rejection(TestService.start({ MEMORY_ENABLED: 'true', APP_API_KEY: APP_KEY }));
        // The container keeps a component's configure error as it is (SessionsContainerReferences).
        expect(String(error.message)).to.contain('APP_API_KEY needs HTTP_API_KEY');
    });

    it('tells the keys apart, and refuses any other with 401', () => {
        const keys = access(['auth.api_key', KEY, 'auth.app_api_key', APP_KEY]);
        expect(keys.authenticate(null, KEY)).to.equal('full');
        expect(keys.authenticate(null, APP_KEY)).to.equal('application');
        for (const wrong of [WRONG, APP_KEY + 'x', APP_KEY.slice(0, -1), '', null, 42]) {
            expect(() => keys.authenticate('c1', wrong), String(wrong)).to.throw(/valid API key/);
        }
        expect(access([]).authenticate(null, null), 'no key configured').to.equal('open');
    });

    it('refuses the application key out of its scope with 403 FORBIDDEN_SCOPE naming the command, never the full key', () => {
        const keys = access(['auth.api_key', KEY, 'auth.app_api_key', APP_KEY]);
        expect(() => keys.authorize('c1', KEY, 'delete_session_by_id', {})).to.not.throw();
        expect(() => keys.authorize('c1', APP_KEY, 'close_session', { session_id: 's1' })).to.not.throw();
        expect(() => keys.authorize('c1', APP_KEY, 'get_sessions', { filter: { user_id: 'u1' } })).to.not.throw();
        let refused: UnauthorizedException | null = null;
        try {
            keys.authorize('c1', APP_KEY, 'delete_session_by_id', { session_id: 's1' });
        } catch (err) {
            refused = err as UnauthorizedException;
        }
        expect(refused).to.be.instanceOf(UnauthorizedException);
        expect([refused!.code, refused!.status, refused!.correlation_id, refused!.details])
            .to.deep.equal(['FORBIDDEN_SCOPE', 403, 'c1', { command: 'delete_session_by_id' }]);
        expect(refused!.message).to.equal('The application key may not call delete_session_by_id: use the full API key');
        expect(() => keys.authorize('c1', WRONG, 'open_session', {})).to.throw(/valid API key/);
        expect(() => keys.authorizeOperations('c1', APP_KEY, '/metrics')).to.throw(/may not read \/metrics/);
        expect(() => keys.authorizeOperations('c1', KEY, '/metrics')).to.not.throw();
    });

    it('uses a service\'s own application key when it has its own keys', () => {
        const own = SessionsApiAccess.forService(ConfigParams.fromTuples('auth.api_key', KEY, 'auth.app_api_key', APP_KEY), null);
        expect(own.authenticate(null, APP_KEY)).to.equal('application');
    });
});
