import { promises as fs } from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { ContainerConfigReader } from 'pip-services3-container-nodex';

import { SessionsProcess } from '../../src/container/SessionsProcess';
import { HttpReply } from '../fixtures/HttpReply';
import { RunningService } from '../fixtures/RunningService';
import { freePort, PACKAGE_ROOT } from '../fixtures/TestService';

async function post(port: number, command: string, args: unknown): Promise<HttpReply> {
    const response = await fetch('http://127.0.0.1:' + port + '/v1/sessions/' + command, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args)
    });
    return await HttpReply.read(response);
}

describe('SessionsProcess (node run)', function () {
    this.timeout(60000);
    let dir: string;
    let running: RunningService | null = null;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-run-'));
    });

    afterEach(async () => {
        if (running != null) await running.stop();
        running = null;
        await fs.rm(dir, { recursive: true, force: true });
    });

    it('with no environment at all listens on 8080 (read from the config, not bound: the port may be taken)', () => {
        const config = ContainerConfigReader.readFromFile('test', SessionsProcess.configPath([]), SessionsProcess.parameters([], {}));
        const endpoint = config.find(item => item.descriptor?.getType() === 'endpoint' && item.descriptor.getKind() === 'http');
        expect(endpoint?.config.getAsNullableString('connection.host')).to.equal('0.0.0.0');
        expect(endpoint?.config.getAsNullableInteger('connection.port')).to.equal(8080);
    });

    it('with only HTTP_PORT set serves HTTP on all addresses with the file store in ./data', async () => {
        const port = await freePort();
        running = new RunningService(dir, { HTTP_PORT: String(port) });
        await running.waitForOutput(new RegExp('listening at http://0\\.0\\.0\\.0:' + port));
        const opened = await post(port, 'open_session', { user_id: 'u1', data: { kept: true } });
        expect(opened.status).to.equal(200);
        expect(running.output, 'no console line per request at the default level').to.not.match(/open_session/);

        expect(await running.stop(), 'SIGTERM closes cleanly with exit code 0').to.equal(0);
        const onDisk = JSON.parse(await fs.readFile(path.join(dir, 'data', 'sessions.json'), 'utf8'));
        expect(onDisk.map((item: { id: string }) => item.id)).to.deep.equal([opened.body.id]);

        running = new RunningService(dir, { HTTP_PORT: String(port) });
        await running.waitForOutput(/listening at/);
        const again = await post(port, 'get_session_by_id', { session_id: opened.body.id });
        expect(again.body.data).to.deep.equal({ kept: true });
    });

    it('on SIGTERM under load, finishes requests in flight and keeps every acknowledged write', async () => {
        const port = await freePort();
        running = new RunningService(dir, { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
        await running.waitForOutput(/listening at/);

        const acknowledged: string[] = [];
        let refused = 0;
        let serverErrors = 0;
        let stop = false;
        const client = async (worker: number): Promise<void> => {
            for (let index = 0; !stop && index < 5000; index++) {
                try {
                    const reply = await post(port, 'open_session', { user_id: 'w' + worker, data: { index } });
                    if (reply.status === 200) acknowledged.push(reply.body.id);
                    else if (reply.status >= 500) serverErrors++;
                    else refused++;
                } catch {
                    refused++;
                    // Once the server has closed its port, there is nothing more to send.
                    if (stop) return;
                    await new Promise(resolve => setTimeout(resolve, 5));
                }
            }
        };
        const clients = Array.from({ length: 8 }, (_, worker) => client(worker));
        while (acknowledged.length < 200) await new Promise(resolve => setTimeout(resolve, 10));
        const exited = running.stop();
        expect(await exited, 'exit code after SIGTERM').to.equal(0);
        stop = true;
        await Promise.all(clients);
        running = null;

        expect(acknowledged.length).to.be.at.least(200);
        expect(serverErrors, 'requests in flight at SIGTERM still completed').to.equal(0);
        running = new RunningService(dir, { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
        await running.waitForOutput(/listening at/);
        const page = await post(port, 'get_sessions', { paging: { take: 1, total: true } });
        expect(page.body.total, 'sessions after restart; ' + refused + ' calls were refused during shutdown')
            .to.be.at.least(acknowledged.length);
        const missing: string[] = [];
        for (const id of acknowledged) {
            if ((await post(port, 'get_session_by_id', { session_id: id })).status !== 200) missing.push(id.slice(0, 8));
        }
        expect(missing, 'acknowledged sessions missing after the restart').to.deep.equal([]);
    });

    it('honours the original environment names', async () => {
        const port = await freePort();
        const filePath = path.join(dir, 'custom', 'store.json');
        running = new RunningService(dir, { HTTP_PORT: String(port), FILE_ENABLED: 'true', FILE_PATH: filePath });
        await running.waitForOutput(/listening at/);
        expect((await post(port, 'open_session', { user_id: 'u1' })).status).to.equal(200);
        expect(await running.stop()).to.equal(0);
        expect(JSON.parse(await fs.readFile(filePath, 'utf8')).length).to.equal(1);
    });

    it('MEMORY_ENABLED=true keeps sessions in memory only', async () => {
        const port = await freePort();
        running = new RunningService(dir, { HTTP_PORT: String(port), MEMORY_ENABLED: 'true' });
        await running.waitForOutput(/listening at/);
        expect((await post(port, 'open_session', { user_id: 'u1' })).status).to.equal(200);
        await running.stop();
        running = null;
        await fs.access(path.join(dir, 'data')).then(
            () => expect.fail('no data folder should be written'), () => undefined);
    });

    it('HTTP_ENABLED=false really disables HTTP', async () => {
        const port = await freePort();
        running = new RunningService(dir, {
            HTTP_PORT: String(port), HTTP_ENABLED: 'false', MEMORY_ENABLED: 'true',
            SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(await freePort())
        });
        await running.waitForOutput(/started/);
        expect(running.output).to.not.match(/HTTP API listening at/);
        const refused = await fetch('http://127.0.0.1:' + port + '/heartbeat').then(() => false, () => true);
        expect(refused, 'nothing listens on HTTP_PORT').to.equal(true);
    });

    it('reads -c <path> instead of the bundled config', async () => {
        const port = await freePort();
        const configPath = path.join(dir, 'my-config.yml');
        await fs.writeFile(configPath, [
            '- descriptor: "pip-services:logger:console:default:1.0"',
            '  level: "info"',
            '- descriptor: "service-sessions:persistence:memory:default:1.0"',
            '- descriptor: "service-sessions:controller:default:default:1.0"',
            '- descriptor: "service-sessions:service:commandable-http:default:1.0"',
            '  connection:',
            '    protocol: "http"',
            '    host: "127.0.0.1"',
            '    port: ' + port
        ].join('\n'));
        running = new RunningService(dir, {}, ['-c', configPath]);
        await running.waitForOutput(/listening at http:\/\/127\.0\.0\.1:/);
        const reply = await post(port, 'open_session', {});
        expect(reply.status, 'the hardened endpoint serves configs without an endpoint entry').to.equal(400);
        expect(reply.body.code).to.equal('INVALID_DATA');
    });

    it('starts with a copy of config.example.yml as documented, reading the environment as the bundled config does', async () => {
        const port = await freePort();
        const configPath = path.join(dir, 'config.yml');
        await fs.copyFile(path.join(PACKAGE_ROOT, 'config.example.yml'), configPath);
        running = new RunningService(dir, { HTTP_PORT: String(port) }, ['-c', configPath]);
        await running.waitForOutput(new RegExp('listening at http://0\\.0\\.0\\.0:' + port));
        const swagger = await fetch('http://127.0.0.1:' + port + '/v1/sessions/swagger');
        expect(swagger.status).to.equal(200);
        for (const route of ['/heartbeat', '/ready', '/status', '/metrics']) {
            expect((await fetch('http://127.0.0.1:' + port + route)).status, route).to.equal(200);
        }
        expect((await post(port, 'open_session', { user_id: 'u1' })).status).to.equal(200);
        expect(await running.stop()).to.equal(0);
        expect(JSON.parse(await fs.readFile(path.join(dir, 'data', 'sessions.json'), 'utf8')).length).to.equal(1);
    });

    it('LOG_FORMAT=json writes one JSON object per line, from the first line to the last', async () => {
        const port = await freePort();
        running = new RunningService(dir, { HTTP_PORT: String(port), MEMORY_ENABLED: 'true', LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
        await running.waitForOutput(/listening at/);
        const opened = await post(port, 'open_session', { user_id: 'u-json', data: { secret: 'data-json' } });
        expect(opened.status).to.equal(200);
        expect((await post(port, 'open_session', {})).status, 'a rejected call is logged at debug').to.equal(400);
        expect(await running.stop()).to.equal(0);

        const lines = running.output.split('\n').filter(line => line !== '');
        expect(lines.length).to.be.above(3);
        for (const line of lines) {
            const entry = JSON.parse(line);
            expect(entry.time, line).to.match(/^\d{4}-\d\d-\d\dT/);
            expect(entry.level, line).to.be.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
            expect(entry.message, line).to.be.a('string');
        }
        expect(lines.some(line => JSON.parse(line).message.startsWith('HTTP API listening at'))).to.equal(true);
        expect(lines.some(line => JSON.parse(line).level === 'debug')).to.equal(true);
        expect(running.output).to.not.contain(opened.body.id);
        expect(running.output).to.not.contain('data-json');
    });

    it('closes what a failed open had opened: the HTTP port is free again', async () => {
        const [httpPort, senecaPort] = [await freePort(), await freePort()];
        const blocker = net.createServer();
        await new Promise<void>(resolve => blocker.listen(senecaPort, '127.0.0.1', resolve));
        try {
            const container = new SessionsProcess();
            container.readConfigFromFile('test', path.join(PACKAGE_ROOT, 'config', 'config.yml'), SessionsProcess.parameters([], {
                HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), MEMORY_ENABLED: 'true', LOG_LEVEL: 'none',
                SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort), AUDIT_KEY: 'audit-key-of-a-failed-open'
            }));
            const error = await container.open('test').then(() => null, (err: { code?: string }) => err);
            expect(error?.code).to.equal('CANNOT_LISTEN');
            const refused = await fetch('http://127.0.0.1:' + httpPort + '/heartbeat').then(() => false, () => true);
            expect(refused, 'the HTTP API opened before the Seneca API failed is closed').to.equal(true);
        } finally {
            await new Promise<void>(resolve => blocker.close(() => resolve()));
        }
    });

    it('refuses an unknown LOG_FORMAT with a clear message', async () => {
        running = new RunningService(dir, { HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true', LOG_FORMAT: 'xml' });
        expect(await running.exited).to.equal(1);
        expect(running.output).to.match(/Cannot start: LOG_FORMAT is "xml" .*allowed is one of text, json/);
    });

    it('exits 1 with a clear message when it cannot start', async () => {
        running = new RunningService(dir, {}, ['-c', path.join(dir, 'missing.yml')]);
        expect(await running.exited).to.equal(1);
        expect(running.output).to.match(/Cannot start: Failed reading configuration .*missing\.yml/);

        await fs.mkdir(path.join(dir, 'data'));
        await fs.writeFile(path.join(dir, 'data', 'sessions.json'), '{not json');
        const port = await freePort();
        running = new RunningService(dir, { HTTP_PORT: String(port) });
        expect(await running.exited).to.equal(1);
        expect(running.output).to.match(/not valid JSON/);
        expect(await fs.readFile(path.join(dir, 'data', 'sessions.json'), 'utf8')).to.equal('{not json');
    });

    it('prefers -c, then config.yml in the project root, then the bundled config', async () => {
        expect(SessionsProcess.configPath(['-c', '/etc/sessions.yml'])).to.equal('/etc/sessions.yml');
        // A root of our own: a config.yml left in the repository (an interrupted run) would change later runs.
        expect(SessionsProcess.configPath([], dir)).to.equal(path.join(dir, 'config', 'config.yml'));
        await fs.writeFile(path.join(dir, 'config.yml'), '---\n');
        expect(SessionsProcess.configPath([], dir)).to.equal(path.join(dir, 'config.yml'));
        expect(SessionsProcess.configPath(['-c', '/etc/sessions.yml'], dir)).to.equal('/etc/sessions.yml');
    });

    it('treats false-valued switches as off and turns HTTP on by default', () => {
        const parameters = SessionsProcess.parameters(['-p', 'FILE_ENABLED=true'],
            { MEMORY_ENABLED: 'false', MONGO_ENABLED: '0', FILE_PATH: '/tmp/x.json' });
        expect(parameters.getAsNullableString('MEMORY_ENABLED')).to.equal(null);
        expect(parameters.getAsNullableString('MONGO_ENABLED')).to.equal(null);
        expect(parameters.getAsString('FILE_ENABLED')).to.equal('true');
        expect(parameters.getAsString('HTTP_ENABLED')).to.equal('true');
        expect(parameters.getAsString('FILE_PATH')).to.equal('/tmp/x.json');
    });
});
