import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { expect } from 'chai';
import { ConfigParams, ConnectionException, Descriptor, ICommandable, References } from 'pip-services3-commons-nodex';

import { ISessionsController, SessionsCommandSet, SessionsGrpcEndpoint, SessionsGrpcServiceV1, SessionV1 } from '../../../src';
import { SessionsProtoV1 } from '../../../src/protos/SessionsProtoV1';
import { SessionsGrpcErrorsV1 } from '../../../src/services/version1/SessionsGrpcErrorsV1';
import { GrpcTestService } from '../../fixtures/GrpcTestService';
import { freePort, TestService } from '../../fixtures/TestService';

/**
 * The original's contract (service-sessions-node 1.1.1, src/protos/sessions_v1.proto):
 * every message with its fields' names, numbers and types, and every method.
 */
const ORIGINAL_CONTRACT: Record<string, string> = {
    'sessions_v1.ErrorDescription': 'type=1:string category=2:string code=3:string correlation_id=4:string status=5:string message=6:string cause=7:string stack_trace=8:string details=9:repeated Details',
    'sessions_v1.PagingParams': 'skip=1:int64 take=2:int32 total=3:bool',
    'sessions_v1.Session': 'id=1:string user_id=2:string user_name=3:string active=4:bool open_time=5:string close_time=6:string request_time=7:string address=8:string client=9:string user=11:string data=12:string',
    'sessions_v1.SessionPage': 'total=1:int64 data=2:repeated Session',
    'sessions_v1.Sessions': 'get_sessions:/sessions_v1.Sessions/get_sessions(SessionPageRequest)->SessionPageReply get_session_by_id:/sessions_v1.Sessions/get_session_by_id(SessionIdRequest)->SessionObjectReply open_session:/sessions_v1.Sessions/open_session(SessionOpenRequest)->SessionObjectReply store_session_data:/sessions_v1.Sessions/store_session_data(SessionStoreDataRequest)->SessionObjectReply update_session_user:/sessions_v1.Sessions/update_session_user(SessionUpdateUserRequest)->SessionObjectReply close_session:/sessions_v1.Sessions/close_session(SessionIdRequest)->SessionObjectReply close_expired_sessions:/sessions_v1.Sessions/close_expired_sessions(SessionEmptyRequest)->SessionEmptyReply delete_session_by_id:/sessions_v1.Sessions/delete_session_by_id(SessionIdRequest)->SessionObjectReply',
    'sessions_v1.SessionPageRequest': 'correlation_id=1:string filter=2:repeated Filter paging=3:PagingParams',
    'sessions_v1.SessionPageReply': 'error=1:ErrorDescription page=2:SessionPage',
    'sessions_v1.SessionIdRequest': 'correlation_id=1:string session_id=2:string',
    'sessions_v1.SessionOpenRequest': 'correlation_id=1:string user_id=2:string user_name=3:string address=4:string client=5:string user=6:string data=7:string',
    'sessions_v1.SessionStoreDataRequest': 'correlation_id=1:string session_id=2:string data=3:string',
    'sessions_v1.SessionUpdateUserRequest': 'correlation_id=1:string session_id=2:string user=3:string',
    'sessions_v1.SessionEmptyRequest': 'correlation_id=1:string',
    'sessions_v1.SessionObjectRequest': 'correlation_id=1:string session=2:Session',
    'sessions_v1.SessionObjectReply': 'error=1:ErrorDescription session=2:Session',
    'sessions_v1.SessionEmptyReply': 'error=1:ErrorDescription'
};

/** What this service adds, with new numbers and names only: appended to a message or service, or new. */
const ADDITIONS: Record<string, string> = {
    'sessions_v1.Session': 'close_reason=13:string expires_at=14:string',
    'sessions_v1.Sessions': 'close_user_sessions:/sessions_v1.Sessions/close_user_sessions(SessionCloseUserRequest)->SessionCloseUserReply'
        + ' validate_session:/sessions_v1.Sessions/validate_session(SessionIdRequest)->SessionObjectReply',
    'sessions_v1.SessionCloseUserRequest': 'correlation_id=1:string user_id=2:string except_session_id=3:string',
    'sessions_v1.SessionCloseUserReply': 'error=1:ErrorDescription closed=2:int64'
};

interface FieldDescriptor { name: string; number: number; label: string; type: string; typeName: string }
interface MethodDescriptor { path: string; requestType: { type: { name: string } }; responseType: { type: { name: string } } }

