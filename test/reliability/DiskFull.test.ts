import { promises as fs } from 'fs';
import * as path from 'path';

import { expect } from 'chai';

import { SmallDisk } from '../fixtures/SmallDisk';
import { freePort } from '../fixtures/TestService';
import { RunningService } from '../fixtures/RunningService';

const KEY = 'disk-full-test-key-000001';

/**
 * The file store on a disk that fills up, end to end through `node run` and HTTP: writes
 * fail cleanly with 503, a stop leaves no partial snapshot, a restart on the full disk
 * serves reads and reports not ready, and once there is room again everything works and
 * nothing acknowledged is missing.
 */
describe('File store on a full disk (node run)', function () {
    this.timeout(120000);
    let disk: SmallDisk | null = null;
    let child: RunningService | null = null;
    let url: string;

    beforeEach(async function () {
        const mounted = await SmallDisk.mount(8 * 1024 * 1024);
        if (typeof mounted === 'string') this.skip();
        disk = mounted as SmallDisk;
    });

    afterEach(async () => {
        await child?.stop();
        child = null;
        await disk?.unmount();
        disk = null;
    });

    async function start(): Promise<RunningService> {
        const port = await freePort();
        url = 'http://127.0.0.1:' + port;
        const service = new RunningService(disk!.dir, {
            PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), HTTP_API_KEY: KEY,
            FILE_PATH: path.join(disk!.dir, 'sessions.json'), AUDIT_KEY: 'disk-full-audit-key-01', LOG_LEVEL: 'info'
        });
        await service.waitForOutput(/HTTP API listening/);
        return service;
    }

    async function call(command: string, args: unknown): Promise<{ status: number; body: Record<string, unknown> | null }> {
        const reply = await fetch(url + '/v1/sessions/' + command, {
            method: 'POST', headers: { 'Content-Type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(args)
        });
        const text = await reply.text();
        return { status: reply.status, body: text === '' ? null : JSON.parse(text) as Record<string, unknown> };
    }

    async function ready(): Promise<{ status: number; body: Record<string, unknown> }> {
        const reply = await fetch(url + '/ready');
        return { status: reply.status, body: await reply.json() as Record<string, unknown> };
    }

    it('refuses writes with 503, stops and restarts without losing or half-writing anything, and recovers once there is room', async () => {
        child = await start();
        const acknowledged: string[] = [];
        for (let index = 0; index < 50; index++) {
            const opened = await call('open_session', { user_id: 'u' + index, data: { pad: 'x'.repeat(2000) } });
            expect(opened.status).to.equal(200);
            acknowledged.push(opened.body!.id as string);
        }
        await disk!.fill();

        const refused = await call('open_session', { user_id: 'late', data: { pad: 'y'.repeat(20000) } });
        expect([refused.status, refused.body!.code]).to.deep.equal([503, 'STORE_NOT_WRITABLE']);
        expect(JSON.stringify(refused.body), 'no path or errno detail reaches the client').to.not.match(/ENOSPC|sessions\.json|\/tmp/);
        const notReady = await ready();
        expect(notReady.status).to.equal(503);
        expect((notReady.body.details as Record<string, string>).reason).to.equal('STORE_NOT_WRITABLE');
        expect((await call('get_session_by_id', { session_id: acknowledged[0] })).status, 'reads still work').to.equal(200);

        expect(await child.stop(), 'SIGTERM on a full disk still exits cleanly').to.equal(0);
        child = null;
        expect(await fs.readdir(disk!.dir), 'no partial temporary snapshot').to.not.include('sessions.json.tmp');

        child = await start();
        for (const id of [acknowledged[0], acknowledged[49]]) {
            expect((await call('get_session_by_id', { session_id: id })).status, 'restarted on the full disk, reads work').to.equal(200);
        }
        expect((await ready()).status, 'not ready while writes cannot be made durable').to.equal(503);
        const stillRefused = await call('store_session_data', { session_id: acknowledged[1], data: { n: 1 } });
        expect([stillRefused.status, stillRefused.body!.code]).to.deep.equal([503, 'STORE_NOT_WRITABLE']);

        await disk!.free();
        const readyAgain = await ready();
        expect(readyAgain.status, 'ready once a probe write succeeds').to.equal(200);
        expect((await call('store_session_data', { session_id: acknowledged[1], data: { n: 2 } })).status).to.equal(200);
        const page = await call('get_sessions', { paging: { total: true, take: 100 } });
        expect(page.body!.total, 'every acknowledged session, and not the refused one').to.equal(50);
        expect(((await call('get_session_by_id', { session_id: acknowledged[1] })).body!.data as { n: number }).n).to.equal(2);
        expect(child.output, 'no stack trace in the log for an expected disk failure').to.not.match(/\n\s+at .*\(.*:\d+:\d+\)/);
    });
});
