import { promises as fs } from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { freePort } from '../fixtures/TestService';
import { SenecaTcpLines } from '../services/version1/SenecaTcpLines';
import { RunningService } from '../fixtures/RunningService';

const MB = 1024 * 1024;
const ATTACK_SIZE = 30 * MB;
const CHUNK = 64 * 1024;
/** Marks in the bad input: none may reach a reply or a log line. */
const MARK = 'bad-input-mark-41d7';
const PATTERN = { role: 'sessions', version: 1 };

/** Text a reply must not hold: stack frames, paths, Seneca/Gubu error internals. */
function internalsIn(text: string): string[] {
    return ['    at ', '/work/', 'node_modules', '.js:', '.ts:', 'Gubu', 'gubu', 'callpoint', 'eraro', 'stack', MARK]
        .filter(marker => text.includes(marker));
}

/** `node run` with the Seneca API on type, logging JSON at debug; its HTTP port too. */
async function startService(type: 'tcp' | 'http'): Promise<{ service: RunningService; senecaPort: number; httpPort: number }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-seneca-limits-'));
    const [httpPort, senecaPort] = [await freePort(), await freePort()];
    const service = new RunningService(dir, {
        MEMORY_ENABLED: 'true', LOG_LEVEL: 'debug', LOG_FORMAT: 'json', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
        SENECA_ENABLED: 'true', SENECA_TYPE: type, SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort)
    });
    await service.waitForOutput(/Seneca API listening/);
    await service.waitForOutput(/started/);
    return { service, senecaPort, httpPort };
}

/** What the process wrote: no stack trace on stderr, every line of both streams one JSON object, no bad input quoted. */
function expectCleanOutput(service: RunningService): void {
    expect(service.stderr, 'stderr holds a stack trace').to.not.match(/^\s+at /m);
    const lines = (service.stdout + '\n' + service.stderr).split('\n').filter(line => line.trim() !== '');
    const notJson = lines.filter((line) => {
        try {
            const value = JSON.parse(line) as unknown;
            return value == null || typeof value !== 'object' || Array.isArray(value);
        } catch {
            return true;
        }
    });
    expect(notJson, 'output lines that are not one JSON object').to.deep.equal([]);
    expect(lines.filter(line => line.includes(MARK)), 'log lines quoting the bad input').to.deep.equal([]);
}

/** Sends a frame's start and then filler without a newline, 64 KB at a time, until total, the server's end, or 10 s. */
async function sendLongLine(port: number, total: number): Promise<{ sent: number; ended: boolean; ms: number }> {
    const lines = await SenecaTcpLines.connect(port);
    const started = Date.now();
    const chunk = Buffer.alloc(CHUNK, 'x');
    await lines.write('{"id":"attack/1","kind":"act","origin":"limits-test","sync":true,"act":{"data":"');
    while (lines.written < total && !lines.ended && Date.now() - started < 10000) {
        await lines.write(chunk);
        await new Promise(resolve => setImmediate(resolve));
    }
    const ended = await lines.waitForEnd(3000);
    const ms = Date.now() - started;
    lines.destroy();
    return { sent: lines.written, ended, ms };
}

