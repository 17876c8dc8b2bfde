import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

import { expect } from 'chai';
import { ConfigParams } from 'pip-services3-commons-nodex';
import { YamlConfigReader } from 'pip-services3-components-nodex';

import { MongoTestServer } from '../fixtures/MongoTestServer';
import { RedisTestServer } from '../fixtures/RedisTestServer';
import { RunningService } from '../fixtures/RunningService';
import { freePort, PACKAGE_ROOT } from '../fixtures/TestService';

interface ComposeService {
    image?: string;
    build?: string;
    ports?: string[];
    environment?: Record<string, string>;
    volumes?: string[];
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
}

interface ComposeFile {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
}

const run = promisify(execFile);

/** Every variable compose sets is one the bundled config reads. */
async function expectReadByConfig(environment: Record<string, string>): Promise<void> {
    const config = await fs.readFile(path.join(PACKAGE_ROOT, 'config', 'config.yml'), 'utf8');
    for (const name of Object.keys(environment)) {
        expect(config, name + ' is read by config/config.yml').to.match(new RegExp('\\{\\{[#a-z ]*' + name + '\\}\\}'));
    }
}

/** Starts the service with compose's environment (plus overrides and a free port), runs the compose health check against it; the service's output. */
async function runHealthCheck(compose: ComposeFile, overrides: Record<string, string>): Promise<string> {
    const port = await freePort();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-compose-'));
    const service = new RunningService(dir, { ...compose.services.sessions.environment, ...overrides, HTTP_PORT: String(port) });
    try {
        await service.waitForOutput(/listening at/);
        // The check is written for the container's port 8080; here the service listens on a free one.
        const [command, ...args] = compose.services.sessions.healthcheck!.test.slice(1)
            .map(arg => arg.replace('127.0.0.1:8080', '127.0.0.1:' + port));
        expect(command).to.equal('node');
        await run(process.execPath, args, { timeout: 15000 });
        return service.output;
    } finally {
        await service.stop();
        await fs.rm(dir, { recursive: true, force: true });
    }
}

/**
 * Compose cannot run on these machines; what can be checked is that the file agrees with
 * the image and the config it starts, and that its health check works against the real
 * service configured as compose configures it.
 */
describe('docker-compose.yml', function () {
    this.timeout(60000);
    let compose: ComposeFile;
    let dockerfile: string;

    before(async () => {
        compose = YamlConfigReader.readObject('test', path.join(PACKAGE_ROOT, 'docker-compose.yml'), new ConfigParams()) as ComposeFile;
        dockerfile = await fs.readFile(path.join(PACKAGE_ROOT, 'Dockerfile'), 'utf8');
    });

    it('builds this image, publishes the port it exposes, and runs MongoDB 7 on a named volume', async () => {
        const sessions = compose.services.sessions;
        expect(sessions.build).to.equal('.');
        const exposed = /^EXPOSE (\d+)$/m.exec(dockerfile)?.[1];
        expect(sessions.ports).to.deep.equal(['8080:' + exposed]);
        expect(sessions.depends_on).to.deep.equal({ mongo: { condition: 'service_healthy' } });

        const mongo = compose.services.mongo;
        expect(mongo.image).to.equal('mongo:7');
        const [volume, mountPoint] = (mongo.volumes ?? [])[0].split(':');
        expect(mountPoint).to.equal('/data/db');
        expect(compose.volumes).to.have.property(volume);
        expect(mongo.healthcheck?.test.join(' ')).to.contain('ping');
    });

    it('sets only variables the bundled config reads, pointing the MongoDB store at the mongo service', async () => {
        const environment = compose.services.sessions.environment ?? {};
        await expectReadByConfig(environment);
        expect(environment).to.include({ MONGO_ENABLED: 'true', MONGO_SERVICE_HOST: 'mongo', MONGO_SERVICE_PORT: '27017' });
    });

    it('its health check passes against the service started with its environment', async function () {
        const server = await MongoTestServer.require(this);
        const url = new URL(server.uriFor('compose_tests'));
        const output = await runHealthCheck(compose, { MONGO_SERVICE_HOST: url.hostname, MONGO_SERVICE_PORT: url.port });
        const lines = output.split('\n').filter(line => line !== '');
        for (const line of lines) expect(() => JSON.parse(line), 'LOG_FORMAT=json: ' + line).to.not.throw();
    });
});

describe('docker-compose.redis.yml', function () {
    this.timeout(60000);
    let compose: ComposeFile;

    before(() => {
        compose = YamlConfigReader.readObject('test', path.join(PACKAGE_ROOT, 'docker-compose.redis.yml'), new ConfigParams()) as ComposeFile;
    });

    it('runs Redis 7 with an append-only file fsynced on every write, on a named volume, beside this image', () => {
        const sessions = compose.services.sessions;
        expect([sessions.build, sessions.ports]).to.deep.equal(['.', ['8080:8080']]);
        expect(sessions.depends_on).to.deep.equal({ redis: { condition: 'service_healthy' } });
        const redis = compose.services.redis as ComposeService & { command?: string[] };
        expect(redis.image).to.equal('redis:7');
        expect(redis.command?.join(' ')).to.contain('--appendonly yes').and.contain('--appendfsync always');
        const [volume, mountPoint] = (redis.volumes ?? [])[0].split(':');
        expect(mountPoint).to.equal('/data');
        expect(compose.volumes).to.have.property(volume);
        expect(redis.healthcheck?.test.join(' ')).to.contain('ping');
    });

    it('sets only variables the bundled config reads, pointing the Redis store at the redis service', async () => {
        const environment = compose.services.sessions.environment ?? {};
        await expectReadByConfig(environment);
        expect(environment).to.include({ REDIS_ENABLED: 'true', REDIS_SERVICE_HOST: 'redis', REDIS_SERVICE_PORT: '6379' });
    });

    it('its health check passes against the service started with its environment', async function () {
        const server = await RedisTestServer.require(this);
        const url = new URL(server.uri);
        await runHealthCheck(compose, { REDIS_SERVICE_HOST: url.hostname, REDIS_SERVICE_PORT: url.port, REDIS_KEY_PREFIX: 'compose_tests:' });
    });
});
