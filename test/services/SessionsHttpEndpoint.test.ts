import * as net from 'net';

import { expect } from 'chai';
import { ConfigParams, References } from 'pip-services3-commons-nodex';

import { SessionsHttpEndpoint } from '../../src/services/SessionsHttpEndpoint';
import { SessionsRestService } from '../../src/services/SessionsRestService';
import { freePort } from '../fixtures/TestService';

/** One POST route that echoes its body, on an endpoint of its own. */
class EchoService extends SessionsRestService {
    public register(): void {
        this.registerRoute('post', '/echo', null, (req, res) => this.sendResult(req, res, req.body ?? {}));
    }
}

/** What a raw client got back on one socket: the text, and whether and when the server closed it. */
interface RawExchange {
    readonly text: string;
    readonly closedAfterMs: number | null;
}

/** Opens a socket, writes each part (waiting between them), and collects what comes back until the server closes or waitMs passes. */
async function raw(port: number, parts: string[], waitMs: number, pauseMs = 0): Promise<RawExchange> {
    return await new Promise<RawExchange>((resolve) => {
        const started = Date.now();
        const socket = net.connect(port, '127.0.0.1');
        let text = '';
        let done = false;
        const finish = (closed: boolean): void => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            socket.destroy();
            resolve({ text, closedAfterMs: closed ? Date.now() - started : null });
        };
        const timer = setTimeout(() => finish(false), waitMs);
        socket.on('data', chunk => { text += chunk.toString('utf8'); });
        socket.on('close', () => finish(true));
        socket.on('error', () => finish(true));
        socket.on('connect', async () => {
            for (const part of parts) {
                if (socket.destroyed) return;
                socket.write(part);
                if (pauseMs > 0) await new Promise(resolve => setTimeout(resolve, pauseMs));
            }
        });
    });
}

function statusOf(text: string): number {
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
}

function bodyOf(text: string): { code?: string } {
    return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { code?: string };
}

