import { promises as fs } from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionsGrpcClientV1 } from '../../src';
import { SessionsEnvironment, SessionsVariable } from '../../src/container/SessionsEnvironment';
import { RunningService } from '../fixtures/RunningService';
import { SmallDisk } from '../fixtures/SmallDisk';
import { freePort, PACKAGE_ROOT } from '../fixtures/TestService';

const API_KEY = 'api-key-of-the-startup-tests-01';

/** The switch a variable's section needs in the bundled config. */
function sectionOf(variable: SessionsVariable): Record<string, string> {
    const prefix = variable.name.split('_')[0];
    const switches: Record<string, string> = { MONGO: 'MONGO_ENABLED', REDIS: 'REDIS_ENABLED', SENECA: 'SENECA_ENABLED', GRPC: 'GRPC_ENABLED', FILE: 'FILE_ENABLED' };
    return switches[prefix] != null && variable.kind !== 'switch' ? { [switches[prefix]]: 'true' } : {};
}

/** Values each kind must refuse. */
function badValuesOf(variable: SessionsVariable): string[] {
    switch (variable.kind) {
        case 'millis': case 'bytes': case 'count': return ['abc', '-5', '1.5'];
        case 'port': return ['abc', '-1', '70000'];
        case 'remote-port': return ['abc', '0', '70000'];
        case 'switch': case 'flag': case 'choice': return ['abc'];
        default: return [];
    }
}

