import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';

import { ISessionsClientV1 } from '../../src/clients/version1/ISessionsClientV1';
import { SessionsCommandableGrpcClientV1 } from '../../src/clients/version1/SessionsCommandableGrpcClientV1';
import { SessionsCommandableHttpClientV1 } from '../../src/clients/version1/SessionsCommandableHttpClientV1';
import { SessionsGrpcClientV1 } from '../../src/clients/version1/SessionsGrpcClientV1';
import { SessionsProtoV1 } from '../../src/protos/SessionsProtoV1';
import { SessionsSenecaClientPlugin } from '../../src/services/version1/SessionsSenecaClientPlugin';
import { SenecaTestApp } from '../fixtures/SenecaTestApp';
import { freePort, TestService } from '../fixtures/TestService';

const KEY = 'the-one-key-of-every-api-0001';
const WRONG = 'not-the-key-of-any-api-00001';

/** How a test calls one command: over one API, presenting one key (or none). */
type Call = (command: string, args: Record<string, unknown>) => Promise<unknown>;

/** Every command of the service, with arguments that are valid for a session that exists. */
function everyCommand(sessionId: string): Array<[string, Record<string, unknown>]> {
    return [
        ['get_sessions', { filter: { user_id: 'walker' } }],
        ['get_session_by_id', { session_id: sessionId }],
        ['open_session', { user_id: 'walker' }],
        ['store_session_data', { session_id: sessionId, data: { n: 1 } }],
        ['update_session_user', { session_id: sessionId, user: { n: 2 } }],
        ['validate_session', { session_id: sessionId }],
        ['close_user_sessions', { user_id: 'nobody-to-close' }],
        ['close_session', { session_id: sessionId }],
        ['close_expired_sessions', {}],
        ['delete_session_by_id', { session_id: sessionId }]
    ];
}

/** The client methods of the commands, for the APIs that have a typed client. */
function viaClient(client: ISessionsClientV1): Call {
    return async (command, args) => {
        const id = args.session_id as string;
        switch (command) {
            case 'get_sessions': return await client.getSessions(null);
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

async function failure(promise: Promise<unknown>): Promise<{ code?: string; status?: number } | null> {
    return await promise.then(() => null, (err: { code?: string; status?: number }) => err);
}

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
            MEMORY_ENABLED: 'true', HTTP_API_KEY: KEY,
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
                for (const [command, args] of everyCommand(opened.body.id)) {
                    const error = await failure(call(command, args));
                    expect(error, api + ' ' + command + ' with ' + (key ?? 'no key')).to.not.equal(null);
                    expect([error!.code, error!.status], api + ' ' + command).to.deep.equal(['UNAUTHORIZED', 401]);
                    refused.push(api + ' ' + command);
                }
            }
        }
        expect(refused.length, '10 commands x 4 APIs x 2 keys').to.equal(80);
        expect(await sessionCount(), 'nothing ran').to.equal(before);
        const untouched = await service.call('get_session_by_id', { session_id: opened.body.id },
            { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
        expect(untouched.body.active, 'the session was neither closed nor deleted').to.equal(true);
    });

    it('runs every command on every API with the right key', async () => {
        for (const [api, call] of await callers(KEY)) {
            const opened = await service.call('open_session', { user_id: 'walker' }, { headers: { 'Content-Type': 'application/json', 'x-api-key': KEY } });
            for (const [command, args] of everyCommand(opened.body.id)) {
                const error = await failure(call(command, args));
                expect(error, api + ' ' + command).to.equal(null);
            }
        }
    });

    it('answers gRPC calls without the key with the status UNAUTHENTICATED, on both gRPC APIs', async () => {
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
        } finally {
            plain.close();
            commandable.close();
        }
    });
});
