import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expect } from 'chai';
import { ApplicationExceptionFactory, ConfigParams, Descriptor, ErrorDescription, ICommandable, References } from 'pip-services3-commons-nodex';

import {
    ISessionsController, SessionsCommandableGrpcServiceV1, SessionsCommandSet, SessionsController, SessionsGrpcEndpoint,
    SessionsMemoryPersistence
} from '../../../src';
import { InvokeReplyMessage, SessionsProtoV1 } from '../../../src/protos/SessionsProtoV1';
import { GrpcTestService } from '../../fixtures/GrpcTestService';
import { freePort, TestService } from '../../fixtures/TestService';
import { TEST_AUDIT_KEY } from '../../fixtures/TestAuditKey';

/** A call's outcome: the reply (with its result parsed), or the gRPC status of a failed call. */
interface Outcome {
    reply?: InvokeReplyMessage;
    // Results of several shapes; each test asserts the fields it relies on.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    result?: any;
    code?: grpc.status;
}

type InvokeMethod = (request: unknown, options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, reply: InvokeReplyMessage) => void) => void;

/** commandable.Commandable/invoke on the bare contract. */
class InvokeClient {
    private readonly _client: grpc.Client;

    public constructor(port: number) {
        const Client = SessionsProtoV1.commandable();
        this._client = new Client('127.0.0.1:' + port, grpc.credentials.createInsecure());
    }

    public async invoke(method: string, args: unknown, correlationId = ''): Promise<Outcome> {
        return await this.send({
            method: method, correlation_id: correlationId,
            args_empty: args === undefined, args_json: args === undefined ? '' : typeof args === 'string' ? args : JSON.stringify(args)
        });
    }

    public async send(request: Record<string, unknown>): Promise<Outcome> {
        const invoke = (this._client as unknown as { invoke: InvokeMethod }).invoke;
        return await new Promise(resolve => {
            invoke.call(this._client, request, { deadline: Date.now() + 5000 }, (err, reply) => {
                if (err != null) resolve({ code: err.code });
                else resolve({ reply, result: reply.result_json !== '' ? JSON.parse(reply.result_json) : null });
            });
        });
    }

    public async raw(bytes: Buffer): Promise<Outcome> {
        const deserialize = SessionsProtoV1.commandable().service.invoke.responseDeserialize;
        return await new Promise(resolve => {
            this._client.makeUnaryRequest('/commandable.Commandable/invoke', (value: Buffer) => value, deserialize, bytes,
                new grpc.Metadata(), { deadline: Date.now() + 5000 },
                (err, reply) => resolve(err != null ? { code: err.code } : { reply: reply as InvokeReplyMessage }));
        });
    }

    public close(): void {
        this._client.close();
    }
}

/**
 * A caller as the toolkit's CommandableGrpcClient (on which client-sessions-node's client
 * is built) makes it, on bare @grpc/grpc-js: commandable.proto as shipped with the toolkit,
 * loaded with the toolkit client's loader options; its request (args_json null for no
 * arguments); its reading of the reply (an error becomes ApplicationExceptionFactory's
 * exception, an empty result null). The toolkit's class itself is not loaded: its module
 * pulls restify, which does not load on Node 24.
 */
class ToolkitClient {
    private readonly _client: grpc.Client;

    public constructor(port: number) {
        const definition = protoLoader.loadSync(SessionsProtoV1.commandableProtoPath,
            { keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: true });
        const commandable = grpc.loadPackageDefinition(definition).commandable as grpc.GrpcObject;
        const Client = commandable.Commandable as grpc.ServiceClientConstructor;
        this._client = new Client('127.0.0.1:' + port, grpc.credentials.createInsecure());
    }

    public async run<T>(name: string, correlationId: string, args: unknown): Promise<T | null> {
        const request = {
            method: 'v1/sessions.' + name,
            correlation_id: correlationId,
            args_empty: args == null,
            args_json: args != null ? JSON.stringify(args) : null
        };
        const invoke = (this._client as unknown as { invoke: InvokeMethod }).invoke;
        const reply = await new Promise<InvokeReplyMessage>((resolve, reject) => {
            invoke.call(this._client, request, { deadline: Date.now() + 5000 }, (err, value) => err != null ? reject(err) : resolve(value));
        });
        if (reply.error != null) throw ApplicationExceptionFactory.create(Object.assign(new ErrorDescription(), reply.error));
        if (reply.result_empty || reply.result_json == null) return null;
        return JSON.parse(reply.result_json) as T;
    }

    public close(): void {
        this._client.close();
    }
}

