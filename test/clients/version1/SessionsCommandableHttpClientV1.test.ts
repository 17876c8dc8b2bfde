import * as http from 'http';
import * as net from 'net';

import { expect } from 'chai';
import {
    BadRequestException, ConfigParams, ConnectionException, FilterParams, InvalidStateException,
    InvocationException
} from 'pip-services3-commons-nodex';

import { SessionsCommandableHttpClientV1, SessionsHttpClientV1 } from '../../../src';
import { freePort, TestService } from '../../fixtures/TestService';
import { SessionsClientV1Fixture } from './SessionsClientV1Fixture';
import { rejection } from '../../fixtures/Rejection';
import { RedisTestServer } from '../../fixtures/RedisTestServer';

const EXPIRE_TIMEOUT = 1500;

async function openClient(config: Record<string, unknown>): Promise<SessionsCommandableHttpClientV1> {
    const client = new SessionsCommandableHttpClientV1(config);
    await client.open(null);
    return client;
}

/** Exposes the settings the client ended up with. */
class SettingsProbe extends SessionsCommandableHttpClientV1 {
    public get settings(): Record<string, unknown> {
        return { retries: this._retries, connectTimeout: this._connectTimeout, timeout: this._timeout, baseRoute: this._baseRoute };
    }

    public async resolvedUri(): Promise<string> {
        return (await this._connectionResolver.resolve('probe')).getAsString('uri');
    }
}

/** A server that answers every request with the given handler, as a proxy or a wrong service would. */
async function startFakeServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        url: 'http://127.0.0.1:' + port,
        close: async () => {
            server.closeAllConnections();
            await new Promise<void>(resolve => server.close(() => resolve()));
        }
    };
}