/** The contract of a .proto in the same notation as ORIGINAL_CONTRACT. */
function contractOf(file: string): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(protoLoader.loadSync(file, { keepCase: true }))) {
        if ('format' in value) {
            const fields = (value.type as { field: FieldDescriptor[] }).field;
            result[name] = fields.map(field => field.name + '=' + field.number + ':'
                + (field.label === 'LABEL_REPEATED' ? 'repeated ' : '')
                + (field.type === 'TYPE_MESSAGE' ? field.typeName : field.type.replace('TYPE_', '').toLowerCase())).join(' ');
        } else {
            result[name] = Object.entries(value as unknown as Record<string, MethodDescriptor>).map(([method, definition]) =>
                method + ':' + definition.path + '(' + definition.requestType.type.name + ')->' + definition.responseType.type.name).join(' ');
        }
    }
    return result;
}

/** A call's outcome: the reply, or the status with its code, details and the service's error description. */
interface Outcome<T> {
    reply?: T;
    code?: grpc.status;
    details?: string;
    error?: Record<string, unknown>;
    metadata?: grpc.Metadata;
}

// Tests read replies of several shapes; each asserts the fields it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyReply = any;

type UnaryMethod = (request: unknown, options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, reply: AnyReply) => void) => void;

/** A client on the bare contract, as another language's generated stub would call. */
class RawClient {
    private readonly _client: grpc.Client;

    public constructor(port: number) {
        const Client = SessionsProtoV1.sessions();
        this._client = new Client('127.0.0.1:' + port, grpc.credentials.createInsecure());
    }

    public async call(method: string, request: Record<string, unknown>): Promise<Outcome<AnyReply>> {
        const unary = (this._client as unknown as Record<string, UnaryMethod>)[method];
        return await new Promise(resolve => {
            unary.call(this._client, request, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, reply: AnyReply) => {
                resolve(err == null ? { reply } : RawClient.outcome(err));
            });
        });
    }

    /** Sends bytes as they are, to a method of the contract. */
    public async raw(path: string, bytes: Buffer): Promise<Outcome<Buffer>> {
        return await new Promise(resolve => {
            this._client.makeUnaryRequest(path, (value: Buffer) => value, (value: Buffer) => value, bytes, new grpc.Metadata(),
                { deadline: Date.now() + 5000 }, (err, reply) => resolve(err == null ? { reply: reply as Buffer } : RawClient.outcome(err)));
        });
    }

    public close(): void {
        this._client.close();
    }

    private static outcome(err: grpc.ServiceError): Outcome<never> {
        const value = err.metadata.get(SessionsProtoV1.errorMetadataKey)[0];
        const error = value != null ? JSON.parse(value.toString()) as Record<string, unknown> : undefined;
        return { code: err.code, details: err.details, error, metadata: err.metadata };
    }
}

/** Everything a caller can see of a failure, as one string to search for leaks. */
function visible(outcome: Outcome<unknown>): string {
    return JSON.stringify({ details: outcome.details, metadata: outcome.metadata?.toJSON(), error: outcome.error });
}

