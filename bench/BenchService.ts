import { ChildProcess, spawn } from 'child_process';
import { promises as fs } from 'fs';

/** One service process under load: ours, the original, or the bare Node baseline. */
export class BenchService {
    public readonly label: string;
    public readonly port: number;
    public output = '';
    private readonly _child: ChildProcess;
    private readonly _exited: Promise<void>;

    private constructor(label: string, port: number, child: ChildProcess) {
        this.label = label;
        this.port = port;
        this._child = child;
        child.stdout!.on('data', chunk => { this.output = (this.output + chunk).slice(-20000); });
        child.stderr!.on('data', chunk => { this.output = (this.output + chunk).slice(-20000); });
        this._exited = new Promise(resolve => child.once('exit', () => resolve()));
    }

    /** Spawns `node <args>` and resolves, with the time it took, once the port answers HTTP. */
    public static async start(label: string, port: number, args: string[], env: Record<string, string>,
        cwd: string, timeoutMs = 300000): Promise<{ service: BenchService; readyMs: number }> {
        const started = Date.now();
        const child = spawn(process.execPath, args, {
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

    public async stop(): Promise<void> {
        if (this._child.exitCode == null && this._child.signalCode == null) {
            this._child.kill('SIGTERM');
            const timer = setTimeout(() => this._child.kill('SIGKILL'), 30000);
            await this._exited;
            clearTimeout(timer);
        }
    }
}
