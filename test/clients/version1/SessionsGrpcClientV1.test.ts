import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import {
    BadRequestException, ConnectionException, FilterParams, InvalidStateException, PagingParams
} from 'pip-services3-commons-nodex';

import { SessionsGrpcClientV1 } from '../../../src';
import { SessionsProtoV1 } from '../../../src/protos/SessionsProtoV1';
import { GrpcTestService } from '../../fixtures/GrpcTestService';
import { freePort, TestService } from '../../fixtures/TestService';
import { SessionsClientV1Fixture } from './SessionsClientV1Fixture';
import { rejection } from '../../fixtures/Rejection';

const EXPIRE_TIMEOUT = 1500;

async function openClient(config: Record<string, unknown>): Promise<SessionsGrpcClientV1> {
    const client = new SessionsGrpcClientV1(config);
    await client.open(null);
    return client;
}

/** Exposes the address the client resolved. */
class AddressProbe extends SessionsGrpcClientV1 {
    public get uri(): string | null {
        return this._uri;
    }
}

describe('SessionsGrpcClientV1', () => {
    describe('against the service started in process (memory store)', () => {
        let service: TestService;
        let client: SessionsGrpcClientV1;

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

            const badJson = await rejection(client.getSessions('corr-2', FilterParams.fromTuples('to_time', 'never'), new PagingParams(0, 5)));
            expect(badJson.code).to.equal('INVALID_DATA');
            expect(badJson.details).to.deep.include({ field: 'filter.to_time' });
        });

        it('carries user and data as JSON text: null and plain strings survive, undefined is not given', async () => {
            const opened = await client.openSession(null, 'json', undefined, undefined, undefined, null, [1, 'two']);
            expect(opened.user).to.equal(null);
            expect(opened.data).to.deep.equal([1, 'two']);
            const stored = await client.storeSessionData(null, opened.id, 'plain text');
            expect(stored!.data).to.equal('plain text');
            const missing = await rejection(client.storeSessionData('corr-4', opened.id, undefined));
            expect(missing.code).to.equal('INVALID_DATA');
            expect(missing.details).to.deep.include({ field: 'data' });
        });

        it('asks for the default page size when paging has no take, and counts only when asked', async () => {
            const userId = 'paging-' + Date.now();
            await client.openSession(null, userId);
            const page = await client.getSessions(null, FilterParams.fromTuples('user_id', userId), new PagingParams(undefined, undefined, false));
            expect(page.data).to.have.length(1);
            expect(page.total == null).to.equal(true);
            const none = await client.getSessions(null, FilterParams.fromTuples('user_id', 'nobody-' + Date.now()), new PagingParams(0, 10, true));
            expect(none.total).to.equal(0);
        });

        it('turns a message over the service limit (1 MB) into PAYLOAD_TOO_LARGE 413, and the session is unchanged', async () => {
            const opened = await client.openSession(null, 'big');
            const error = await rejection(client.storeSessionData('corr-3', opened.id, { blob: 'x'.repeat(1100 * 1024) }));
            expect(error).to.be.instanceOf(BadRequestException);
            expect(error.code).to.equal('PAYLOAD_TOO_LARGE');
            expect(error.status).to.equal(413);
            expect((await client.getSessionById(null, opened.id))!.data).to.equal(null);
        });

        it('fails with NOT_OPENED before open() and after close()', async () => {
            const port = await freePort();
            const closed = new SessionsGrpcClientV1({ connection: { host: '127.0.0.1', port } });
            const before = await rejection(closed.getSessionById(null, 's1'));
            expect(before).to.be.instanceOf(InvalidStateException);
            expect(before.code).to.equal('NOT_OPENED');
            await closed.open(null);
            await closed.close(null);
            expect((await rejection(closed.getSessionById(null, 's1'))).code).to.equal('NOT_OPENED');
        });
    });

    describe('transport failures', () => {
        it('defaults to localhost:8090, the service default', async () => {
            const client = new AddressProbe();
            await client.open(null);
            try {
                expect(client.uri).to.equal('http://localhost:8090');
            } finally {
                await client.close(null);
            }
        });

        it('turns a service that cannot be reached into CONNECTION_FAILED 503 naming the address', async () => {
            const port = await freePort();
            // A timeout far beyond the bound below: waiting for it could not pass, however loaded the machine.
            const client = await openClient({ connection: { host: '127.0.0.1', port }, options: { timeout: 60000 } });
            try {
                const started = Date.now();
                const error = await rejection(client.getSessionById('c1', 's1'));
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('CONNECTION_FAILED');
                expect(error.status).to.equal(503);
                expect(error.message).to.contain('127.0.0.1:' + port);
                expect(error.correlation_id).to.equal('c1');
                expect(Date.now() - started, 'fails fast, without waiting for the timeout').to.be.below(15000);
            } finally {
                await client.close(null);
            }
        });

        it('turns a service that never answers into REQUEST_TIMEOUT 504 after options.timeout', async () => {
            const silent = new grpc.Server();
            silent.addService(SessionsProtoV1.sessions().service, {
                get_session_by_id: () => { /* never answers */ }
            });
            const port = await new Promise<number>((resolve, reject) => silent.bindAsync('127.0.0.1:0',
                grpc.ServerCredentials.createInsecure(), (err, bound) => err ? reject(err) : resolve(bound)));
            const client = await openClient({ connection: { host: '127.0.0.1', port }, options: { timeout: 300 } });
            try {
                const started = Date.now();
                const error = await rejection(client.getSessionById(null, 's1'));
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('REQUEST_TIMEOUT');
                expect(error.status).to.equal(504);
                // Not before the timeout; the upper bound only catches a hang (timers stretch under load).
                expect(Date.now() - started).to.be.at.least(250).and.below(15000);
            } finally {
                await client.close(null);
                silent.forceShutdown();
            }
        });

        it('turns a status without the service\'s error description into UNEXPECTED_REPLY', async () => {
            const other = new grpc.Server();
            other.addService(SessionsProtoV1.sessions().service, {
                close_session: (call: unknown, callback: grpc.sendUnaryData<unknown>) =>
                    callback({ code: grpc.status.FAILED_PRECONDITION, details: 'not today' })
            });
            const port = await new Promise<number>((resolve, reject) => other.bindAsync('127.0.0.1:0',
                grpc.ServerCredentials.createInsecure(), (err, bound) => err ? reject(err) : resolve(bound)));
            const client = await openClient({ connection: { host: '127.0.0.1', port } });
            try {
                const error = await rejection(client.closeSession(null, 's1'));
                expect(error.code).to.equal('UNEXPECTED_REPLY');
                expect(error.message).to.contain('FAILED_PRECONDITION').and.to.contain('not today');
                const missing = await rejection(client.getSessionById(null, 's1'));
                expect(missing.code).to.equal('UNEXPECTED_REPLY');
                expect(missing.message).to.contain('UNIMPLEMENTED');
            } finally {
                await client.close(null);
                other.forceShutdown();
            }
        });
    });
});