describe('SessionsGrpcServiceV1 (sessions_v1.Sessions)', () => {
    it('keeps the original contract: package, service, methods, messages, field names and numbers', () => {
        const expected = { ...ORIGINAL_CONTRACT };
        for (const [name, added] of Object.entries(ADDITIONS)) {
            expected[name] = expected[name] != null ? expected[name] + ' ' + added : added;
        }
        expect(contractOf(SessionsProtoV1.sessionsProtoPath)).to.deep.equal(expected);
    });

    describe('over gRPC, memory store', () => {
        let service: TestService;
        let client: RawClient;

        before(async () => {
            const started = await GrpcTestService.start();
            service = started.service;
            client = new RawClient(started.port);
        });

        after(async () => {
            client?.close();
            await service?.stop();
        });

        it('runs every method with the original messages', async () => {
            const opened = await client.call('open_session', {
                correlation_id: 'c1', user_id: 'u-grpc', user_name: 'Ann', address: '10.0.0.1', client: 'web',
                user: JSON.stringify({ roles: ['admin'] }), data: JSON.stringify({ theme: 'dark' })
            });
            const session = opened.reply.session;
            expect(session.id).to.match(/^[0-9a-f]{32}$/);
            expect(session).to.include({ user_id: 'u-grpc', user_name: 'Ann', address: '10.0.0.1', client: 'web', active: true, close_time: '' });
            expect(new Date(session.open_time).toISOString()).to.equal(session.open_time);
            expect(JSON.parse(session.user)).to.deep.equal({ roles: ['admin'] });
            expect(opened.reply.error).to.equal(null);

            const got = await client.call('get_session_by_id', { session_id: session.id });
            expect(got.reply.session).to.deep.equal(session);

            const stored = await client.call('store_session_data', { session_id: session.id, data: JSON.stringify({ theme: 'light' }) });
            expect(JSON.parse(stored.reply.session.data)).to.deep.equal({ theme: 'light' });
            const updated = await client.call('update_session_user', { session_id: session.id, user: '"ann"' });
            expect(updated.reply.session.user).to.equal('"ann"');

            const page = await client.call('get_sessions', {
                filter: { user_id: 'u-grpc', active: 'true' }, paging: { skip: 0, take: 10, total: true }
            });
            expect(page.reply.page.total).to.equal(1);
            expect(page.reply.page.data.map((item: SessionV1) => item.id)).to.deep.equal([session.id]);
            expect(page.reply.page.data[0]).to.include({ user: '', data: '' });

            const closed = await client.call('close_session', { session_id: session.id });
            expect(closed.reply.session).to.include({ active: false, user: 'null', data: 'null' });
            expect(closed.reply.session.close_time).to.not.equal('');

            expect((await client.call('close_expired_sessions', {})).reply).to.deep.equal({ error: null });
            const deleted = await client.call('delete_session_by_id', { session_id: session.id });
            expect(deleted.reply.session.id).to.equal(session.id);
            const gone = await client.call('get_session_by_id', { session_id: session.id });
            expect(gone.reply).to.deep.equal({ error: null, session: null });

            const metrics = await (await fetch(service.url + '/metrics')).text();
            expect(metrics, 'counted in the metrics').to.match(/^sessions_requests_total\{api="grpc",command="open_session",status="200"\} 1$/m);
            expect(metrics).to.match(/^sessions_requests_total\{api="grpc",command="get_session_by_id",status="204"\} 1$/m);
        });

        it('answers missing and wrong arguments with INVALID_ARGUMENT and the service error in the trailer, changing nothing', async () => {
            const missing = await client.call('get_session_by_id', { correlation_id: 'c2' });
            expect(missing.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(missing.details).to.contain('session_id');
            expect(missing.error).to.deep.equal({
                category: 'BadRequest', status: 400, code: 'INVALID_DATA', message: missing.details,
                details: { field: 'session_id', fields: 'session_id' }, correlation_id: 'c2'
            });

            const noUser = await client.call('open_session', { user_id: '', user_name: 'Ann' });
            expect(noUser.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(noUser.error).to.deep.include({ code: 'INVALID_DATA' });

            const notJson = await client.call('open_session', { user_id: 'u1', data: '{oops' });
            expect(notJson.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(notJson.error).to.deep.include({ code: 'INVALID_JSON', details: { field: 'data' } });

            const polluted = await client.call('update_session_user', { session_id: 's1', user: '{"__proto__": {"admin": true}}' });
            expect(polluted.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(polluted.error).to.deep.include({ code: 'INVALID_JSON' });
            expect(({} as Record<string, unknown>).admin).to.equal(undefined);

            const badFilter = await client.call('get_sessions', { filter: { from_time: 'yesterday' } });
            expect(badFilter.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(badFilter.error).to.deep.include({ code: 'INVALID_DATA' });
            expect((badFilter.error!.details as Record<string, string>).field).to.equal('filter.from_time');

            const page = await client.call('get_sessions', { filter: { user_id: 'u1' } });
            expect(page.reply.page.data).to.deep.equal([]);
        });

        it('answers bytes that are not the method\'s message with INVALID_ARGUMENT, an unknown method with UNIMPLEMENTED', async () => {
            const garbage = await client.raw('/sessions_v1.Sessions/get_session_by_id', Buffer.from([0xff, 0xff, 0xff, 0xff]));
            expect(garbage.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(garbage.error).to.deep.include({ code: 'INVALID_MESSAGE', status: 400 });
            // Field 2 (session_id, a string) sent as a number: the field is dropped, so it is missing.
            const wrongType = await client.raw('/sessions_v1.Sessions/get_session_by_id', Buffer.from([0x10, 0x07]));
            expect(wrongType.code).to.equal(grpc.status.INVALID_ARGUMENT);
            expect(wrongType.error).to.deep.include({ code: 'INVALID_DATA' });
            const unknown = await client.raw('/sessions_v1.Sessions/drop_all_sessions', Buffer.alloc(0));
            expect(unknown.code).to.equal(grpc.status.UNIMPLEMENTED);
        });

        it('refuses a message over request_max_size (1 MB) with RESOURCE_EXHAUSTED and keeps serving', async () => {
            const opened = await client.call('open_session', { user_id: 'big' });
            const huge = await client.call('store_session_data', {
                session_id: opened.reply.session.id, data: JSON.stringify('x'.repeat(1100 * 1024))
            });
            expect(huge.code).to.equal(grpc.status.RESOURCE_EXHAUSTED);
            const after = await client.call('get_session_by_id', { session_id: opened.reply.session.id });
            expect(after.reply.session.data).to.equal('null');
        });

        it('keeps serving after a run of bad calls', async () => {
            const bad: Array<Promise<unknown>> = [];
            for (let index = 0; index < 50; index++) {
                bad.push(client.raw('/sessions_v1.Sessions/open_session', Buffer.from([0x0a, 0x80 + index])));
                bad.push(client.call('get_sessions', { paging: { skip: -1, take: -5 } }));
            }
            await Promise.all(bad);
            const opened = await client.call('open_session', { user_id: 'after-bad-calls' });
            expect(opened.reply.session.user_id).to.equal('after-bad-calls');
        });
    });

    describe('faults of the service', () => {
        const failure = { error: new Error('boom') as Error };

        /** The logic the commands call: every method fails with failure.error. */
        const failingLogic = new Proxy({}, {
            get: () => async () => { throw failure.error; }
        }) as ISessionsController;

        let endpoint: SessionsGrpcEndpoint;
        let service: SessionsGrpcServiceV1;
        let client: RawClient;

        before(async () => {
            const controller: ICommandable = { getCommandSet: () => new SessionsCommandSet(failingLogic) };
            endpoint = new SessionsGrpcEndpoint();
            endpoint.configure(ConfigParams.fromTuples('connection.host', '127.0.0.1', 'connection.port', await freePort()));
            service = new SessionsGrpcServiceV1();
            service.configure(new ConfigParams());
            const references = References.fromTuples(
                new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller,
                new Descriptor('pip-services', 'endpoint', 'grpc', 'default', '1.0'), endpoint);
            endpoint.setReferences(references);
            service.setReferences(references);
            await endpoint.open('test');
            await service.open('test');
            client = new RawClient(endpoint.port!);
        });

        after(async () => {
            client?.close();
            await service?.close('test');
            await endpoint?.close('test');
        });

        it('answers a fault with INTERNAL and a generic message: no stack, cause or path', async () => {
            failure.error = new Error('ENOENT: no such file /srv/secret/path.json');
            const outcome = await client.call('get_session_by_id', { session_id: 's1', correlation_id: 'c9' });
            expect(outcome.code).to.equal(grpc.status.INTERNAL);
            expect(outcome.error).to.include({ code: 'INTERNAL_ERROR', status: 500, correlation_id: 'c9' });
            expect(visible(outcome)).to.not.match(/secret|ENOENT|at .*\.js|stack/);
        });

        it('answers an unavailable database with UNAVAILABLE and its code', async () => {
            failure.error = new ConnectionException('c', 'DATABASE_UNAVAILABLE', 'connect ECONNREFUSED 10.1.2.3:27017').withStatus(503);
            const outcome = await client.call('get_sessions', {});
            expect(outcome.code).to.equal(grpc.status.UNAVAILABLE);
            expect(outcome.error).to.include({ code: 'DATABASE_UNAVAILABLE', status: 503 });
            expect(visible(outcome)).to.not.contain('10.1.2.3');
        });
    });

    it('maps the HTTP statuses of errors to gRPC codes', () => {
        const expected: Array<[number, grpc.status]> = [
            [400, grpc.status.INVALID_ARGUMENT], [401, grpc.status.UNAUTHENTICATED], [403, grpc.status.PERMISSION_DENIED],
            [404, grpc.status.NOT_FOUND], [405, grpc.status.UNIMPLEMENTED], [409, grpc.status.ABORTED],
            [413, grpc.status.RESOURCE_EXHAUSTED], [422, grpc.status.INVALID_ARGUMENT], [500, grpc.status.INTERNAL],
            [501, grpc.status.UNIMPLEMENTED], [503, grpc.status.UNAVAILABLE], [504, grpc.status.DEADLINE_EXCEEDED]
        ];
        for (const [status, code] of expected) expect(SessionsGrpcErrorsV1.statusCode(status), String(status)).to.equal(code);
    });
});
