import { spawnSync } from 'child_process';
import { promises as fs, existsSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

import autocannon from 'autocannon';

import { BenchChart, ChartPoint } from './BenchChart';
import { BenchService } from './BenchService';
import { BenchSessions } from './BenchSessions';

/**
 * npm run bench -- [--sizes 1000,100000,1000000] [--duration 10] [--stores memory,file,mongodb]
 *                  [--ops open_session,...] [--connections 32] [--compare] [--compare-sizes 1000,10000,100000]
 *
 * Starts each service as its own process per store and size, preloads it, drives it
 * over HTTP with autocannon, and prints/writes the results (bench-results/). Timings are
 * only ever reported here, never asserted in tests.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const OPS = ['open_session', 'get_session_by_id', 'validate_session', 'store_session_data', 'get_sessions', 'close_session'];
/** Ours only: the original has no such command. */
const ADDED_OPS = new Set(['validate_session']);
const ORIGINAL_VERSION = '1.1.1';
const ORIGINAL_DIR = path.join(os.homedir(), '.cache', 'service-sessions-bench', 'original-' + ORIGINAL_VERSION);

interface Options {
    sizes: number[];
    compareSizes: number[];
    duration: number;
    stores: string[];
    ops: string[];
    connections: number;
    compare: boolean;
    /** Another node binary to run ours on beside the one running the bench (--versus-node). */
    versusNode: string | null;
}

interface Row extends ChartPoint {
    p50: number;
    p99: number;
    errors: number;
    rssMb: number;
    loadMs: number | null;
    startMs: number | null;
}

function parseOptions(args: string[]): Options {
    const value = (name: string, fallback: string): string => {
        const index = args.indexOf('--' + name);
        return index >= 0 && index + 1 < args.length ? args[index + 1] : fallback;
    };
    const numbers = (text: string) => text.split(',').map(item => Number(item.replace(/_/g, ''))).filter(n => n > 0);
    return {
        sizes: numbers(value('sizes', '1000,100000,1000000')),
        compareSizes: numbers(value('compare-sizes', '1000,10000,100000')),
        duration: Number(value('duration', '10')),
        stores: value('stores', 'memory,file,mongodb').split(','),
        ops: value('ops', OPS.join(',')).split(',').filter(op => OPS.includes(op)),
        connections: Number(value('connections', '32')),
        compare: args.includes('--compare'),
        versusNode: value('versus-node', '') || null
    };
}

function progress(message: string): void {
    process.stderr.write('[bench ' + new Date().toISOString().slice(11, 19) + '] ' + message + '\n');
}

function body(op: string, sessions: BenchSessions, counter: number): string {
    switch (op) {
        case 'open_session':
            // New users signing in: opening sessions for the preloaded users would grow
            // their pages and skew the later get_sessions runs.
            return JSON.stringify({ user_id: 'new' + counter, user_name: 'Bench User', address: '127.0.0.1', client: 'bench', data: { n: counter } });
        case 'get_session_by_id':
        case 'validate_session':
        case 'close_session':
            return JSON.stringify({ session_id: sessions.randomId() });
        case 'store_session_data':
            return JSON.stringify({ session_id: sessions.randomId(), data: { n: counter, cart: ['a', 'b'] } });
        case 'get_sessions':
            return JSON.stringify({ filter: { user_id: sessions.randomUser() }, paging: { skip: 0, take: 10 } });
        default:
            throw new Error('Unknown operation ' + op);
    }
}

let requestCounter = 0;

/**
 * Request bodies made before the run and cycled through: on two cores the load generator
 * shares the machine with the service, and building JSON per request made it the
 * bottleneck rather than the service under test.
 */
function prepareBodies(op: string, sessions: BenchSessions): string[] {
    return Array.from({ length: 4096 }, () => body(op, sessions, requestCounter++));
}

async function drive(port: number, op: string, sessions: BenchSessions, options: Options, duration = options.duration): Promise<autocannon.Result> {
    const bodies = prepareBodies(op === 'bare' ? 'get_session_by_id' : op, sessions);
    let next = 0;
    return await autocannon({
        url: 'http://127.0.0.1:' + port,
        connections: options.connections,
        duration,
        requests: [{
            method: 'POST',
            path: op === 'bare' ? '/' : '/v1/sessions/' + op,
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] })
        }]
    });
}