describe('Reliability: Seneca input is bounded and bad input leaks nothing, against node run (issue 18)', function () {
    this.timeout(180000);

    it('tcp: a 30 MB line without a newline is cut after a few MB, the process does not grow by it, bad lines get envelopes', async () => {
        const { service, senecaPort, httpPort } = await startService('tcp');
        try {
            const warm = await SenecaTcpLines.connect(senecaPort);
            await warm.write(JSON.stringify({ id: 'warm/1', kind: 'act', origin: 't', sync: true,
                act: { ...PATTERN, cmd: 'get_session_by_id', session_id: 'none' } }) + '\n');
            expect(await warm.nextReply()).to.be.a('string');
            warm.destroy();
            const peakBefore = await service.peakRss();

            const attack = await sendLongLine(senecaPort, ATTACK_SIZE);
            const heartbeat = Date.now();
            expect((await fetch('http://127.0.0.1:' + httpPort + '/heartbeat')).status).to.equal(200);
            const heartbeatMs = Date.now() - heartbeat;
            const peakAfter = await service.peakRss();
            console.log('      30 MB line: cut after %d bytes sent, %d ms; peak RSS %s -> %s MB; heartbeat after it %d ms', attack.sent,
                attack.ms, peakBefore == null ? '?' : (peakBefore / MB).toFixed(1), peakAfter == null ? '?' : (peakAfter / MB).toFixed(1),
                heartbeatMs);
            expect(attack.ended, 'the service ended the connection').to.equal(true);
            expect(attack.sent, 'bytes sent before the cut (kernel buffers hold some past it)').to.be.below(ATTACK_SIZE / 2);
            // seneca-transport grew the process by some 230 MB for this line; here it holds at most 1 MB of it.
            if (peakBefore != null && peakAfter != null) expect(peakAfter - peakBefore, 'peak RSS growth').to.be.below(ATTACK_SIZE / 2);

            const lines = await SenecaTcpLines.connect(senecaPort);
            const frame = (id: unknown, act: unknown): string => JSON.stringify({ id, kind: 'act', origin: 't', sync: true, act });
            for (const line of ['not json { ' + MARK, '[1,"' + MARK + '"]', frame(5, { ...PATTERN, cmd: 'get_sessions' }),
                frame('b/1', null), frame('b/2', [1, MARK]), frame('b/3', MARK)]) {
                await lines.write(line + '\n');
                const reply = await lines.nextReply();
                expect(reply, line).to.be.a('string');
                expect(internalsIn(reply!), reply!).to.deep.equal([]);
                const parsed = JSON.parse(reply!) as { accept?: string; res: { error: { status: number } } };
                expect(parsed.res.error.status, reply!).to.equal(400);
                // seneca-transport sent Seneca's instance id, with the process id in it.
                expect(parsed.accept ?? '').to.match(/^[0-9a-f]{12}\/service-sessions$/);
            }
            lines.destroy();
        } finally {
            expect(await service.stop(), 'exit code').to.equal(0);
        }
        expectCleanOutput(service);
    });

    it('http: bodies over 1 MB get 413 before they are read, bad bodies an envelope without a path or the process id', async () => {
        const { service, senecaPort } = await startService('http');
        try {
            const peakBefore = await service.peakRss();
            // Declared: answered at the headers.
            const declared = await new Promise<{ head: string; sent: number }>((resolve) => {
                const socket = net.connect(senecaPort, '127.0.0.1');
                let received = '';
                let sent = 0;
                const finish = (): void => {
                    socket.destroy();
                    resolve({ head: received.split('\r\n')[0], sent });
                };
                socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
                socket.on('close', finish);
                socket.on('error', finish);
                socket.on('connect', async () => {
                    socket.write('POST /act HTTP/1.1\r\nHost: x\r\nContent-Length: ' + 100 * MB + '\r\n\r\n');
                    const chunk = Buffer.alloc(CHUNK, 'x');
                    const started = Date.now();
                    while (received === '' && !socket.destroyed && sent < 100 * MB && Date.now() - started < 10000) {
                        await new Promise<void>(resolve => socket.write(chunk, () => resolve()));
                        sent += chunk.length;
                    }
                    setTimeout(finish, 2000);
                });
            });
            expect(declared.head).to.equal('HTTP/1.1 413 Payload Too Large');
            expect(declared.sent, 'body bytes sent when answered').to.be.below(8 * MB);

            const error = await fetch('http://127.0.0.1:' + senecaPort + '/act', { method: 'POST', body: '{bad ' + MARK });
            const text = await error.text();
            expect(error.status).to.equal(400);
            expect(internalsIn(text), text).to.deep.equal([]);
            expect(JSON.parse(text)).to.deep.equal({ error: {
                category: 'BadRequest', status: 400, code: 'INVALID_JSON', message: 'The request body is not valid JSON'
            } });
            expect(error.headers.get('seneca-accept')).to.match(/^[0-9a-f]{12}\/service-sessions$/);
            const peakAfter = await service.peakRss();
            if (peakBefore != null && peakAfter != null) expect(peakAfter - peakBefore, 'peak RSS growth').to.be.below(ATTACK_SIZE / 2);
        } finally {
            expect(await service.stop(), 'exit code').to.equal(0);
        }
        expectCleanOutput(service);
    });
});
