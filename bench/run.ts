import { spawnSync } from 'child_process';
import { promises as fs, existsSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

import autocannon from 'autocannon';

import { BenchChart } from './BenchChart';
import { BenchOp, BenchOptions, BenchOptionsReader, BenchScenario } from './BenchOptions';
import { BenchRequests } from './BenchRequests';
import { BenchRow } from './BenchRow';
import { BenchService } from './BenchService';
import { BenchSessions } from './BenchSessions';
import { BenchStats } from './BenchStats';
import { BenchTargets } from './BenchTargets';
import { RedisServerProcess } from '../test/fixtures/RedisServerProcess';

/**
 * npm run bench -- [--sizes 0,10000,100000,1000000] [--mongodb-sizes 10000] [--redis-sizes 1000,100000,1000000]
 *                  [--duration 5] [--runs 3] [--stores memory,file,mongodb,redis] [--ops get_session_by_id,...] [--scenarios hot,spread]
 *                  [--connections 16] [--compare [--compare-cells memory:10000,file:100000:store_session_data]]
 *                  [--original-node <node binary>] [--versus-node <node binary>] [--baseline <checkout>]
 *
 * Starts each service as its own process per store and size, all of them before each run
 * (fresh processes, preloaded again, for every run), drives them over HTTP with autocannon,
 * every cell once per run, every store, size and implementation in turn, and prints/writes
 * the medians with their range (bench-results/). Timings are only ever
 * reported here, never asserted in tests. See docs/performance.md.
 */

const ROOT = path.resolve(__dirname, '..', '..');
/** Ours only: the original has no such command. */
const ADDED_OPS = new Set<BenchOp>(['validate_session', 'validate_touching']);
const ORIGINAL_VERSION = '1.1.1';
/**
 * validate_session within the touch interval is a read; preloaded sessions are up to
 * count ms old (16 minutes at 1,000,000), past the default minute, so our services keep
 * it an hour and validate_touching measures the touching path.
 */
const READING = { TOUCH_INTERVAL: '3600000' };
/** The reads the bare Node server runs beside: its rows carry their operation and scenario. */
const BARE_OPS: ReadonlySet<BenchOp> = new Set<BenchOp>(['get_session_by_id', 'validate_session']);
const ORIGINAL_DIR = path.join(os.homedir(), '.cache', 'service-sessions-bench', 'original-' + ORIGINAL_VERSION);

function progress(message: string): void {
    process.stderr.write('[bench ' + new Date().toISOString().slice(11, 19) + '] ' + message + '\n');
}

async function drive(port: number, op: BenchOp | 'bare', scenario: BenchScenario, sessions: BenchSessions,
    options: BenchOptions, duration = options.duration): Promise<autocannon.Result> {
    const bodies = BenchRequests.bodies(op, scenario, sessions);
    let next = 0;
    return await autocannon({
        url: 'http://127.0.0.1:' + port,
        connections: options.connections,
        duration,
        requests: [{
            method: 'POST',
            path: op === 'bare' ? '/' : '/v1/sessions/' + BenchRequests.command(op),
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

/** The MongoDB test server's control script (test-support/mongo-server/control.js). */
interface MongoControl {
    start(port: number): Promise<{ uri: string }>;
    stop(port: number, options?: { removeData?: boolean }): Promise<void>;
    pidOf(port: number): number | null;
}

function mongoControl(): MongoControl {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(path.join(ROOT, 'test-support', 'mongo-server', 'control.js')) as MongoControl;
}

async function mongoUri(): Promise<string | null> {
    if (process.env.MONGO_SERVICE_URI) return process.env.MONGO_SERVICE_URI;
    const go = spawnSync('go', ['version']);
    if (go.error != null || go.status !== 0) return null;
    return (await mongoControl().start(await freePort())).uri;
}

/** The MongoDB test server's process id; null for a server of MONGO_SERVICE_URI. */
function ownMongoPid(uri: string | null): number | null {
    return uri == null || process.env.MONGO_SERVICE_URI ? null : mongoControl().pidOf(Number(new URL(uri).port));
}

async function stopOwnMongo(uri: string | null): Promise<void> {
    if (uri == null || process.env.MONGO_SERVICE_URI) return;
    await mongoControl().stop(Number(new URL(uri).port), { removeData: true });
}

interface Impl {
    /** 'ours', 'ours-touching' (touches on every validate), 'original', 'bare', 'ours@<node version>' (--versus-node) or 'baseline'. */
    name: string;
    args: string[];
    cwd: string;
    /** The node binary to run it with; the bench's own when absent. */
    node?: string;
    env?: Record<string, string>;
}

interface Running {
    impl: Impl;
    service: BenchService;
    sessions: BenchSessions;
    loadMs: number[];
    /** Seconds of measured runs so far, and the peak RSS once they passed FIRST_RUNS_S (the first process's). */
    measuredS: number;
    rssFirstRunsMb: number | null;
    /** The highest peak RSS of this entry's processes stopped so far (one per run). */
    rssEarlierMb: number;
}

/** The runs over which a service's early peak RSS is taken: issue 23's "the load and a 10 s run". */
const FIRST_RUNS_S = 10;

async function startImpl(impl: Impl, store: string, sessions: BenchSessions, work: string, mongo: string | null,
    redis: string | null): Promise<{ service: BenchService; loadMs: number | null }> {
    const port = await freePort();
    const env: Record<string, string> = { HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'info', HTTP_ENABLED: 'true', ...impl.env };
    if (impl.name === 'bare') {
        return { service: (await BenchService.start('bare', port, impl.args, env, impl.cwd)).service, loadMs: null };
    }
    if (store === 'memory') env.MEMORY_ENABLED = 'true';
    if (store === 'file') {
        env.FILE_ENABLED = 'true';
        env.FILE_PATH = path.join(work, impl.name + '-' + sessions.count, 'sessions.json');
        await fs.rm(path.dirname(env.FILE_PATH), { recursive: true, force: true });
        await sessions.writeFile(env.FILE_PATH);
    }
    if (store === 'mongodb') {
        const url = new URL(mongo!);
        url.pathname = '/bench_' + impl.name.replace(/[^a-z0-9]/gi, '_') + '_' + sessions.count;
        env.MONGO_ENABLED = 'true';
        env.MONGO_SERVICE_URI = url.toString();
        await sessions.insertMongo(env.MONGO_SERVICE_URI, 'sessions');
    }
    if (store === 'redis') {
        env.REDIS_ENABLED = 'true';
        env.REDIS_SERVICE_URI = redis!;
        env.REDIS_KEY_PREFIX = 'bench_' + impl.name.replace(/[^a-z0-9]/gi, '_') + '_' + sessions.count + ':';
        await sessions.insertRedis(env.REDIS_SERVICE_URI, env.REDIS_KEY_PREFIX);
    }
    const { service } = await BenchService.start(impl.name + ' ' + store, port, impl.args, env, impl.cwd, undefined, impl.node);
    if (store === 'memory') await sessions.openOverHttp(port);
    // Our file store logs how long reading its files took.
    const logged = /Loaded \d+ sessions from .* in (\d+) ms/.exec(service.output);
    return { service, loadMs: logged ? Number(logged[1]) : null };
}

/** Every process the bench started and still runs: the services and the stores' servers. */
function everyPid(groups: Group[]): number[] {
    const pids = groups.flatMap(group => [...group.running.map(entry => entry.service.pid), group.serverPid]);
    return [...new Set(pids.filter((pid): pid is number => pid != null))];
}

/** The operation a service is warmed up with before each run's measured cells. */
function warmUpOp(impl: Impl): BenchOp | 'bare' {
    if (impl.name === 'bare') return 'bare';
    return impl.name === 'ours-touching' ? 'validate_touching' : 'get_session_by_id';
}

/** Which implementations run an operation: the touching service only validate_touching, the original only its own commands. */
function runsOp(impl: Impl, op: BenchOp, store: string, size: number, options: BenchOptions): boolean {
    if (impl.name === 'ours-touching') return op === 'validate_touching';
    if (op === 'validate_touching') return false;
    if (impl.name !== 'original') return true;
    if (ADDED_OPS.has(op)) return false;
    const cell = options.compare.find(item => item.store === store && item.size === size);
    return cell != null && (cell.ops.length === 0 || cell.ops.includes(op));
}

function summarize(impl: string, store: string, size: number, op: BenchOp, scenario: BenchScenario,
    results: autocannon.Result[], rssMb: number, rssFirstRunsMb: number | null, loadMs: number[]): BenchRow {
    return {
        impl, store, size, op, scenario,
        rps: new BenchStats(results.map(result => Math.round(result.requests.average))),
        p50: new BenchStats(results.map(result => result.latency.p50)).median,
        p99: new BenchStats(results.map(result => result.latency.p99)).median,
        errors: results.reduce((sum, result) => sum + result.errors + result.timeouts + result.non2xx, 0),
        rssMb, rssFirstRunsMb, loadMs: loadMs.length > 0 ? new BenchStats(loadMs) : null
    };
}

function formatTable(rows: BenchRow[]): string {
    const header = ['impl', 'store', 'size', 'op', 'scenario', 'req/s median (min-max)', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'first 10 s', 'load ms'];
    const lines = rows.map(r => [r.impl, r.store, String(r.size), r.op, r.scenario, r.rps.format(), String(r.p50), String(r.p99),
        String(r.errors), String(r.rssMb), r.rssFirstRunsMb == null ? '' : String(r.rssFirstRunsMb), r.loadMs == null ? '' : r.loadMs.format()]);
    const widths = header.map((title, column) => Math.max(title.length, ...lines.map(line => line[column].length)));
    const format = (cells: string[]) => '| ' + cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ') + ' |';
    return [format(header), '|' + widths.map(width => '-'.repeat(width + 2)).join('|') + '|', ...lines.map(format)].join('\n');
}

function formatRatios(rows: BenchRow[], other: string, digits = 1): string {
    const lines: string[] = [`| store | size | op | scenario | ours req/s | ${other} req/s | ours/${other} |`, '|---|---|---|---|---|---|---|'];
    for (const ours of rows.filter(r => r.impl === 'ours')) {
        const versus = rows.find(r => r.impl === other && r.store === ours.store && r.size === ours.size && r.op === ours.op && r.scenario === ours.scenario);
        if (versus == null) continue;
        const ratio = versus.rps.median > 0 ? (ours.rps.median / versus.rps.median).toFixed(digits) + 'x' : `n/a (${other}: 0 req/s)`;
        lines.push(`| ${ours.store} | ${ours.size} | ${ours.op} | ${ours.scenario} | ${ours.rps.format()} | ${versus.rps.format()} | ${ratio} |`);
    }
    return lines.join('\n');
}

/**
 * The node binary the original runs on: --original-node, else this one, unless it is 23 or
 * later, where the original's restify does not load: then Node 22 (test-support/node/lts.js).
 */
function originalNode(options: BenchOptions): string {
    if (options.originalNode != null) return options.originalNode;
    if (Number(process.versions.node.split('.')[0]) < 23) return process.execPath;
    const found = spawnSync(process.execPath, [path.join(ROOT, 'test-support', 'node', 'lts.js'), '22'], { encoding: 'utf8' });
    if (found.status !== 0) throw new Error('The original needs Node 22 or earlier, and fetching Node 22 failed: ' + found.stderr);
    return path.join(found.stdout.trim(), 'node');
}

/** The version a node binary reports, e.g. v20.20.2. */
function nodeVersion(binary: string): string {
    return spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** Starts and preloads what runs at one store and size, each implementation with sessions of its own. */
async function startAll(impls: Impl[], store: string, size: number, work: string, mongo: string | null,
    redis: string | null): Promise<Running[]> {
    const running: Running[] = [];
    try {
        for (const impl of impls) {
            const sessions = new BenchSessions(size);
            progress(`${impl.name} ${store} ${size}: preloading and starting`);
            const started = await startImpl(impl, store, sessions, work, mongo, redis);
            running.push({ impl, service: started.service, sessions, loadMs: started.loadMs == null ? [] : [started.loadMs],
                measuredS: 0, rssFirstRunsMb: null, rssEarlierMb: 0 });
        }
        return running;
    } catch (err) {
        for (const entry of running) await entry.service.stop();
        throw err;
    }
}

/**
 * Stops a group's services and starts each again on freshly preloaded sessions: a process
 * can run slowly for the whole of its life (docs/performance.md, run 11), and with a new
 * process per run such a process costs a cell one run of three, which the median drops.
 */
async function restartAll(group: Group, work: string, mongo: string | null): Promise<void> {
    for (const entry of group.running) {
        entry.rssEarlierMb = Math.max(entry.rssEarlierMb, await entry.service.peakRssMb());
        await entry.service.stop();
    }
    for (const entry of group.running) {
        entry.sessions = new BenchSessions(group.size);
        progress(`${entry.impl.name} ${group.store} ${group.size}: preloading and starting again`);
        const started = await startImpl(entry.impl, group.store, entry.sessions, work, mongo, group.redis);
        entry.service = started.service;
        if (started.loadMs != null) entry.loadMs.push(started.loadMs);
    }
}

/** The services of one store and size. */
interface Group {
    store: string;
    size: number;
    running: Running[];
    /** The store's own server process (redis-server, the MongoDB test server) when the bench started it. */
    serverPid: number | null;
    /** The Redis server its services use (redis only). */
    redis: string | null;
}

/**
 * Runs every cell: run after run, on fresh processes each run, for each operation and
 * scenario every store, size and implementation in turn. The cells a target compares (a
 * size against another, Redis against memory, ours against the original) are then
 * measured seconds apart, not the minutes between one store's turn and the next, over
 * which these machines drift.
 */
async function measure(groups: Group[], options: BenchOptions, rows: BenchRow[], work: string, mongo: string | null): Promise<void> {
    const results = new Map<string, { impl: string; op: BenchOp; scenario: BenchScenario; runs: autocannon.Result[]; entry: Running }>();
    const entries = new Map<Running, number>();
    const record = (entry: Running, op: BenchOp, scenario: BenchScenario, result: autocannon.Result) => {
        const impl = entry.impl.name === 'ours-touching' ? 'ours' : entry.impl.name;
        // The entry, not its port: each run starts a new process on a new port.
        if (!entries.has(entry)) entries.set(entry, entries.size);
        const key = [entries.get(entry), impl, op, scenario].join(' ');
        if (!results.has(key)) results.set(key, { impl, op, scenario, runs: [], entry });
        results.get(key)!.runs.push(result);
    };
    let idleWaitMs = 0;
    for (let run = 1; run <= options.runs; run++) {
        if (run > 1) for (const group of groups) await restartAll(group, work, mongo);
        // A short unrecorded warm-up, so the first measured cell does not pay for the JIT; the
        // touching service runs validate_touching only, so it warms that path, not a plain read.
        for (const entry of groups.flatMap(group => group.running)) {
            await drive(entry.service.port, warmUpOp(entry.impl), 'hot', entry.sessions, options, 2);
        }
        for (const op of options.ops) {
            for (const scenario of options.scenarios) {
                for (const { store, size, running, serverPid } of groups) {
                    if (!BenchRequests.applies(op, scenario, size)) continue;
                    for (const entry of running) {
                        if (entry.impl.name === 'bare' || !runsOp(entry.impl, op, store, size, options)) continue;
                        if (op === 'close_session') await entry.sessions.openToClose(entry.service.port, BenchRequests.Count);
                        progress(`${entry.impl.name} ${store} ${size}: ${op} ${scenario}, run ${run} of ${options.runs}, ${options.duration} s`);
                        record(entry, op, scenario, await drive(entry.service.port, op, scenario, entry.sessions, options));
                        entry.measuredS += options.duration;
                        if (entry.rssFirstRunsMb == null && entry.measuredS >= FIRST_RUNS_S) entry.rssFirstRunsMb = await entry.service.peakRssMb();
                        // The measured service and its store's server work off the run (up to 30 s),
                        // then every other process the bench started (up to 5 s): an idle one may be
                        // in a late garbage collection of its whole heap or its store's own work.
                        await BenchService.waitPidsIdle([entry.service.pid, serverPid].filter((pid): pid is number => pid != null));
                        idleWaitMs += await BenchService.waitPidsIdle(everyPid(groups), 5000);
                    }
                    // Beside each read it is the ceiling for, so each pair is measured seconds apart.
                    const bare = running.find(entry => entry.impl.name === 'bare');
                    if (bare != null && BARE_OPS.has(op)) {
                        // Ours' sessions: the bare server preloads none, and spread bodies name preloaded ids.
                        const sessions = running.find(entry => entry.impl.name === 'ours')?.sessions ?? bare.sessions;
                        progress(`bare Node http baseline beside ${store} ${size} ${op} ${scenario}, run ${run} of ${options.runs}, ${options.duration} s`);
                        record(bare, op, scenario, await drive(bare.service.port, 'bare', scenario, sessions, options));
                    }
                }
            }
        }
    }
    progress(`waited ${(idleWaitMs / 1000).toFixed(1)} s in all for the other processes to be idle after a measured run`);
    for (const { store, size, running } of groups) {
        for (const entry of running) {
            const rss = Math.max(entry.rssEarlierMb, await entry.service.peakRssMb());
            for (const result of results.values()) {
                if (result.entry !== entry) continue;
                rows.push(summarize(result.impl, store, size, result.op, result.scenario, result.runs, rss, entry.rssFirstRunsMb, entry.loadMs));
            }
        }
    }
}

async function main(options: BenchOptions): Promise<void> {
    const cpus = os.cpus();
    const machine = `Node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
    progress(machine);
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-bench-'));
    const ours: Impl = { name: 'ours', args: [path.join(ROOT, 'run.js')], cwd: work, env: READING };
    const touching: Impl = { ...ours, name: 'ours-touching', env: { TOUCH_INTERVAL: '0' } };
    const original: Impl | null = options.compare.length > 0
        ? { name: 'original', args: [ensureOriginal(), '-c', await originalConfig(work)], cwd: work, node: originalNode(options) } : null;
    if (original != null) progress('the original runs on Node ' + nodeVersion(original.node!));
    const versus: Impl | null = options.versusNode != null
        ? { name: 'ours@' + nodeVersion(options.versusNode), args: ours.args, cwd: work, env: READING, node: options.versusNode } : null;
    const baseline: Impl | null = options.baseline != null
        ? { name: 'baseline', args: [path.join(path.resolve(options.baseline), 'run.js')], cwd: work, env: READING } : null;
    const bareImpl: Impl = { name: 'bare', args: [path.join(ROOT, 'bench', 'BareJsonServer.js')], cwd: work };
    const mongo = options.stores.includes('mongodb') ? await mongoUri() : null;
    if (options.stores.includes('mongodb') && mongo == null) progress('MongoDB: no MONGO_SERVICE_URI and no Go: skipping that store');
    // Our own redis-servers, one per size (a store's size is Redis' too): append-only file
    // fsynced every second (Redis' default for AOF); REDIS_SERVICE_URI names another.
    const ownRedis = new Map<number, RedisServerProcess>();
    const canStartRedis = options.stores.includes('redis') && !process.env.REDIS_SERVICE_URI && RedisServerProcess.missing() == null;
    const redisFor = async (size: number): Promise<string | null> => {
        if (process.env.REDIS_SERVICE_URI) return process.env.REDIS_SERVICE_URI;
        if (!canStartRedis) return null;
        if (!ownRedis.has(size)) ownRedis.set(size, await RedisServerProcess.start({ fsync: 'everysec' }));
        return ownRedis.get(size)!.uri;
    };
    const redisAvailable = Boolean(process.env.REDIS_SERVICE_URI) || canStartRedis;
    if (options.stores.includes('redis') && !redisAvailable) {
        progress('Redis: no REDIS_SERVICE_URI and no redis-server: skipping that store');
    }

    const rows: BenchRow[] = [];
    const groups: Group[] = [];
    try {
        for (const store of options.stores) {
            if ((store === 'mongodb' && mongo == null) || (store === 'redis' && !redisAvailable)) continue;
            const compareSizes = options.compare.filter(cell => cell.store === store).map(cell => cell.size);
            const storeSizes = store === 'mongodb' ? options.mongodbSizes : store === 'redis' ? options.redisSizes : options.sizes;
            const sizes = [...new Set([...storeSizes, ...compareSizes])].sort((a, b) => a - b);
            for (const size of sizes) {
                const impls = [ours, versus, baseline, options.ops.includes('validate_touching') && store !== 'mongodb' ? touching : null,
                    original && compareSizes.includes(size) ? original : null,
                    store === 'memory' && options.ops.some(op => BARE_OPS.has(op)) ? bareImpl : null]
                    .filter((impl): impl is Impl => impl != null);
                try {
                    const redis = store === 'redis' ? await redisFor(size) : null;
                    const serverPid = store === 'redis' ? ownRedis.get(size)?.pid ?? null : store === 'mongodb' ? ownMongoPid(mongo) : null;
                    groups.push({ store, size, running: await startAll(impls, store, size, work, mongo, redis), serverPid, redis });
                } catch (err) {
                    // One store or size that cannot be set up must not cost the results of the others.
                    progress(`${store} ${size}: skipped, it could not be set up: ${(err as Error).message.split('\n')[0]}`);
                }
            }
        }
        await measure(groups, options, rows, work, mongo);
    } finally {
        for (const entry of groups.flatMap(group => group.running)) await entry.service.stop();
        await stopOwnMongo(mongo);
        for (const server of ownRedis.values()) await server.remove();
        await fs.rm(work, { recursive: true, force: true });
    }

    const outDir = path.join(ROOT, 'bench-results');
    await fs.mkdir(outDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const targets = BenchTargets.evaluate(rows, options);
    const report = { date: new Date().toISOString(), node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model, options, rows, targets };
    await fs.writeFile(path.join(outDir, 'bench-' + stamp + '.json'), JSON.stringify(report, null, 2));
    await fs.writeFile(path.join(outDir, 'bench-' + stamp + '.svg'), BenchChart.render(rows
        .filter(row => row.impl !== 'bare')
        .map(row => ({ impl: row.impl, store: row.store, size: row.size, op: row.op + ' ' + row.scenario, rps: row.rps.median }))));

    console.log('\n' + machine + '; ' + options.runs + ' runs of ' + options.duration + ' s per cell, ' + options.connections + ' connections');
    console.log('\n' + formatTable(rows));
    if (original) console.log('\nours/original, requests/s medians (same run):\n' + formatRatios(rows, 'original'));
    if (versus) console.log(`\nours on ${process.version} / ours on ${versus.name.slice(5)}, requests/s medians (same run):\n` + formatRatios(rows, versus.name, 2));
    if (baseline) console.log(`\nours / baseline (${options.baseline}), requests/s medians (same run):\n` + formatRatios(rows, baseline.name, 2));
    console.log('\ntargets (ratios of medians from this run; range: the cell\'s slowest and fastest run over the other median):\n' + BenchTargets.format(targets));
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

// A mistyped command line gets its one-line reason, not a stack.
let commandLine: BenchOptions;
try {
    commandLine = BenchOptionsReader.read(process.argv.slice(2));
} catch (err) {
    console.error('bench: ' + (err as Error).message);
    process.exit(2);
}

main(commandLine).then(() => { finished = true; }, (err: unknown) => {
    finished = true;
    console.error(err);
    process.exit(1);
});