async function freePort(): Promise<number> {
    const net = await import('net');
    return await new Promise<number>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const port = (server.address() as { port: number }).port;
            server.close(() => resolve(port));
        });
    });
}

function ensureOriginal(): string {
    const main = path.join(ORIGINAL_DIR, 'node_modules', 'service-sessions-node', 'bin', 'main.js');
    if (!existsSync(main)) {
        progress('installing service-sessions-node@' + ORIGINAL_VERSION + ' into ' + ORIGINAL_DIR);
        spawnSync('mkdir', ['-p', ORIGINAL_DIR]);
        const result = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', ORIGINAL_DIR,
            'service-sessions-node@' + ORIGINAL_VERSION], { stdio: 'inherit' });
        if (result.status !== 0) throw new Error('Installing the original failed');
    }
    return main;
}

// The original's own config logs every request at trace level; the same log level as
// ours (info) keeps the comparison about the code, not about console output.
async function originalConfig(dir: string): Promise<string> {
    const file = path.join(dir, 'original-config.yml');
    await fs.writeFile(file, [
        '- descriptor: "pip-services:logger:console:default:1.0"',
        '  level: "info"',
        '{{#if MEMORY_ENABLED}}',
        '- descriptor: "service-sessions:persistence:memory:default:1.0"',
        '{{/if}}',
        '{{#if FILE_ENABLED}}',
        '- descriptor: "service-sessions:persistence:file:default:1.0"',
        '  path: {{{FILE_PATH}}}',
        '{{/if}}',
        '{{#if MONGO_ENABLED}}',
        '- descriptor: "service-sessions:persistence:mongodb:default:1.0"',
        '  connection:',
        '    uri: {{{MONGO_SERVICE_URI}}}',
        '{{/if}}',
        '- descriptor: "service-sessions:controller:default:default:1.0"',
        '- descriptor: "pip-services:endpoint:http:default:1.0"',
        '  connection:',
        '    protocol: "http"',
        '    host: "127.0.0.1"',
        '    port: {{HTTP_PORT}}',
        '- descriptor: "service-sessions:service:commandable-http:default:1.0"'
    ].join('\n'));
    return file;
}

async function mongoUri(): Promise<string | null> {
    if (process.env.MONGO_SERVICE_URI) return process.env.MONGO_SERVICE_URI;
    const go = spawnSync('go', ['version']);
    if (go.error != null || go.status !== 0) return null;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const control = require(path.join(ROOT, 'test-support', 'mongo-server', 'control.js')) as {
        start(port: number): Promise<{ uri: string }>;
    };
    return (await control.start(await freePort())).uri;
}

async function stopOwnMongo(uri: string | null): Promise<void> {
    if (uri == null || process.env.MONGO_SERVICE_URI) return;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const control = require(path.join(ROOT, 'test-support', 'mongo-server', 'control.js')) as { stop(port: number): Promise<void> };
    await control.stop(Number(new URL(uri).port));
}

interface Impl {
    /** 'ours', 'original', or 'ours@<node version>' for ours on the --versus-node binary. */
    name: string;
    args: string[];
    cwd: string;
    /** The node binary to run it with; the bench's own when absent. */
    node?: string;
}

