import { execFile } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

import { expect } from 'chai';

import { RunningService } from '../fixtures/RunningService';
import { freePort, PACKAGE_ROOT } from '../fixtures/TestService';

const run = promisify(execFile);

/** restify and its HTTP/2 stack do not load on Node 24 (http-deceiver calls a removed process.binding). */
const FORBIDDEN = /[\\/]node_modules[\\/](restify|spdy|http-deceiver)[\\/]/;

/** The modules a fresh process holds after requiring each of `entries` (paths from the package root). */
async function modulesLoadedBy(entries: string[]): Promise<string[]> {
    const script = 'for (const entry of JSON.parse(process.argv[1])) require(require("path").join(process.cwd(), entry));'
        + 'process.stdout.write(JSON.stringify(Object.keys(require.cache)));';
    const { stdout, stderr } = await run(process.execPath, ['-e', script, JSON.stringify(entries)], { cwd: PACKAGE_ROOT });
    expect(stderr, 'loading prints nothing (no deprecation warning)').to.equal('');
    return JSON.parse(stdout) as string[];
}

describe('Node.js runtime (' + process.version + ')', function () {
    this.timeout(60000);

    it('loads the service, every client and the Lambda handler without restify, spdy or http-deceiver', async () => {
        const loaded = await modulesLoadedBy(['obj/src/index.js', 'obj/src/container/SessionsProcess.js',
            'obj/src/clients/version1/index.js', 'obj/src/build/SessionsClientFactory.js', 'bin/lambda.js']);
        expect(loaded.some(file => file.endsWith(path.join('obj', 'src', 'index.js'))), 'the package index was loaded').to.equal(true);
        expect(loaded.some(file => /[\\/]node_modules[\\/]@grpc[\\/]grpc-js[\\/]/.test(file)), 'the gRPC stack was loaded').to.equal(true);
        expect(loaded.filter(file => FORBIDDEN.test(file))).to.deep.equal([]);
    });

    it('loads the clients alone without restify, spdy or http-deceiver', async () => {
        const loaded = await modulesLoadedBy(['obj/src/clients/version1/index.js']);
        expect(loaded.filter(file => FORBIDDEN.test(file))).to.deep.equal([]);
    });

    it('starts with HTTP, gRPC and Seneca on, serves, and prints no deprecation warning', async () => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-runtime-'));
        const httpPort = await freePort();
        const running = new RunningService(dir, {
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), MEMORY_ENABLED: 'true', AUDIT_KEY: 'runtime-test-audit-key',
            GRPC_ENABLED: 'true', GRPC_HOST: '127.0.0.1', GRPC_PORT: String(await freePort()),
            SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(await freePort())
        });
        try {
            await running.waitForOutput(/gRPC API listening at/);
            await running.waitForOutput(/HTTP API listening at/);
            const reply = await fetch('http://127.0.0.1:' + httpPort + '/v1/sessions/open_session', {
                method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: 'u1' })
            });
            expect(reply.status).to.equal(200);
            expect(((await reply.json()) as { user_id: string }).user_id).to.equal('u1');
            const heartbeat = await fetch('http://127.0.0.1:' + httpPort + '/heartbeat');
            expect(heartbeat.status).to.equal(200);
            expect(await running.stop()).to.equal(0);
            expect(running.output).to.not.match(/Warning|DEP0\d+/);
        } finally {
            await running.stop();
            await fs.rm(dir, { recursive: true, force: true });
        }
    });
});