describe('SessionsHttpEndpoint', function () {
    this.timeout(30000);
    let service: EchoService;
    let port: number;

    async function start(options: Record<string, number>): Promise<void> {
        port = await freePort();
        service = new EchoService();
        const tuples: unknown[] = ['connection.host', '127.0.0.1', 'connection.port', port];
        for (const [key, value] of Object.entries(options)) tuples.push('options.' + key, value);
        service.configure(ConfigParams.fromTuples(...tuples));
        service.setReferences(new References());
        await service.open('test');
    }

    afterEach(async () => {
        await service?.close('test');
    });

    it('answers 408 REQUEST_TIMEOUT to headers that do not arrive in time, and closes', async () => {
        await start({ headers_timeout: 400, request_timeout: 5000 });
        const exchange = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\n'], 10000);
        expect(statusOf(exchange.text)).to.equal(408);
        expect(bodyOf(exchange.text).code).to.equal('REQUEST_TIMEOUT');
        expect(exchange.closedAfterMs, 'closed within the timeout and a check interval').to.be.a('number').and.below(5000);
    });

    it('answers 408 to a body that does not arrive in time, and closes', async () => {
        await start({ headers_timeout: 400, request_timeout: 800 });
        const exchange = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":'], 10000);
        expect(statusOf(exchange.text)).to.equal(408);
        expect(exchange.closedAfterMs).to.be.a('number').and.below(5000);
    });

    it('still serves a request that arrives in time', async () => {
        await start({ headers_timeout: 400, request_timeout: 800 });
        const reply = await fetch('http://127.0.0.1:' + port + '/echo', { method: 'POST', body: '{"a":1}' });
        expect(await reply.json()).to.deep.equal({ a: 1 });
    });

    it('answers CONNECT with 405 METHOD_NOT_ALLOWED in its JSON shape', async () => {
        await start({});
        const exchange = await raw(port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'], 5000);
        expect(statusOf(exchange.text)).to.equal(405);
        expect(bodyOf(exchange.text).code).to.equal('METHOD_NOT_ALLOWED');
        expect(exchange.closedAfterMs).to.be.a('number');
    });

    it('answers an unknown route with 404 RESOURCE_NOT_FOUND and a wrong method with 405 METHOD_NOT_ALLOWED', async () => {
        await start({});
        const unknown = await fetch('http://127.0.0.1:' + port + '/nowhere', { method: 'POST', body: '{}' });
        expect(unknown.status).to.equal(404);
        expect((await unknown.json() as { code: string }).code).to.equal('RESOURCE_NOT_FOUND');
        const wrongMethod = await fetch('http://127.0.0.1:' + port + '/echo', { method: 'GET' });
        expect(wrongMethod.status).to.equal(405);
        const body = await wrongMethod.json() as { code: string; message: string };
        expect(body.code).to.equal('METHOD_NOT_ALLOWED');
        expect(body.message).to.equal('GET is not allowed on /echo');
    });

    it('answers a body past options.request_max_size with 413 PAYLOAD_TOO_LARGE, declared or streamed', async () => {
        await start({ request_max_size: 1024 });
        const declared = await fetch('http://127.0.0.1:' + port + '/echo', { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(2000) }) });
        expect(declared.status).to.equal(413);
        expect((await declared.json() as { code: string }).code).to.equal('PAYLOAD_TOO_LARGE');
        const chunked = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
            '800\r\n' + 'x'.repeat(0x800) + '\r\n'], 5000);
        expect(statusOf(chunked.text)).to.equal(413);
        expect(bodyOf(chunked.text).code).to.equal('PAYLOAD_TOO_LARGE');
        const fits = await fetch('http://127.0.0.1:' + port + '/echo', { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(500) }) });
        expect(fits.status).to.equal(200);
    });

    it('answers headers past Node\'s limit with 431 HEADERS_TOO_LARGE in its JSON shape', async () => {
        await start({});
        const exchange = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'y'.repeat(20000) + '\r\n\r\n'], 5000);
        expect(statusOf(exchange.text)).to.equal(431);
        expect(bodyOf(exchange.text).code).to.equal('HEADERS_TOO_LARGE');
    });

    it('answers bad JSON and prototype keys with 400 INVALID_JSON, each with its own message', async () => {
        await start({});
        const post = async (body: string): Promise<{ status: number; code: string; message: string }> => {
            const reply = await fetch('http://127.0.0.1:' + port + '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
            return { status: reply.status, ...await reply.json() as { code: string; message: string } };
        };
        for (const text of ['{"a":', 'constructor', '{"constructor": x}']) {
            expect(await post(text), text).to.include({ status: 400, code: 'INVALID_JSON', message: 'The request body is not valid JSON' });
        }
        for (const text of ['{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}']) {
            expect(await post(text), text).to.include({ status: 400, code: 'INVALID_JSON',
                message: 'The request body must not contain __proto__ or constructor.prototype keys' });
        }
    });

    it('answers text that is not HTTP with 400 BAD_REQUEST in its JSON shape', async () => {
        await start({});
        const exchange = await raw(port, ['NOT HTTP AT ALL\r\n\r\n'], 5000);
        expect(statusOf(exchange.text)).to.equal(400);
        expect(bodyOf(exchange.text).code).to.equal('BAD_REQUEST');
    });

    it('closes connections past options.max_connections at once, and serves again once they go', async () => {
        await start({ max_connections: 2 });
        const held = await Promise.all([0, 1].map(() => new Promise<net.Socket>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
        })));
        await new Promise(resolve => setTimeout(resolve, 100));
        const third = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}'], 3000);
        expect(third.text, 'no answer past the cap').to.equal('');
        expect(third.closedAfterMs, 'closed by the server').to.be.a('number').and.below(3000);
        for (const socket of held) socket.destroy();
        await new Promise(resolve => setTimeout(resolve, 100));
        expect((await fetch('http://127.0.0.1:' + port + '/echo', { method: 'POST', body: '{}' })).status).to.equal(200);
    });

    it('refuses limits that make no sense at configure', () => {
        for (const options of [{ max_connections: 0 }, { headers_timeout: -1 }, { headers_timeout: 5000, request_timeout: 1000 }]) {
            const endpoint = new SessionsHttpEndpoint();
            const tuples: unknown[] = [];
            for (const [key, value] of Object.entries(options)) tuples.push('options.' + key, value);
            expect(() => endpoint.configure(ConfigParams.fromTuples(...tuples)), JSON.stringify(options)).to.throw(/BAD_HTTP_LIMITS|options\./);
        }
    });
});
