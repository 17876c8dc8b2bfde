import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionsCommandableGrpcClientV1, SessionsGrpcClientV1 } from '../../src';
import { RunningService } from '../fixtures/RunningService';
import { freePort, PACKAGE_ROOT } from '../fixtures/TestService';

describe('SessionsProcess (node run) with GRPC_ENABLED', function () {
    this.timeout(60000);
    let dir: string;
    let running: RunningService | null = null;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-grpc-run-'));
    });

    afterEach(async () => {
        if (running != null) await running.stop();
        running = null;
        await fs.rm(dir, { recursive: true, force: true });
    });

    it('serves both gRPC APIs on GRPC_PORT next to HTTP, and exits 0 on SIGTERM with clients still connected', async () => {
        const grpcPort = await freePort();
        running = new RunningService(dir, {
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true',
            GRPC_ENABLED: 'true', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort)
        });
        await running.waitForOutput(/gRPC API listening at 127\.0\.0\.1:\d+/);
        const plain = new SessionsGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort } });
        const commandable = new SessionsCommandableGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort } });
        await plain.open(null);
        await commandable.open(null);
        try {
            const opened = await plain.openSession(null, 'u1', 'Ann');
            expect((await commandable.getSessionById(null, opened.id))!.user_name).to.equal('Ann');

            const started = Date.now();
            expect(await running.stop(), 'SIGTERM closes cleanly with exit code 0').to.equal(0);
            expect(Date.now() - started, 'open client channels do not hold the close').to.be.below(5000);
            expect(running.output).to.not.match(/DeprecationWarning: Calling start\(\)/);
        } finally {
            await plain.close(null);
            await commandable.close(null);
        }
    });

    it('serves gRPC from a copy of config.example.yml that reads GRPC_ENABLED like the bundled config', async () => {
        const grpcPort = await freePort();
        const httpPort = await freePort();
        const configPath = path.join(dir, 'config.yml');
        await fs.copyFile(path.join(PACKAGE_ROOT, 'config.example.yml'), configPath);
        running = new RunningService(dir, {
            GRPC_ENABLED: 'true', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort),
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), FILE_PATH: path.join(dir, 'sessions.json')
        }, ['-c', configPath]);
        await running.waitForOutput(/gRPC API listening at 127\.0\.0\.1:/);
        const client = new SessionsCommandableGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort } });
        await client.open(null);
        try {
            expect((await client.openSession(null, 'u1')).user_id).to.equal('u1');
        } finally {
            await client.close(null);
        }
        expect(await running.stop()).to.equal(0);
    });

    it('GRPC_ENABLED=false (or unset) serves no gRPC', async () => {
        const grpcPort = await freePort();
        running = new RunningService(dir, {
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true',
            GRPC_ENABLED: 'false', GRPC_PORT: String(grpcPort)
        });
        await running.waitForOutput(/listening at/);
        expect(running.output).to.not.match(/gRPC/);
        const client = new SessionsGrpcClientV1({ connection: { host: '127.0.0.1', port: grpcPort }, options: { timeout: 3000 } });
        await client.open(null);
        try {
            let code = '';
            await client.getSessionById(null, 's1').catch((err: { code: string }) => { code = err.code; });
            expect(code).to.equal('CONNECTION_FAILED');
        } finally {
            await client.close(null);
        }
    });
});
