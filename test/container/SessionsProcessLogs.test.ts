import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionsProcess } from '../../src/container/SessionsProcess';
import { RunningService } from '../fixtures/RunningService';
import { freePort } from '../fixtures/TestService';

const API_KEY = 'api-key-of-the-log-tests-0001';

describe('SessionsProcess log lines', function () {
    this.timeout(60000);
    let dir: string;
    let running: RunningService | null = null;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-logs-'));
    });

    afterEach(async () => {
        if (running != null) await running.stop();
        running = null;
        await fs.rm(dir, { recursive: true, force: true });
    });

    /** Starts at trace level, opens a session, stops with SIGTERM; returns the output and the session id. */
    async function runOnce(format: string, env: Record<string, string> = {}): Promise<{ output: string; sessionId: string }> {
        const port = await freePort();
        running = new RunningService(dir, {
            HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), MEMORY_ENABLED: 'true', LOG_LEVEL: 'trace', LOG_FORMAT: format,
            HTTP_API_KEY: API_KEY, ...env
        });
        await running.waitForOutput(/listening at/);
        const response = await fetch('http://127.0.0.1:' + port + '/v1/sessions/open_session', {
            method: 'POST', headers: { 'x-api-key': API_KEY },
            body: JSON.stringify({ user_id: 'u1', user: { name: 'user-object' }, data: { note: 'session-data' } })
        });
        const sessionId = ((await response.json()) as { id: string }).id;
        expect(await running.stop()).to.equal(0);
        return { output: running.output, sessionId };
    }

    it('names one source in every text line, from the first (the configuration) to the last (stopped)', async () => {
        const { output } = await runOnce('text');
        const lines = RunningService.linesOf(output);
        expect(lines[0]).to.contain('Configuration read from');
        expect(lines[lines.length - 1]).to.contain('stopped');
        for (const line of lines) expect(line).to.match(new RegExp('^' + SessionsProcess.Source + ' \\[[^\\]]*:[A-Z]+:[^\\]]+\\] '));
    });

    it('names one source in every JSON line, the AUDIT_KEY warning and the audit lines included', async () => {
        const { output } = await runOnce('json', { AUDIT_KEY: '' });
        const entries = RunningService.linesOf(output).map(line => JSON.parse(line) as { source?: string; message: string });
        expect(entries.map(entry => entry.source)).to.deep.equal(entries.map(() => SessionsProcess.Source));
        expect(entries.some(entry => entry.message.startsWith('AUDIT_KEY is not set'))).to.equal(true);
        expect(entries.some(entry => entry.message === 'audit')).to.equal(true);
    });

    it('names the source in the line of a start that fails before the configured logger exists, in both formats', async () => {
        running = new RunningService(dir, { LOG_FORMAT: 'json' }, ['-c', path.join(dir, 'missing.yml')]);
        expect(await running.exited).to.equal(1);
        const entry = JSON.parse(RunningService.linesOf(running.output)[0]) as { source: string; level: string; message: string };
        expect(entry).to.include({ source: SessionsProcess.Source, level: 'fatal' });
        expect(entry.message).to.match(/Cannot start: Failed reading configuration .*missing\.yml/);

        running = new RunningService(dir, { LOG_FORMAT: 'xml' });
        expect(await running.exited).to.equal(1);
        expect(RunningService.linesOf(running.output)[0]).to.match(new RegExp('^' + SessionsProcess.Source + ' \\[.*LOG_FORMAT is "xml"'));
    });

    it('at trace level writes the configuration as JSON with its secrets redacted, and no session id, data or user', async () => {
        const { output, sessionId } = await runOnce('text');
        expect(output).to.not.contain('[object Object]');
        expect(output).to.match(/Configuration read from .*config\.yml: \[\{"descriptor":"pip-services:context-info:default:default:1\.0"/);
        expect(output).to.contain('"auth.api_key":"[redacted]"');
        for (const secret of [API_KEY, sessionId, 'session-data', 'user-object']) expect(output).to.not.contain(secret);
    });
});
