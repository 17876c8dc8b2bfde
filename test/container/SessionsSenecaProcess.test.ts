import { promises as fs } from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionsSenecaClientPlugin } from '../../src/services/version1/SessionsSenecaClientPlugin';
import { SenecaApp, SenecaTestApp } from '../fixtures/SenecaTestApp';
import { RunningService } from '../fixtures/RunningService';
import { freePort, PACKAGE_ROOT } from '../fixtures/TestService';

async function refused(port: number): Promise<boolean> {
    return await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => { socket.destroy(); resolve(false); });
        socket.once('error', () => resolve(true));
    });
}

describe('SessionsProcess (node run) with the Seneca API', function () {
    this.timeout(60000);
    let dir: string;
    let running: RunningService | null = null;
    let client: SenecaApp | null = null;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-seneca-run-'));
    });

    afterEach(async () => {
        if (client != null) await SenecaTestApp.close(client);
        client = null;
        if (running != null) await running.stop();
        running = null;
        await fs.rm(dir, { recursive: true, force: true });
    });

    it('SENECA_ENABLED=true serves Seneca beside HTTP, quietly, and SIGTERM still ends the process with 0', async () => {
        const [httpPort, senecaPort] = [await freePort(), await freePort()];
        running = new RunningService(dir, {
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), MEMORY_ENABLED: 'true',
            SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort)
        });
        await running.waitForOutput(new RegExp('Seneca API listening at tcp://127\\.0\\.0\\.1:' + senecaPort));
        await running.waitForOutput(/started/);

        client = SenecaTestApp.create();
        client.use(SessionsSenecaClientPlugin, { host: '127.0.0.1', port: senecaPort });
        await SenecaTestApp.ready(client);
        const opened = await client.post({ role: 'sessions', version: 1, cmd: 'open_session', user_id: 'u1' }) as { id: string };
        const failed = await SenecaTestApp.failureOf(client.post({ role: 'sessions', version: 1, cmd: 'get_session_by_id' }));
        expect(failed.code).to.equal('INVALID_DATA');
        const overHttp = await fetch('http://127.0.0.1:' + httpPort + '/v1/sessions/get_session_by_id', {
            method: 'POST', body: JSON.stringify({ session_id: opened.id })
        });
        expect(((await overHttp.json()) as { id: string }).id, 'one store behind both APIs').to.equal(opened.id);

        // close_user_sessions over Seneca: its reply is an object, as a Seneca reply must be.
        const second = await client.post({ role: 'sessions', version: 1, cmd: 'open_session', user_id: 'u1' }) as { id: string };
        expect(await client.post({ role: 'sessions', version: 1, cmd: 'close_user_sessions', user_id: 'u1', except_session_id: opened.id }))
            .to.deep.equal({ closed: 1 });
        const revoked = await client.post({ role: 'sessions', version: 1, cmd: 'get_session_by_id', session_id: second.id }) as
            { active: boolean; close_reason: string };
        expect([revoked.active, revoked.close_reason]).to.deep.equal([false, 'revoked']);

        // validate_session over Seneca: the live session, or null for one that is not.
        const valid = await client.post({ role: 'sessions', version: 1, cmd: 'validate_session', session_id: opened.id }) as
            { id: string; active: boolean; expires_at: string };
        expect([valid.id, valid.active, typeof valid.expires_at]).to.deep.equal([opened.id, true, 'string']);
        expect(await client.post({ role: 'sessions', version: 1, cmd: 'validate_session', session_id: second.id })).to.equal(null);

        const started = Date.now();
        expect(await running.stop(), 'SIGTERM closes cleanly with a client still connected').to.equal(0);
        expect(Date.now() - started).to.be.below(10000);
        expect(running.output, 'no Seneca log lines of its own (JSON)').to.not.match(/^\{/m);
        expect(running.output, 'no stack of a rejected call').to.not.match(/\bat .+\.js:\d+/);
    });

    it('with SENECA_ENABLED unset or false starts nothing of Seneca', async () => {
        for (const enabled of [undefined, 'false']) {
            const senecaPort = await freePort();
            const env: Record<string, string> = {
                HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true', SENECA_PORT: String(senecaPort)
            };
            if (enabled != null) env.SENECA_ENABLED = enabled;
            running = new RunningService(dir, env);
            await running.waitForOutput(/started/);
            expect(running.output).to.not.match(/Seneca/);
            expect(await refused(senecaPort), 'nothing listens on SENECA_PORT').to.equal(true);
            expect(await running.stop()).to.equal(0);
            running = null;
        }
    });

    it('serves Seneca from a copy of config.example.yml that reads SENECA_ENABLED like the bundled config', async () => {
        const [httpPort, senecaPort] = [await freePort(), await freePort()];
        const configPath = path.join(dir, 'config.yml');
        await fs.copyFile(path.join(PACKAGE_ROOT, 'config.example.yml'), configPath);
        running = new RunningService(dir, {
            SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort),
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort), FILE_PATH: path.join(dir, 'sessions.json')
        }, ['-c', configPath]);
        await running.waitForOutput(new RegExp('Seneca API listening at tcp://127\\.0\\.0\\.1:' + senecaPort));
        client = SenecaTestApp.create();
        client.use(SessionsSenecaClientPlugin, { host: '127.0.0.1', port: senecaPort });
        await SenecaTestApp.ready(client);
        const opened = await client.post({ role: 'sessions', version: 1, cmd: 'open_session', user_id: 'u1' }) as { user_id: string };
        expect(opened.user_id).to.equal('u1');
        await SenecaTestApp.close(client);
        client = null;
        expect(await running.stop()).to.equal(0);
    });

    it('exits 1 with a clear message when SENECA_PORT is taken', async () => {
        const senecaPort = await freePort();
        const blocker = net.createServer();
        await new Promise<void>(resolve => blocker.listen(senecaPort, '127.0.0.1', () => resolve()));
        try {
            running = new RunningService(dir, {
                HTTP_HOST: '127.0.0.1', HTTP_PORT: String(await freePort()), MEMORY_ENABLED: 'true',
                SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort)
            });
            expect(await running.exited).to.equal(1);
            expect(running.output).to.match(new RegExp('Seneca API cannot listen on 127\\.0\\.0\\.1:' + senecaPort));
        } finally {
            await new Promise<void>(resolve => blocker.close(() => resolve()));
        }
    });
});
