import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
    BadRequestException, ConnectionException, InvalidStateException, InvocationException
} from 'pip-services3-commons-nodex';

import { SessionsCommandableGrpcClientV1 } from '../../../src';
import { InvokeReplyMessage, SessionsProtoV1 } from '../../../src/protos/SessionsProtoV1';
import { GrpcTestService } from '../../fixtures/GrpcTestService';
import { freePort, TestService } from '../../fixtures/TestService';
import { SessionsClientV1Fixture } from './SessionsClientV1Fixture';
import { rejection } from '../../fixtures/Rejection';

const EXPIRE_TIMEOUT = 1500;

async function openClient(config: Record<string, unknown>): Promise<SessionsCommandableGrpcClientV1> {
    const client = new SessionsCommandableGrpcClientV1(config);
    await client.open(null);
    return client;
}

/** A commandable server that answers every call with the given reply, as another service might. */
async function startFakeServer(reply: () => InvokeReplyMessage): Promise<{ port: number; server: grpc.Server }> {
    const server = new grpc.Server();
    server.addService(SessionsProtoV1.commandable().service, {
        invoke: (call: unknown, callback: grpc.sendUnaryData<InvokeReplyMessage>) => callback(null, reply())
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0',
        grpc.ServerCredentials.createInsecure(), (err, bound) => err ? reject(err) : resolve(bound)));
    return { port, server };
}

describe('SessionsCommandableGrpcClientV1', () => {
    describe('against the service started in process (memory store)', () => {
        let service: TestService;
        let client: SessionsCommandableGrpcClientV1;

        before(async () => {
            const started = await GrpcTestService.start({ EXPIRE_TIMEOUT: String(EXPIRE_TIMEOUT) });
            service = started.service;
            client = await openClient({ connection: { host: '127.0.0.1', port: started.port } });
        });

        after(async () => {
            await client?.close(null);
            await service?.stop();
        });

        SessionsClientV1Fixture.describeSharedBehaviour(() => client, EXPIRE_TIMEOUT);

        it('rejects with the toolkit exception of the service error: code, status, details and correlation id', async () => {
            const error = await rejection(client.openSession('corr-1', ''));
            expect(error).to.be.instanceOf(BadRequestException);
            expect(error.code).to.equal('INVALID_DATA');
            expect(error.status).to.equal(400);
            expect(error.details).to.deep.include({ field: 'user_id' });
            expect(error.correlation_id).to.equal('corr-1');
            expect(error.stack_trace, 'no stack from the service').to.equal(undefined);

            const wrongType = await rejection(client.getSessionById('corr-2', 7 as unknown as string));
            expect(wrongType.code).to.equal('INVALID_DATA');
            expect(wrongType.details).to.deep.include({ field: 'session_id' });
            expect(wrongType.correlation_id).to.equal('corr-2');
        });

        it('turns a message over the service limit (1 MB) into PAYLOAD_TOO_LARGE 413', async () => {
            const opened = await client.openSession(null, 'big');
            const error = await rejection(client.storeSessionData(null, opened.id, { blob: 'x'.repeat(1100 * 1024) }));
            expect(error.code).to.equal('PAYLOAD_TOO_LARGE');
            expect(error.status).to.equal(413);
            expect((await client.getSessionById(null, opened.id))!.data).to.equal(null);
        });

        it('fails with NOT_OPENED before open()', async () => {
            const closed = new SessionsCommandableGrpcClientV1({ connection: { host: '127.0.0.1', port: 1 } });
            const error = await rejection(closed.closeExpiredSessions(null));
            expect(error).to.be.instanceOf(InvalidStateException);
            expect(error.code).to.equal('NOT_OPENED');
        });
    });

    describe('failures that are not the service\'s', () => {
        it('turns a service that cannot be reached into CONNECTION_FAILED 503', async () => {
            const port = await freePort();
            const client = await openClient({ connection: { host: '127.0.0.1', port }, options: { timeout: 3000 } });
            try {
                const error = await rejection(client.getSessionById('c1', 's1'));
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('CONNECTION_FAILED');
                expect(error.status).to.equal(503);
                expect(error.message).to.contain('127.0.0.1:' + port);
            } finally {
                await client.close(null);
            }
        });

        it('keeps the status of an error reply (the class default would say 500) and rejects replies that are not sessions', async () => {
            let reply: InvokeReplyMessage = {
                error: {
                    category: 'NoResponse', code: 'DATABASE_UNAVAILABLE', correlation_id: '', status: 503,
                    message: 'The service is temporarily unavailable', cause: '', stack_trace: '', details: {}
                },
                result_empty: true, result_json: ''
            };
            const fake = await startFakeServer(() => reply);
            const client = await openClient({ connection: { host: '127.0.0.1', port: fake.port } });
            try {
                const unavailable = await rejection(client.getSessions('c1'));
                expect(unavailable).to.be.instanceOf(ConnectionException);
                expect(unavailable.code).to.equal('DATABASE_UNAVAILABLE');
                expect(unavailable.status).to.equal(503);
                expect(unavailable.correlation_id).to.equal('c1');

                reply = { error: null, result_empty: false, result_json: 'not json' };
                const notJson = await rejection(client.getSessionById(null, 's1'));
                expect(notJson).to.be.instanceOf(InvocationException);
                expect(notJson.code).to.equal('INVALID_REPLY');

                reply = { error: null, result_empty: false, result_json: JSON.stringify({ name: 'not a session' }) };
                expect((await rejection(client.getSessionById(null, 's1'))).code).to.equal('INVALID_REPLY');
            } finally {
                await client.close(null);
                fake.server.forceShutdown();
            }
        });
    });
});
