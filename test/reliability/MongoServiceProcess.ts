import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { RunningService } from '../fixtures/RunningService';
import { freePort } from '../fixtures/TestService';

/** Longer than any answer the service may legitimately take here; a hang shows as status 0. */
const REQUEST_TIMEOUT_MS = 30000;

/** One HTTP exchange: when it started, how long it took, what came back (status 0: no answer). */
export interface TimedReply {
    readonly started: number;
    readonly latency: number;
    readonly status: number;
    readonly text: string;
}

/** A session as the HTTP API returns it. */
export interface SessionJson {
    id: string;
    user_id: string;
    active: boolean;
    open_time: string;
    request_time: string;
    close_time?: string | null;
    user?: unknown;
    data?: unknown;
}

/**
 * `node run` on the MongoDB store (or, through startWith(), on any store), in a temporary
 * working folder of its own, with only the given environment. The reliability tests drive
 * several of these at once, against a database they also stop and start.
 */
export class MongoServiceProcess {
    public readonly name: string;
    public readonly url: string;
    private readonly _dir: string;
    private readonly _process: RunningService;
    private _exitCode: number | null | undefined = undefined;

    private constructor(name: string, url: string, dir: string, running: RunningService) {
        this.name = name;
        this.url = url;
        this._dir = dir;
        this._process = running;
        void running.exited.then(code => { this._exitCode = code; });
    }

    /** Starts the process and waits until it is ready (its store answers), at most 30 s. */
    public static async start(name: string, mongoUri: string, env: Record<string, string> = {}): Promise<MongoServiceProcess> {
        return await MongoServiceProcess.startWith(name, { MONGO_ENABLED: 'true', MONGO_SERVICE_URI: mongoUri, ...env });
    }

    /** start() with the store named by env (MONGO_ENABLED, REDIS_ENABLED, ... and its settings). */
    public static async startWith(name: string, env: Record<string, string>): Promise<MongoServiceProcess> {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-reliability-' + name + '-'));
        const port = await freePort();
        const running = new RunningService(dir, {
            PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port),
            CLEANUP_INTERVAL: '0', ...env
        });
        const service = new MongoServiceProcess(name, 'http://127.0.0.1:' + port, dir, running);
        // LOG_LEVEL=warn keeps the start-up lines out of the output, so ask /ready instead.
        const deadline = Date.now() + 30000;
        while ((await service.get('/ready')).status !== 200) {
            if (!service.running || Date.now() > deadline) {
                await service.stop();
                throw new Error(name + ': node run did not become ready:\n' + running.output.slice(-3000));
            }
            await new Promise(resolve => setTimeout(resolve, 100));
        }
        return service;
    }

    /** True until the process exits, whatever the reason. */
    public get running(): boolean {
        return this._exitCode === undefined;
    }

    public get output(): string {
        return this._process.output;
    }

    /** POST /v1/sessions/<command>. Never throws: a failed exchange is status 0 with the error in text. */
    public async call(command: string, args: Record<string, unknown> = {}): Promise<TimedReply> {
        return await this.exchange('/v1/sessions/' + command, { method: 'POST', body: JSON.stringify(args),
            headers: { 'Content-Type': 'application/json' } });
    }

    public async get(route: string): Promise<TimedReply> {
        return await this.exchange(route, { method: 'GET' });
    }

    /** The sum of a Prometheus counter over the series whose labels include all the given ones. */
    public async counter(name: string, labels: Record<string, string> = {}): Promise<number> {
        const reply = await this.get('/metrics');
        if (reply.status !== 200) throw new Error(this.name + ': GET /metrics answered ' + reply.status);
        let sum = 0;
        for (const line of reply.text.split('\n')) {
            const match = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
            if (match == null || match[1] !== name) continue;
            const series = match[2] ?? '';
            if (Object.entries(labels).every(([key, value]) => series.includes(key + '="' + value + '"'))) sum += Number(match[3]);
        }
        return sum;
    }

    /** SIGTERM; then the exit code, and the working folder removed. */
    public async stop(): Promise<number | null> {
        const code = await this._process.stop();
        await fs.rm(this._dir, { recursive: true, force: true });
        return code;
    }

    private async exchange(route: string, init: RequestInit): Promise<TimedReply> {
        const started = Date.now();
        try {
            const response = await fetch(this.url + route, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            const text = await response.text();
            return { started, latency: Date.now() - started, status: response.status, text };
        } catch (err) {
            return { started, latency: Date.now() - started, status: 0, text: String(err) };
        }
    }
}

/** The JSON of a reply, for replies the caller has checked to be JSON (2xx with a body, or an error). */
export function replyJson<T>(reply: TimedReply): T {
    return JSON.parse(reply.text) as T;
}