describe('SessionsCommandableGrpcServiceV1 (commandable.Commandable)', () => {
    describe('over gRPC, memory store', () => {
        let service: TestService;
        let port: number;
        let client: InvokeClient;

        before(async () => {
            const started = await GrpcTestService.start();
            service = started.service;
            port = started.port;
            client = new InvokeClient(port);
        });

        after(async () => {
            client?.close();
            await service?.stop();
        });

        it('runs every command with the original method names and argument names', async () => {
            const opened = await client.invoke('v1/sessions.open_session', {
                user_id: 'u-cmd', user_name: 'Ann', address: '10.0.0.1', client: 'web', user: { roles: ['admin'] }, data: { theme: 'dark' }
            }, 'c1');
            expect(opened.reply!.error).to.equal(null);
            const session = opened.result;
            expect(session).to.include({ user_id: 'u-cmd', user_name: 'Ann', active: true });
            expect(session.data).to.deep.equal({ theme: 'dark' });

            expect((await client.invoke('v1/sessions.get_session_by_id', { session_id: session.id })).result).to.deep.equal(session);
            const stored = await client.invoke('v1/sessions.store_session_data', { session_id: session.id, data: { theme: 'light' } });
            expect(stored.result.data).to.deep.equal({ theme: 'light' });
            const updated = await client.invoke('v1/sessions.update_session_user', { session_id: session.id, user: { roles: [] } });
            expect(updated.result.user).to.deep.equal({ roles: [] });
            const page = await client.invoke('v1/sessions.get_sessions', { filter: { user_id: 'u-cmd' }, paging: { total: true } });
            expect(page.result.total).to.equal(1);
            expect(page.result.data.map((item: { id: string }) => item.id)).to.deep.equal([session.id]);
            const closed = await client.invoke('v1/sessions.close_session', { session_id: session.id });
            expect(closed.result).to.include({ active: false, user: null, data: null });
            const expired = await client.invoke('v1/sessions.close_expired_sessions', undefined);
            expect(expired.reply).to.deep.include({ error: null, result_empty: true });
            expect((await client.invoke('v1/sessions.delete_session_by_id', { session_id: session.id })).result.id).to.equal(session.id);
            const gone = await client.invoke('v1/sessions.get_session_by_id', { session_id: session.id });
            expect(gone.reply).to.deep.include({ error: null, result_empty: true });

            const metrics = await (await fetch(service.url + '/metrics')).text();
            expect(metrics, 'counted in the metrics').to.match(
                /^sessions_requests_total\{api="commandable-grpc",command="open_session",status="200"\} 1$/m);
            expect(metrics).to.match(/^sessions_requests_total\{api="commandable-grpc",command="get_session_by_id",status="204"\} 1$/m);
        });

        it('answers bad arguments with an error reply in the HTTP API\'s shape, with the correlation id and no stack', async () => {
            const wrongType = await client.invoke('v1/sessions.get_session_by_id', { session_id: 7 }, 'c2');
            expect(wrongType.reply!.error).to.deep.equal({
                category: 'BadRequest', code: 'INVALID_DATA', correlation_id: 'c2', status: 400,
                message: 'Invalid arguments for get_session_by_id: session_id type must be string but found long',
                cause: '', stack_trace: '', details: { field: 'session_id', fields: 'session_id' }
            });
            expect(wrongType.reply!.result_empty).to.equal(true);

            const missing = await client.invoke('v1/sessions.open_session', undefined);
            expect(missing.reply!.error).to.deep.include({ code: 'INVALID_DATA', status: 400 });
            const notJson = await client.invoke('v1/sessions.open_session', '{"user_id": ');
            expect(notJson.reply!.error).to.deep.include({ code: 'INVALID_JSON', status: 400 });
            const notObject = await client.invoke('v1/sessions.open_session', '["u1"]');
            expect(notObject.reply!.error).to.deep.include({ code: 'INVALID_DATA', status: 400 });
            const polluted = await client.invoke('v1/sessions.open_session', '{"user_id": "u1", "__proto__": {"admin": true}}');
            expect(polluted.reply!.error).to.deep.include({ code: 'INVALID_JSON' });
            const page = await client.invoke('v1/sessions.get_sessions', { filter: { user_id: 'u1' } });
            expect(page.result.data, 'nothing was written').to.deep.equal([]);
        });

        it('answers an unknown method with METHOD_NOT_FOUND, and bytes that are no InvokeRequest with INVALID_MESSAGE', async () => {
            const unknown = await client.invoke('v1/sessions.drop_all', {}, 'c3');
            expect(unknown.reply!.error).to.deep.include({
                category: 'NotFound', code: 'METHOD_NOT_FOUND', status: 404, correlation_id: 'c3', stack_trace: '', cause: ''
            });
            expect(unknown.reply!.error!.message).to.match(/^Method v1\/sessions\.drop_all was not found\. The methods are: /)
                .and.contain('v1/sessions.open_session, ').and.contain('v1/sessions.close_expired_sessions');
            const garbage = await client.raw(Buffer.from([0xff, 0xff, 0xff]));
            expect(garbage.reply!.error).to.deep.include({ code: 'INVALID_MESSAGE', status: 400, stack_trace: '' });
        });

        it('refuses a message over request_max_size with RESOURCE_EXHAUSTED and keeps serving', async () => {
            const huge = await client.invoke('v1/sessions.open_session', { user_id: 'big', data: 'x'.repeat(1100 * 1024) });
            expect(huge.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
            const small = await client.invoke('v1/sessions.open_session', { user_id: 'small' });
            expect(small.result.user_id).to.equal('small');
        });

        it('works with calls as the toolkit client that client-sessions-node is built on makes them', async () => {
            const toolkit = new ToolkitClient(port);
            try {
                const opened = await toolkit.run<{ id: string; user_id: string }>('open_session', 't1', { user_id: 'toolkit' });
                expect(opened!.user_id).to.equal('toolkit');
                expect(await toolkit.run('get_session_by_id', 't2', { session_id: 'ffffffffffffffffffffffffffffffff' })).to.equal(null);
                let error: { code?: string; status?: number; stack_trace?: string } = {};
                try {
                    await toolkit.run('open_session', 't3', {});
                } catch (err) {
                    error = err as typeof error;
                }
                expect(error.code).to.equal('INVALID_DATA');
                expect(error.stack_trace).to.equal('');
            } finally {
                toolkit.close();
            }
        });
    });

    describe('faults of the service', () => {
        it('answer with a generic message, never the stack, cause or text of the fault', async () => {
            const failingLogic = new Proxy({}, {
                get: () => async () => { throw new Error('ENOENT: /srv/secret/sessions.json'); }
            }) as ISessionsController;
            const controller: ICommandable = { getCommandSet: () => new SessionsCommandSet(failingLogic) };
            const endpoint = new SessionsGrpcEndpoint();
            endpoint.configure(ConfigParams.fromTuples('connection.host', '127.0.0.1', 'connection.port', await freePort()));
            const service = new SessionsCommandableGrpcServiceV1();
            service.configure(new ConfigParams());
            const references = References.fromTuples(
                new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller,
                new Descriptor('pip-services', 'endpoint', 'grpc', 'default', '1.0'), endpoint);
            service.setReferences(references);
            await endpoint.open('test');
            const client = new InvokeClient(endpoint.port!);
            try {
                const outcome = await client.invoke('v1/sessions.get_sessions', {}, 'c4');
                expect(outcome.reply!.error).to.deep.include({
                    code: 'INTERNAL_ERROR', status: 500, correlation_id: 'c4', cause: '', stack_trace: ''
                });
                expect(JSON.stringify(outcome.reply)).to.not.match(/secret|ENOENT|\.js/);
            } finally {
                client.close();
                await endpoint.close('test');
            }
        });
    });

    it('opens an endpoint of its own when none is configured, from its own connection settings', async () => {
        const port = await freePort();
        const persistence = new SessionsMemoryPersistence();
        const controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
        const references = References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence,
            new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller);
        controller.setReferences(references);
        const service = new SessionsCommandableGrpcServiceV1();
        service.configure(ConfigParams.fromTuples('connection.protocol', 'http', 'connection.host', '127.0.0.1', 'connection.port', port));
        service.setReferences(references);
        await service.open('test');
        const client = new InvokeClient(port);
        try {
            const opened = await client.invoke('v1/sessions.open_session', { user_id: 'local' });
            expect(opened.result.user_id).to.equal('local');
            const unknown = await client.invoke('v1/sessions.nope', {});
            expect(unknown.reply!.error).to.deep.include({ code: 'METHOD_NOT_FOUND', stack_trace: '' });
        } finally {
            client.close();
            await service.close('test');
        }
        expect(service.isOpen()).to.equal(false);
        const late = new InvokeClient(port);
        try {
            const refused = await late.invoke('v1/sessions.open_session', { user_id: 'x' });
            expect(refused.code, 'its endpoint closed with it').to.equal(grpc.status.UNAVAILABLE);
        } finally {
            late.close();
        }
    });
});
