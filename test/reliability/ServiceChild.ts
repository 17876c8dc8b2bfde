import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

import { PACKAGE_ROOT } from '../fixtures/TestService';
import { withTestAuditKey } from '../fixtures/TestAuditKey';

/** The most output kept; a long run must not grow the test process without bound. */
const MAX_OUTPUT = 2 * 1024 * 1024;

/**
 * `node run` as a child process that a test may also kill hard (RunningService only
 * stops it with SIGTERM). Its output is kept, the tail of it once it grows large.
 */
export class ServiceChild {
    public readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    private readonly _child: ChildProcess;
    private _output = '';
    private _outputDropped = 0;
    private _closed = false;

    public constructor(cwd: string, env: Record<string, string>, args: string[] = []) {
        this._child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'run.js'), ...args], {
            cwd, env: withTestAuditKey(env), stdio: ['ignore', 'pipe', 'pipe']
        });
        const keep = (chunk: Buffer): void => {
            this._output += chunk.toString('utf8');
            if (this._output.length > MAX_OUTPUT) {
                const cut = this._output.length - MAX_OUTPUT / 2;
                this._outputDropped += cut;
                this._output = this._output.slice(cut);
            }
        };
        this._child.stdout!.on('data', keep);
        this._child.stderr!.on('data', keep);
        // 'close', not 'exit': after 'exit' the pipes may still hold the last lines.
        this.exited = new Promise(resolve => this._child.once('close', (code, signal) => { this._closed = true; resolve({ code, signal }); }));
    }

    public get output(): string {
        return this._outputDropped > 0 ? '[' + this._outputDropped + ' characters dropped]\n' + this._output : this._output;
    }

    public get alive(): boolean {
        return this._child.exitCode == null && this._child.signalCode == null;
    }

    public async waitForOutput(pattern: RegExp, timeoutMs = 30000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!pattern.test(this._output)) {
            if (Date.now() > deadline || this._closed) {
                throw new Error('Expected ' + pattern + ' in the output of node run:\n' + this.output.slice(-4000));
            }
            await new Promise(resolve => setTimeout(resolve, 10));
        }
    }

    /** SIGKILL: no handler runs, nothing is flushed; as a crash or an OOM kill. */
    public async kill(): Promise<void> {
        if (this.alive) this._child.kill('SIGKILL');
        await this.exited;
    }

    /** SIGTERM, then the exit code; SIGKILL if it has not ended within timeoutMs. */
    public async stop(timeoutMs = 15000): Promise<number | null> {
        if (this.alive) this._child.kill('SIGTERM');
        const timer = setTimeout(() => { if (this.alive) this._child.kill('SIGKILL'); }, timeoutMs);
        try {
            return (await this.exited).code;
        } finally {
            clearTimeout(timer);
        }
    }
}
