import { ChildProcess, spawn } from 'child_process';
import { promises as fs } from 'fs';
import * as path from 'path';

import { PACKAGE_ROOT } from '../fixtures/TestService';
import { withTestAuditKey } from '../fixtures/TestAuditKey';

/** The most of each stream kept. */
const MAX_OUTPUT = 4 * 1024 * 1024;

/**
 * `node run` with the Seneca API as a child process, its stdout and stderr kept apart
 * (what it prints on stderr is checked on its own), and its peak memory readable.
 */
export class SenecaServiceProcess {
    public stdout = '';
    public stderr = '';
    public readonly exited: Promise<number | null>;
    private readonly _child: ChildProcess;
    private _closed = false;

    public constructor(cwd: string, env: Record<string, string>) {
        this._child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'run.js')], { cwd, env: withTestAuditKey(env), stdio: ['ignore', 'pipe', 'pipe'] });
        this._child.stdout!.on('data', (chunk: Buffer) => { if (this.stdout.length < MAX_OUTPUT) this.stdout += chunk.toString('utf8'); });
        this._child.stderr!.on('data', (chunk: Buffer) => { if (this.stderr.length < MAX_OUTPUT) this.stderr += chunk.toString('utf8'); });
        // 'close', not 'exit': after 'exit' the pipes may still hold the last lines.
        this.exited = new Promise(resolve => this._child.once('close', code => { this._closed = true; resolve(code); }));
    }

    public async waitForOutput(pattern: RegExp, timeoutMs = 30000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!pattern.test(this.stdout + this.stderr)) {
            if (Date.now() > deadline || this._closed) {
                throw new Error('Expected ' + pattern + ' in the output of node run:\n' + (this.stdout + this.stderr).slice(-4000));
            }
            await new Promise(resolve => setTimeout(resolve, 20));
        }
    }

    /** The process's peak resident memory in bytes (Linux's VmHWM), or null where /proc does not tell. */
    public async peakRss(): Promise<number | null> {
        try {
            const status = await fs.readFile('/proc/' + this._child.pid + '/status', 'utf8');
            const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
            return match == null ? null : Number(match[1]) * 1024;
        } catch {
            return null;
        }
    }

    /** SIGTERM, then the exit code; SIGKILL if it has not ended within timeoutMs. */
    public async stop(timeoutMs = 15000): Promise<number | null> {
        if (this._child.exitCode == null) this._child.kill('SIGTERM');
        const timer = setTimeout(() => { if (this._child.exitCode == null) this._child.kill('SIGKILL'); }, timeoutMs);
        try {
            return await this.exited;
        } finally {
            clearTimeout(timer);
        }
    }
}