describe('SessionsProcess start-up (node run): settings, failures and the summary', function () {
    this.timeout(180000);
    let dir: string;
    let running: RunningService | null = null;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-startup-'));
    });

    afterEach(async () => {
        if (running != null) await running.stop();
        running = null;
        await fs.rm(dir, { recursive: true, force: true });
    });

    /** A start that must fail: its exit code and its lines. */
    async function failedStart(env: Record<string, string>, args: string[] = []): Promise<string[]> {
        const child = new RunningService(dir, { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), ...env }, args);
        const code = await Promise.race([child.exited, new Promise(resolve => setTimeout(() => resolve('running'), 20000))]);
        if (code === 'running') await child.stop();
        expect(code, JSON.stringify(env) + ' must stop the start:\n' + child.output).to.equal(1);
        return RunningService.linesOf(child.output);
    }

    /** A start that must succeed: the running service and its lines so far. */
    async function startedWith(env: Record<string, string>, args: string[] = []): Promise<string[]> {
        running = new RunningService(dir, env, args);
        await running.waitForOutput(/service-sessions \S+ started: /);
        return RunningService.linesOf(running.output);
    }

    it('refuses every bad value of every checked variable with one line that names it, its value and what is allowed', async () => {
        const cases = SessionsEnvironment.Variables.flatMap(variable =>
            badValuesOf(variable).map(value => ({ variable, value })));
        expect(cases.length, 'every number, port, choice and switch is walked').to.be.above(60);
        // Four at a time: each start is a process of its own.
        for (let index = 0; index < cases.length; index += 4) {
            await Promise.all(cases.slice(index, index + 4).map(async ({ variable, value }) => {
                const lines = await failedStart({ ...sectionOf(variable), [variable.name]: value });
                const what = variable.name + '=' + value;
                expect(lines, what + ' prints one line').to.have.length(1);
                expect(lines[0], what).to.contain('FATAL');
                expect(lines[0], what).to.contain('Cannot start: ' + variable.name + ' is "' + value + '"');
                expect(lines[0], what).to.match(/allowed is \S/);
            }));
        }
    });

    it('a failed start prints one line and no stack frame: port in use, store folder read-only, MongoDB unreachable, bad key, bad policy', async () => {
        const blocker = net.createServer();
        const busyPort = await freePort();
        await new Promise<void>(resolve => blocker.listen(busyPort, '127.0.0.1', resolve));
        const disk = await SmallDisk.mount(1024 * 1024);
        try {
            const failures: Array<[Record<string, string>, RegExp]> = [
                [{ HTTP_PORT: String(busyPort), MEMORY_ENABLED: 'true' }, new RegExp('Cannot listen on 127\\.0\\.0\\.1:' + busyPort + '.*EADDRINUSE')],
                [{ MONGO_ENABLED: 'true', MONGO_SERVICE_HOST: '127.0.0.1', MONGO_SERVICE_PORT: String(await freePort()), MONGO_CONNECT_TIMEOUT: '500' },
                    /Connection to mongodb failed: .*ECONNREFUSED/],
                [{ REDIS_ENABLED: 'true', REDIS_SERVICE_HOST: '127.0.0.1', REDIS_SERVICE_PORT: String(await freePort()), REDIS_CONNECT_TIMEOUT: '500' },
                    /Connection to redis failed: .*ECONNREFUSED/],
                [{ HTTP_API_KEY: 'short', MEMORY_ENABLED: 'true' }, /API key .*at least 16 characters/],
                [{ SESSION_LIMIT_POLICY: 'oldest', MEMORY_ENABLED: 'true' }, /SESSION_LIMIT_POLICY is "oldest".*allowed is one of evict_oldest, reject/]
            ];
            if (disk instanceof SmallDisk) {
                await disk.makeReadOnly();
                failures.push([{ FILE_PATH: path.join(disk.dir, 'sessions.json') }, /EROFS: read-only file system/]);
            } else {
                expect(process.env.CI, 'CI runs as root and mounts the read-only disk: ' + disk).to.not.equal('true');
            }
            for (const [env, pattern] of failures) {
                const lines = await failedStart(env);
                expect(lines, JSON.stringify(env)).to.have.length(1);
                expect(lines[0], JSON.stringify(env)).to.match(/FATAL.*Cannot start: /);
                expect(lines[0], JSON.stringify(env)).to.match(pattern);
                expect(lines[0]).to.not.match(/Stack trace|\bat \S+ \(/);
            }
        } finally {
            await new Promise<void>(resolve => blocker.close(() => resolve()));
            if (disk instanceof SmallDisk) await disk.unmount();
        }
    });

    it('checks the values of a config file the same way, naming the key where no variable was given', async () => {
        const configPath = path.join(dir, 'config.yml');
        const bundled = await fs.readFile(path.join(PACKAGE_ROOT, 'config', 'config.yml'), 'utf8');
        await fs.writeFile(configPath, bundled.replace(/^    cleanup_interval: .*$/m, '    cleanup_interval: "-1"'));
        const lines = await failedStart({}, ['-c', configPath]);
        expect(lines).to.have.length(1);
        expect(lines[0]).to.contain('Cannot start: options.cleanup_interval of service-sessions:controller:default is "-1": '
            + 'allowed is a whole number of milliseconds, 0 or more');
    });

    it('writes the stack of an expected failure only at LOG_LEVEL=debug', async () => {
        const lines = await failedStart({ HTTP_API_KEY: 'short', MEMORY_ENABLED: 'true', LOG_LEVEL: 'debug' });
        expect(lines[0]).to.match(/Cannot start: .*16 characters/);
        expect(lines.join('\n')).to.match(/\bat \S+/);
    });

    it('refuses a configuration with no API, or with two stores, in one line', async () => {
        const noApi = await failedStart({ HTTP_ENABLED: 'false', MEMORY_ENABLED: 'true' });
        expect(noApi).to.have.length(1);
        expect(noApi[0]).to.match(/Cannot start: No API is enabled: set HTTP_ENABLED, SENECA_ENABLED or GRPC_ENABLED/);
        const twoStores = await failedStart({ MEMORY_ENABLED: 'true', FILE_ENABLED: 'true' });
        expect(twoStores).to.have.length(1);
        expect(twoStores[0]).to.match(/Cannot start: More than one store is enabled \(memory, file\)/);
    });

    it('keeps a FILE_PATH with ": ", quotes and "#" as one path', async () => {
        const port = await freePort();
        const filePath = path.join(dir, 'a: "b" #c', 'sessions.json');
        await startedWith({ HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), FILE_PATH: filePath });
        const reply = await fetch('http://127.0.0.1:' + port + '/v1/sessions/open_session', { method: 'POST', body: '{"user_id":"u1"}' });
        expect(reply.status).to.equal(200);
        expect(await running!.stop()).to.equal(0);
        running = null;
        const stored = JSON.parse(await fs.readFile(filePath, 'utf8')) as Array<{ user_id: string }>;
        expect(stored.map(session => session.user_id)).to.deep.equal(['u1']);
    });

    it('prints a one-line summary: version, config file, store and sessions loaded, each API, the key, the timeouts', async () => {
        const port = await freePort();
        const env = { HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), IDLE_TIMEOUT: '1800000', MAX_SESSIONS_PER_USER: '3' };
        await startedWith(env);
        for (const user of ['u1', 'u2']) {
            await fetch('http://127.0.0.1:' + port + '/v1/sessions/open_session', { method: 'POST', body: JSON.stringify({ user_id: user }) });
        }
        await running!.stop();
        const lines = await startedWith(env);
        const version = (JSON.parse(await fs.readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
        const summary = lines.find(line => / started: /.test(line))!;
        expect(summary).to.contain('service-sessions ' + version + ' started: config ' + path.join(PACKAGE_ROOT, 'config', 'config.yml'));
        expect(summary).to.contain('store file ' + path.join(await fs.realpath(dir), 'data', 'sessions.json') + ' (2 sessions loaded)');
        expect(summary).to.contain('HTTP http://127.0.0.1:' + port + '; console http://127.0.0.1:' + port + '/console; API key off');
        expect(summary).to.contain('idle timeout 30m, absolute timeout off, touch interval 1m, sessions per user 3 (evict_oldest)');
    });

    it('with HTTP_PORT=0 and GRPC_PORT=0 listens on free ports the system picks, and names them in the summary', async () => {
        const lines = await startedWith({ HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_ENABLED: 'true', GRPC_HOST: '127.0.0.1', GRPC_PORT: '0',
            MEMORY_ENABLED: 'true' });
        const summary = lines.find(line => / started: /.test(line))!;
        const ports = /HTTP http:\/\/127\.0\.0\.1:(\d+), gRPC 127\.0\.0\.1:(\d+); console http:\/\/127\.0\.0\.1:(\d+)\/console;/.exec(summary);
        expect(ports, summary).to.not.equal(null);
        const [httpPort, grpcPort, consolePort] = ports!.slice(1).map(Number);
        expect(httpPort).to.be.above(0).and.not.equal(grpcPort);
        expect(consolePort).to.equal(httpPort);
        const reply = await fetch('http://127.0.0.1:' + httpPort + '/v1/sessions/open_session', { method: 'POST', body: '{"user_id":"u1"}' });
        expect(reply.status).to.equal(200);
        const opened = await reply.json() as { id: string };
        const grpc = new SessionsGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort } });
        await grpc.open(null);
        try {
            expect((await grpc.getSessionById(null, opened.id))!.user_id, 'the same service on the gRPC port').to.equal('u1');
        } finally {
            await grpc.close(null);
        }
    });

    it('with LOG_FORMAT=json the summary is one JSON object holding the same facts', async () => {
        const [httpPort, grpcPort] = [await freePort(), await freePort()];
        const configPath = path.join(dir, 'my-config.yml');
        await fs.copyFile(path.join(PACKAGE_ROOT, 'config.example.yml'), configPath);
        const lines = await startedWith({
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), GRPC_ENABLED: 'true', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort),
            MEMORY_ENABLED: 'true', HTTP_API_KEY: API_KEY, LOG_FORMAT: 'json'
        }, ['-c', configPath]);
        const entries = lines.map(line => JSON.parse(line) as { level: string; message: string; startup?: Record<string, unknown> });
        const summary = entries.find(entry => entry.startup != null)!;
        expect(summary.level).to.equal('info');
        expect(summary.startup).to.deep.include({
            config: configPath,
            store: { kind: 'memory', location: null, sessions: 0 },
            apis: [{ api: 'HTTP', address: 'http://127.0.0.1:' + httpPort }, { api: 'gRPC', address: '127.0.0.1:' + grpcPort }],
            console: 'http://127.0.0.1:' + httpPort + '/console',
            api_key: true
        });
        expect(summary.startup!.rules).to.deep.include({ idle_timeout: 86400000, absolute_timeout: 0, max_sessions_per_user: 0 });
        expect(JSON.stringify(entries)).to.not.contain(API_KEY);
    });

    it('warns when an API listens beyond loopback without a key, and not with a key or on loopback only', async () => {
        const warning = /WARN.*No API key is set and HTTP listens on http:\/\/0\.0\.0\.0:\d+: anyone who can reach it can list every session id/;
        let lines = await startedWith({ HTTP_HOST: '0.0.0.0', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true' });
        expect(lines.filter(line => warning.test(line))).to.have.length(1);
        await running!.stop();
        lines = await startedWith({ HTTP_HOST: '0.0.0.0', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true', HTTP_API_KEY: API_KEY });
        expect(lines.join('\n')).to.not.contain('No API key');
        await running!.stop();
        lines = await startedWith({ HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true' });
        expect(lines.join('\n')).to.not.contain('No API key');
    });
});