async function startImpl(impl: Impl, store: string, sessions: BenchSessions, work: string, mongo: string | null):
    Promise<{ service: BenchService; loadMs: number | null; startMs: number | null }> {
    const port = await freePort();
    const env: Record<string, string> = { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', HTTP_ENABLED: 'true' };
    if (store === 'memory') env.MEMORY_ENABLED = 'true';
    if (store === 'file') {
        env.FILE_ENABLED = 'true';
        env.FILE_PATH = path.join(work, impl.name, 'sessions.json');
        await fs.rm(path.join(work, impl.name), { recursive: true, force: true });
        await sessions.writeFile(env.FILE_PATH);
    }
    if (store === 'mongodb') {
        const url = new URL(mongo!);
        url.pathname = '/bench_' + impl.name;
        env.MONGO_ENABLED = 'true';
        env.MONGO_SERVICE_URI = url.toString();
        await sessions.insertMongo(env.MONGO_SERVICE_URI, 'sessions');
    }
    const { service, readyMs } = await BenchService.start(impl.name + ' ' + store, port, impl.args, env, impl.cwd, undefined, impl.node);
    if (store === 'memory') await sessions.openOverHttp(port);
    // Our file store logs how long reading its files took; the rest of readyMs is Node
    // and module start-up.
    const logged = /Loaded \d+ sessions from .* in (\d+) ms/.exec(service.output);
    return { service, loadMs: logged ? Number(logged[1]) : null, startMs: store === 'memory' ? null : readyMs };
}

function row(impl: string, store: string, size: number, op: string, result: autocannon.Result, rssMb: number,
    loadMs: number | null, startMs: number | null): Row {
    return {
        impl, store, size, op,
        rps: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts + result.non2xx,
        rssMb, loadMs, startMs
    };
}

function formatTable(rows: Row[]): string {
    const header = ['impl', 'store', 'size', 'op', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'load ms', 'start ms'];
    const lines = rows.map(r => [r.impl, r.store, String(r.size), r.op, String(r.rps), String(r.p50), String(r.p99),
        String(r.errors), String(r.rssMb), r.loadMs == null ? '' : String(r.loadMs), r.startMs == null ? '' : String(r.startMs)]);
    const widths = header.map((title, column) => Math.max(title.length, ...lines.map(line => line[column].length)));
    const format = (cells: string[]) => '| ' + cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ') + ' |';
    return [format(header), '|' + widths.map(width => '-'.repeat(width + 2)).join('|') + '|', ...lines.map(format)].join('\n');
}

function formatRatios(rows: Row[], other: string, digits = 1): string {
    const lines: string[] = [`| store | size | op | ours req/s | ${other} req/s | ours/${other} |`, '|---|---|---|---|---|---|'];
    for (const ours of rows.filter(r => r.impl === 'ours')) {
        const versus = rows.find(r => r.impl === other && r.store === ours.store && r.size === ours.size && r.op === ours.op);
        if (versus == null) continue;
        const ratio = versus.rps > 0 ? (ours.rps / versus.rps).toFixed(digits) + 'x' : `n/a (${other}: 0 req/s)`;
        lines.push(`| ${ours.store} | ${ours.size} | ${ours.op} | ${ours.rps} | ${versus.rps} | ${ratio} |`);
    }
    return lines.join('\n');
}

/** The version a node binary reports, e.g. v20.20.2. */
function nodeVersion(binary: string): string {
    return spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-bench-'));
    const ours: Impl = { name: 'ours', args: [path.join(ROOT, 'run.js')], cwd: work };
    const original: Impl | null = options.compare ? { name: 'original', args: [ensureOriginal(), '-c', await originalConfig(work)], cwd: work } : null;
    const versus: Impl | null = options.versusNode != null
        ? { name: 'ours@' + nodeVersion(options.versusNode), args: ours.args, cwd: work, node: options.versusNode } : null;
    const mongo = options.stores.includes('mongodb') ? await mongoUri() : null;
    if (options.stores.includes('mongodb') && mongo == null) progress('MongoDB: no MONGO_SERVICE_URI and no Go: skipping that store');

    const rows: Row[] = [];
    const baseline: Array<{ size: number; bare: number; ours: number }> = [];
    try {
        for (const store of options.stores) {
            if (store === 'mongodb' && mongo == null) continue;
            for (const size of [...new Set([...options.sizes, ...(original ? options.compareSizes : [])])].sort((a, b) => a - b)) {
                const impls = [options.sizes.includes(size) ? ours : null, options.sizes.includes(size) ? versus : null,
                    original && options.compareSizes.includes(size) ? original : null]
                    .filter((impl): impl is Impl => impl != null);
                const running: Array<{ impl: Impl; service: BenchService; loadMs: number | null; startMs: number | null;
                    sessions: BenchSessions; }> = [];
                try {
                    for (const impl of impls) {
                        const sessions = new BenchSessions(size);
                        progress(`${impl.name} ${store} ${size}: preloading and starting`);
                        const started = await startImpl(impl, store, sessions, work, mongo);
                        running.push({ impl, ...started, sessions });
                    }
                } catch (err) {
                    // One store or size that cannot be set up must not cost the results of the others.
                    progress(`${store} ${size}: skipped, it could not be set up: ${(err as Error).message.split('\n')[0]}`);
                    for (const entry of running) await entry.service.stop();
                    continue;
                }
                // A short unrecorded warm-up, so the first measured operation does not pay for the JIT.
                for (const entry of running) await drive(entry.service.port, 'get_session_by_id', entry.sessions, options, 2);
                const results: Array<{ impl: string; op: string; result: autocannon.Result }> = [];
                for (const op of options.ops) {
                    // Alternate implementations per operation, so drift in the machine hits both.
                    for (const entry of running) {
                        if (ADDED_OPS.has(op) && entry.impl.name === 'original') continue;
                        progress(`${entry.impl.name} ${store} ${size}: ${op} for ${options.duration} s`);
                        results.push({ impl: entry.impl.name, op, result: await drive(entry.service.port, op, entry.sessions, options) });
                        for (const other of running) await other.service.waitIdle();
                    }
                }
                if (store === 'memory' && running.some(entry => entry.impl.name === 'ours') && options.ops.includes('get_session_by_id')) {
                    const port = await freePort();
                    const { service } = await BenchService.start('bare', port, [path.join(ROOT, 'bench', 'BareJsonServer.js')],
                        { HTTP_PORT: String(port) }, work);
                    await drive(port, 'bare', running.find(entry => entry.impl.name === 'ours')!.sessions, options, 2);
                    progress(`bare Node http baseline for ${options.duration} s`);
                    const bare = await drive(port, 'bare', running.find(entry => entry.impl.name === 'ours')!.sessions, options);
                    await service.stop();
                    const oursGet = results.find(r => r.impl === 'ours' && r.op === 'get_session_by_id')!;
                    baseline.push({ size, bare: Math.round(bare.requests.average), ours: Math.round(oursGet.result.requests.average) });
                }
                for (const entry of running) {
                    const rss = await entry.service.peakRssMb();
                    for (const result of results.filter(r => r.impl === entry.impl.name)) {
                        rows.push(row(entry.impl.name, store, size, result.op, result.result, rss, entry.loadMs, entry.startMs));
                    }
                    await entry.service.stop();
                }
            }
        }
    } finally {
        await stopOwnMongo(mongo);
        await fs.rm(work, { recursive: true, force: true });
    }

    const outDir = path.join(ROOT, 'bench-results');
    await fs.mkdir(outDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const report = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, options, rows, baseline };
    await fs.writeFile(path.join(outDir, 'bench-' + stamp + '.json'), JSON.stringify(report, null, 2));
    await fs.writeFile(path.join(outDir, 'bench-' + stamp + '.svg'), BenchChart.render(rows));

    console.log('\n' + formatTable(rows));
    if (original) console.log('\nours/original, requests/s (same run):\n' + formatRatios(rows, 'original'));
    if (versus) console.log(`\nours on ${process.version} / ours on ${versus.name.slice(5)}, requests/s (same run):\n` + formatRatios(rows, versus.name, 2));
    for (const entry of baseline) {
        console.log(`\nmemory ${entry.size}: get_session_by_id ${entry.ours} req/s = ${(100 * entry.ours / entry.bare).toFixed(0)}% of a bare Node http server (${entry.bare} req/s)`);
    }
    for (const validate of rows.filter(item => item.impl === 'ours' && item.op === 'validate_session')) {
        const get = rows.find(item => item.impl === 'ours' && item.op === 'get_session_by_id' && item.store === validate.store && item.size === validate.size);
        if (get == null) continue;
        console.log(`${validate.store} ${validate.size}: validate_session ${validate.rps} req/s = ${(100 * validate.rps / get.rps).toFixed(0)}% of get_session_by_id (${get.rps} req/s)`);
    }
    console.log('\nwritten: bench-results/bench-' + stamp + '.json and .svg');
}

// autocannon can leave a promise that never settles and no handle open; Node would then
// exit 0 in silence. Say so and fail instead.
let finished = false;
process.on('beforeExit', () => {
    if (!finished) {
        console.error('bench: a run never finished; results are incomplete');
        process.exitCode = 1;
    }
});

main().then(() => { finished = true; }, (err: unknown) => {
    finished = true;
    console.error(err);
    process.exit(1);
});
