import { ChildProcess, spawn } from 'child_process';
import { promises as fs } from 'fs';

/** One service process under load: ours, the original, or the bare Node baseline. */
export class BenchService {
    public readonly label: string;
    public readonly port: number;
    private static readonly KeptChars = 20000;
    /** The service's latest output, in chunks: joined only when read, so the load generator pays nothing per log line. */
    private readonly _chunks: string[] = [];
    private _keptLength = 0;
    private readonly _child: ChildProcess;
    private readonly _exited: Promise<void>;

    private constructor(label: string, port: number, child: ChildProcess) {
        this.label = label;
        this.port = port;
        this._child = child;
        child.stdout!.on('data', (chunk: Buffer) => this.keep(chunk));
        child.stderr!.on('data', (chunk: Buffer) => this.keep(chunk));
        this._exited = new Promise(resolve => child.once('exit', () => resolve()));
    }

    /** The last 20,000 characters the service wrote, stdout and stderr as they came. */
    public get output(): string {
        return this._chunks.join('').slice(-BenchService.KeptChars);
    }

    private keep(chunk: Buffer): void {
        const text = chunk.toString('utf8');
        this._chunks.push(text);
        this._keptLength += text.length;
        while (this._keptLength - this._chunks[0].length >= BenchService.KeptChars) this._keptLength -= this._chunks.shift()!.length;
    }

    /** Spawns `node <args>` (this process's node unless another is given) and resolves, with the time it took, once the port answers HTTP. */
    public static async start(label: string, port: number, args: string[], env: Record<string, string>,
        cwd: string, timeoutMs = 300000, node = process.execPath): Promise<{ service: BenchService; readyMs: number }> {
        const started = Date.now();
        const child = spawn(node, args, {
            cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe']
        });
        const service = new BenchService(label, port, child);
        while (Date.now() - started < timeoutMs) {
            if (child.exitCode != null) throw new Error(label + ' exited during start:\n' + service.output);
            const ready = await fetch('http://127.0.0.1:' + port + '/', { method: 'GET' }).then(() => true, () => false);
            if (ready) return { service, readyMs: Date.now() - started };
            await new Promise(resolve => setTimeout(resolve, 50));
        }
        await service.stop();
        throw new Error(label + ' did not start within ' + timeoutMs + ' ms:\n' + service.output);
    }

    /** The most memory the process has held (VmHWM), in MB; 0 where /proc is missing. */
    public async peakRssMb(): Promise<number> {
        try {
            const status = await fs.readFile('/proc/' + this._child.pid + '/status', 'utf8');
            const match = /VmHWM:\s+(\d+) kB/.exec(status);
            return match ? Math.round(Number(match[1]) / 1024) : 0;
        } catch {
            return 0;
        }
    }

    /** The process id, or null when it could not be spawned. */
    public get pid(): number | null {
        return this._child.pid ?? null;
    }

    /**
     * Resolves once none of the processes used over 5% of a core in the last 250 ms, or after
     * maxMs, with the milliseconds waited: a service still working off the requests of its
     * last run (the original's file store rewrites its whole file per write, for seconds after
     * the load generator stops) or a store's server doing the same would otherwise slow the
     * next run, whichever service it measures.
     */
    public static async waitPidsIdle(pids: number[], maxMs = 30000): Promise<number> {
        const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
        const cpuTicks = async (pid: number): Promise<number | null> => {
            try {
                const stat = await fs.readFile('/proc/' + pid + '/stat', 'utf8');
                const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
                return Number(fields[11]) + Number(fields[12]); // utime + stime
            } catch {
                return null;
            }
        };
        const started = Date.now();
        let before = await Promise.all(pids.map(cpuTicks));
        while (Date.now() - started < maxMs) {
            await new Promise(resolve => setTimeout(resolve, 250));
            const after = await Promise.all(pids.map(cpuTicks));
            const busy = after.some((ticks, index) => ticks != null && before[index] != null
                && ticks - before[index]! > 0.05 * 250 * ticksPerMs);
            if (!busy) break;
            before = after;
        }
        return Date.now() - started;
    }

    public async stop(): Promise<void> {
        if (this._child.exitCode == null && this._child.signalCode == null) {
            this._child.kill('SIGTERM');
            const timer = setTimeout(() => this._child.kill('SIGKILL'), 30000);
            await this._exited;
            clearTimeout(timer);
        }
    }
}