describe('SessionsCommandableHttpClientV1', () => {
    describe('against the service started in process (Redis store)', () => {
        let service: TestService;
        let client: SessionsCommandableHttpClientV1;

        before(async function () {
            const server = await RedisTestServer.require(this);
            service = await TestService.start({
                REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: 'client_tests:' + process.pid + ':' + Date.now() + ':',
                EXPIRE_TIMEOUT: String(EXPIRE_TIMEOUT)
            });
            client = await openClient({ connection: { uri: service.url } });
        });

        after(async () => {
            await client?.close(null);
            await service?.stop();
        });

        SessionsClientV1Fixture.describeSharedBehaviour(() => client, EXPIRE_TIMEOUT);
    });

    describe('against the service started in process (memory store)', () => {
        let service: TestService;
        let client: SessionsCommandableHttpClientV1;

        before(async () => {
            service = await TestService.start({ MEMORY_ENABLED: 'true', EXPIRE_TIMEOUT: String(EXPIRE_TIMEOUT) });
            client = await openClient({ connection: { uri: service.url } });
        });

        after(async () => {
            await client?.close(null);
            await service?.stop();
        });

        SessionsClientV1Fixture.describeSharedBehaviour(() => client, EXPIRE_TIMEOUT);

        it('is also exported as SessionsHttpClientV1, the name in the service README', () => {
            expect(SessionsHttpClientV1).to.equal(SessionsCommandableHttpClientV1);
        });

        it('rejects with the toolkit exception of the service error: code, status, details and correlation id', async () => {
            const error = await rejection(client.openSession('corr-1', ''));
            expect(error).to.be.instanceOf(BadRequestException);
            expect(error.code).to.equal('INVALID_DATA');
            expect(error.status).to.equal(400);
            expect(error.details).to.deep.include({ field: 'user_id' });
            expect(error.correlation_id).to.equal('corr-1');

            const wrongType = await rejection(client.getSessionById('corr-2', 7 as unknown as string));
            expect(wrongType.code).to.equal('INVALID_DATA');
            expect(wrongType.details).to.deep.include({ field: 'session_id' });
            expect(wrongType.correlation_id).to.equal('corr-2');
        });

        it('keeps the service status where it differs from the exception class default (413, not 400)', async () => {
            const opened = await client.openSession(null, 'big');
            const error = await rejection(client.storeSessionData('corr-3', opened.id, { blob: 'x'.repeat(1100 * 1024) }));
            expect(error).to.be.instanceOf(BadRequestException);
            expect(error.code).to.equal('PAYLOAD_TOO_LARGE');
            expect(error.status).to.equal(413);
            expect((await client.getSessionById(null, opened.id))!.data).to.equal(null);
        });

        it('sends the correlation id in a header when options.correlation_id says so', async () => {
            const headerClient = await openClient({ connection: { uri: service.url }, options: { correlation_id: 'headers' } });
            try {
                const error = await rejection(headerClient.openSession('in-header', ''));
                expect(error.correlation_id).to.equal('in-header');
            } finally {
                await headerClient.close(null);
            }
        });

        it('fails with NOT_OPENED before open() and after close()', async () => {
            const closed = new SessionsCommandableHttpClientV1({ connection: { uri: service.url } });
            const before = await rejection(closed.getSessionById(null, 's1'));
            expect(before).to.be.instanceOf(InvalidStateException);
            expect(before.code).to.equal('NOT_OPENED');
            await closed.open(null);
            expect(await closed.getSessionById(null, 's1')).to.equal(null);
            await closed.close(null);
            expect((await rejection(closed.getSessionById(null, 's1'))).code).to.equal('NOT_OPENED');
        });
    });

    describe('configuration', () => {
        it('defaults to the service default address and to short timeouts with a few retries', async () => {
            const client = new SettingsProbe();
            expect(client.settings).to.deep.equal({ retries: 2, connectTimeout: 5000, timeout: 10000, baseRoute: 'v1/sessions' });
            client.configure(new ConfigParams());
            expect(client.settings).to.deep.equal({ retries: 2, connectTimeout: 5000, timeout: 10000, baseRoute: 'v1/sessions' });
            expect(await client.resolvedUri()).to.equal('http://localhost:8080');
        });

        it('takes connection, timeouts and retries from the configuration, as the seed README writes it', async () => {
            const client = new SettingsProbe({
                connection: { protocol: 'http', host: 'sessions.internal', port: 9000 },
                options: { retries: 0, connect_timeout: 700, timeout: 1500 }
            });
            expect(client.settings).to.deep.equal({ retries: 0, connectTimeout: 700, timeout: 1500, baseRoute: 'v1/sessions' });
            expect(await client.resolvedUri()).to.equal('http://sessions.internal:9000');
        });
    });

    describe('failures of the transport', () => {
        it('turns a service that is not listening into CONNECTION_FAILED naming the URL, after the configured retries', async () => {
            const port = await freePort();
            const url = 'http://127.0.0.1:' + port;
            // Retries wait 100, 200 and 400 ms: the call cannot fail in less than 700 ms.
            const client = await openClient({ connection: { uri: url }, options: { retries: 3, retry_delay: 100, connect_timeout: 500 } });
            try {
                const started = Date.now();
                const error = await rejection(client.getSessionById('down-1', 's1'));
                const elapsed = Date.now() - started;
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('CONNECTION_FAILED');
                expect(error.status).to.equal(503);
                expect(error.message).to.contain(url + '/v1/sessions/get_session_by_id');
                expect(error.message).to.contain('ECONNREFUSED');
                expect(error.details).to.deep.include({ url: url + '/v1/sessions/get_session_by_id' });
                expect(error.correlation_id).to.equal('down-1');
                // Timers never fire early, so the waits show; the upper bound only catches a hang
                // (a loaded 2-core machine stretches timers: no tighter bound is safe).
                expect(elapsed).to.be.at.least(650).and.below(15000);
            } finally {
                await client.close(null);
            }
        });

        it('does not retry at all with options.retries 0 (the toolkit made that 4 retries)', async () => {
            // A retry would wait 10 s first: far from the bound below, however loaded the machine.
            const client = await openClient({ connection: { uri: 'http://127.0.0.1:' + await freePort() }, options: { retries: 0, retry_delay: 10000 } });
            try {
                const started = Date.now();
                const error = await rejection(client.getSessions(null));
                expect(error.code).to.equal('CONNECTION_FAILED');
                expect(Date.now() - started).to.be.below(8000);
            } finally {
                await client.close(null);
            }
        });

        it('reports the service down, then works once it is up, and rides out a restart within its retries', async function () {
            this.timeout(30000);
            const port = await freePort();
            const url = 'http://127.0.0.1:' + port;
            // TestService.url would name its own free port; HTTP_PORT puts the service on ours.
            const env = { MEMORY_ENABLED: 'true', HTTP_PORT: String(port) };
            const client = await openClient({ connection: { uri: url }, options: { retries: 1, retry_delay: 100 } });
            // Retries up to 200 + 400 + 800 + 1600 + 3200 ms: enough for the service to come back.
            const patient = await openClient({ connection: { uri: url }, options: { retries: 5, retry_delay: 200 } });
            let service: TestService | null = null;
            try {
                const down = await rejection(client.openSession(null, 'u1'));
                expect(down.code).to.equal('CONNECTION_FAILED');
                expect(down.message).to.contain(url);

                service = await TestService.start(env);
                const opened = await client.openSession(null, 'u1', 'Ann');
                expect(opened.user_name).to.equal('Ann');
                expect(await patient.getSessionById(null, opened.id)).to.deep.equal(opened);
                await service.stop();
                service = null;

                // Made while the service is down, on a kept-alive connection the service closed.
                const pending = patient.getSessions(null, FilterParams.fromTuples('user_id', 'u1'));
                await new Promise(resolve => setTimeout(resolve, 300));
                service = await TestService.start(env);
                const page = await pending;
                // The memory store started empty again.
                expect(page.data).to.deep.equal([]);
            } finally {
                await client.close(null);
                await patient.close(null);
                await service?.stop();
            }
        });

        it('turns a service that accepts but never answers into REQUEST_TIMEOUT after options.timeout', async () => {
            let requests = 0;
            const silent = await startFakeServer(() => { requests++; /* never answers */ });
            const client = await openClient({ connection: { uri: silent.url }, options: { timeout: 300 } });
            try {
                const started = Date.now();
                const error = await rejection(client.closeSession(null, 's1'));
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('REQUEST_TIMEOUT');
                expect(error.status).to.equal(504);
                expect(error.message).to.contain(silent.url + '/v1/sessions/close_session');
                // Sent once: a command that reached the service is never repeated.
                expect(requests).to.equal(1);
                // Not before the timeout; the upper bound only catches a hang (timers stretch under load).
                expect(Date.now() - started).to.be.at.least(250).and.below(15000);
            } finally {
                await client.close(null);
                await silent.close();
            }
        });

        it('counts a TLS handshake that never ends as a connection not made: retried, then CONNECTION_FAILED', async () => {
            // Accepts TCP but never speaks TLS: the request is never sent, so retrying is safe.
            const sockets: net.Socket[] = [];
            const mute = net.createServer(socket => { sockets.push(socket); });
            await new Promise<void>(resolve => mute.listen(0, '127.0.0.1', resolve));
            const url = 'https://127.0.0.1:' + (mute.address() as net.AddressInfo).port;
            const client = await openClient({ connection: { uri: url }, options: { retries: 1, retry_delay: 50, connect_timeout: 200 } });
            try {
                const started = Date.now();
                const error = await rejection(client.closeSession('tls-1', 's1'));
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('CONNECTION_FAILED');
                expect(error.status).to.equal(503);
                expect(error.message).to.contain(url + '/v1/sessions/close_session');
                expect(error.correlation_id).to.equal('tls-1');
                expect(sockets.length, 'one retry').to.equal(2);
                // Two connect timeouts and a retry delay at least; the upper bound only catches a hang.
                expect(Date.now() - started).to.be.at.least(400).and.below(15000);
            } finally {
                await client.close(null);
                for (const socket of sockets) socket.destroy();
                await new Promise<void>(resolve => mute.close(() => resolve()));
            }
        });

        it('turns a connection dropped mid-call into CONNECTION_LOST', async () => {
            const dropping = await startFakeServer((req) => { req.socket.destroy(); });
            const client = await openClient({ connection: { uri: dropping.url } });
            try {
                const error = await rejection(client.deleteSessionById(null, 's1'));
                expect(error).to.be.instanceOf(ConnectionException);
                expect(error.code).to.equal('CONNECTION_LOST');
                expect(error.message).to.contain(dropping.url);
            } finally {
                await client.close(null);
                await dropping.close();
            }
        });
    });

    describe('connections', () => {
        it('reuses one kept-alive connection for calls in turn, and closes it on close()', async () => {
            const sockets: net.Socket[] = [];
            const server = http.createServer((req, res) => {
                req.resume();
                req.on('end', () => {
                    res.statusCode = 204;
                    res.end();
                });
            });
            server.on('connection', socket => sockets.push(socket));
            await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
            const client = await openClient({ connection: { uri: 'http://127.0.0.1:' + (server.address() as net.AddressInfo).port } });
            try {
                for (let index = 0; index < 5; index++) expect(await client.getSessionById(null, 's' + index)).to.equal(null);
                expect(sockets.length).to.equal(1);
                const closed = new Promise<void>(resolve => sockets[0].once('close', () => resolve()));
                await client.close(null);
                expect(client.isOpen()).to.equal(false);
                // An idle kept-alive socket would otherwise hold the process open.
                await closed;
            } finally {
                await client.close(null);
                server.closeAllConnections();
                await new Promise<void>(resolve => server.close(() => resolve()));
            }
        });

        it('sends a request again, once, on a new connection when a kept-alive one turns out closed', async () => {
            // Each connection answers its first request and is closed as its second arrives,
            // as a service closes an idle connection the moment the client reuses it.
            const perSocket = new Map<net.Socket, number>();
            let requests = 0;
            const server = http.createServer((req, res) => {
                requests++;
                const count = (perSocket.get(req.socket) ?? 0) + 1;
                perSocket.set(req.socket, count);
                if (count > 1) {
                    req.socket.destroy();
                    return;
                }
                req.resume();
                req.on('end', () => {
                    res.statusCode = 204;
                    res.end();
                });
            });
            await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
            const client = await openClient({ connection: { uri: 'http://127.0.0.1:' + (server.address() as net.AddressInfo).port } });
            try {
                expect(await client.getSessionById(null, 's1')).to.equal(null);
                expect(await client.getSessionById(null, 's2')).to.equal(null);
                expect(requests, 'the second call sent twice, on two connections').to.equal(3);
                expect(perSocket.size).to.equal(2);
            } finally {
                await client.close(null);
                server.closeAllConnections();
                await new Promise<void>(resolve => server.close(() => resolve()));
            }
        });
    });

    describe('replies that are not the service\'s', () => {
        let reply: { status: number; type: string; body: string };
        let fake: { url: string; close(): Promise<void> };
        let client: SessionsCommandableHttpClientV1;

        before(async () => {
            fake = await startFakeServer((req, res) => {
                req.resume();
                req.on('end', () => {
                    res.writeHead(reply.status, { 'Content-Type': reply.type });
                    res.end(reply.body);
                });
            });
            client = await openClient({ connection: { uri: fake.url } });
        });

        after(async () => {
            await client.close(null);
            await fake.close();
        });

        it('keeps the status of a 503 error body (the class default would say 500)', async () => {
            reply = {
                status: 503, type: 'application/json', body: JSON.stringify({
                    category: 'NoResponse', status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The service is temporarily unavailable'
                })
            };
            const error = await rejection(client.getSessions('c1'));
            expect(error).to.be.instanceOf(ConnectionException);
            expect(error.code).to.equal('DATABASE_UNAVAILABLE');
            expect(error.status).to.equal(503);
            expect(error.correlation_id).to.equal('c1');
        });

        it('turns a proxy\'s 502 page into SERVICE_UNAVAILABLE with that status', async () => {
            reply = { status: 502, type: 'text/html', body: '<html><body>Bad Gateway</body></html>' };
            const error = await rejection(client.getSessionById(null, 's1'));
            expect(error).to.be.instanceOf(ConnectionException);
            expect(error.code).to.equal('SERVICE_UNAVAILABLE');
            expect(error.status).to.equal(502);
            expect(error.message).to.contain(fake.url);
        });

        it('turns another error without the service\'s error body into UNEXPECTED_REPLY with its status', async () => {
            reply = { status: 404, type: 'text/plain', body: 'Not here' };
            const error = await rejection(client.getSessionById(null, 's1'));
            expect(error).to.be.instanceOf(InvocationException);
            expect(error.code).to.equal('UNEXPECTED_REPLY');
            expect(error.status).to.equal(404);
        });

        it('rejects a success reply that is not JSON, or not a session, with INVALID_REPLY', async () => {
            reply = { status: 200, type: 'application/json', body: 'not json' };
            expect((await rejection(client.getSessionById(null, 's1'))).code).to.equal('INVALID_REPLY');
            reply = { status: 200, type: 'application/json', body: JSON.stringify({ name: 'not a session' }) };
            expect((await rejection(client.getSessionById(null, 's1'))).code).to.equal('INVALID_REPLY');
            reply = { status: 200, type: 'application/json', body: JSON.stringify({ id: 's1', user_id: 'u1', request_time: 'soon' }) };
            expect((await rejection(client.getSessionById(null, 's1'))).code).to.equal('INVALID_REPLY');
            reply = { status: 200, type: 'application/json', body: JSON.stringify([]) };
            const page = await rejection(client.getSessions(null));
            expect(page).to.be.instanceOf(InvocationException);
            expect(page.code).to.equal('INVALID_REPLY');
        });
    });
});
