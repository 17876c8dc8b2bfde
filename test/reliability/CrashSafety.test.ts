import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { journalRecords } from '../persistence/file/JournalFile';
import { freePort } from '../fixtures/TestService';
import { CrashWorkload, StoreCheck } from './CrashWorkload';
import { RawHttpClient } from './RawHttpClient';
import { SeededRandom } from './SeededRandom';
import { RunningService } from '../fixtures/RunningService';
import { StoreSnapshot } from './StoreSnapshot';

const ROUNDS = 25;
const CLIENTS = 8;
/** The kill comes this long after the service said it started. */
const KILL_AFTER_MS = { min: 50, max: 800 };
/** Small, so the journal is folded into the snapshot every few hundred writes, and some kills land mid-compaction. */
const COMPACTION_THRESHOLD = 128 * 1024;
const SEED = Number(process.env.RELIABILITY_SEED ?? 20240801);

/** The file store options are not in the environment of config.yml, so the test writes its own config. */
function config(dir: string): string {
    return [
        '- descriptor: "pip-services:context-info:default:default:1.0"',
        '  name: "service-sessions"',
        '- descriptor: "pip-services:logger:console:default:1.0"',
        '  level: "info"',
        '- descriptor: "service-sessions:persistence:file:default:1.0"',
        '  path: ' + JSON.stringify(path.join(dir, 'sessions.json')),
        '  options:',
        '    sync: true',
        '    compaction_threshold: ' + COMPACTION_THRESHOLD,
        // Compactions as often as the threshold allows, however large the snapshot grows.
        '    compaction_ratio: 0',
        '- descriptor: "service-sessions:controller:default:default:1.0"',
        '- descriptor: "pip-services:endpoint:http:default:1.0"',
        '  connection:',
        '    protocol: "http"',
        '    host: "127.0.0.1"',
        '    port: {{HTTP_PORT}}',
        '- descriptor: "service-sessions:service:commandable-http:default:1.0"',
        ''
    ].join('\n');
}

async function exists(file: string): Promise<boolean> {
    return await fs.access(file).then(() => true, () => false);
}

describe('Reliability: crash safety of the file store (issue 8, point 2)', function () {
    this.timeout(600000);
    let dir: string;
    let child: RunningService | null = null;

    before(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-crash-'));
        await fs.writeFile(path.join(dir, 'config.yml'), config(dir));
    });

    after(async () => {
        if (child != null) await child.stop();
        await fs.rm(dir, { recursive: true, force: true });
    });

    /** Starts node run on the store's files; its start is the proof that the files load. */
    async function start(): Promise<RawHttpClient> {
        const port = await freePort();
        child = new RunningService(dir, { PATH: process.env.PATH ?? '', HTTP_PORT: String(port) }, ['-c', path.join(dir, 'config.yml')]);
        await child.waitForOutput(/service-sessions \S+ started: /);
        return new RawHttpClient(port, 10000, CLIENTS);
    }

    function expectWhole(check: StoreCheck, when: string): void {
        expect(check.problems, when + ':\n' + check.problems.slice(0, 10).join('\n')).to.deep.equal([]);
    }

    it('keeps every acknowledged write, and nothing half applied, through ' + ROUNDS + ' SIGKILLs under load', async () => {
        const random = new SeededRandom(SEED);
        const workload = new CrashWorkload(CLIENTS, random);
        const totals = { acknowledged: 0, inFlight: 0, applied: 0, notApplied: 0, midCompaction: 0 };
        console.log('      seed %d (RELIABILITY_SEED=%d repeats the choices; the timing differs)', SEED, SEED);

        for (let round = 1; round <= ROUNDS; round++) {
            const http = await start();
            const loaded = child!.output.match(/Loaded (\d+) sessions from .* in (\d+) ms/);
            let checked = '';
            if (round > 1) {
                const check = workload.check(await StoreSnapshot.take(http, CLIENTS));
                expectWhole(check, 'after the restart before round ' + round);
                totals.applied += check.inFlightApplied;
                totals.notApplied += check.inFlightNotApplied;
                checked = '; restart: ' + check.sessions + ' sessions checked, in-flight writes applied ' + check.inFlightApplied
                    + ', not applied ' + check.inFlightNotApplied + ' (loaded in ' + (loaded?.[2] ?? '?') + ' ms)';
            }

            const delay = random.integer(KILL_AFTER_MS.min, KILL_AFTER_MS.max);
            let killed = false;
            const load = workload.run(http, round, () => killed);
            await new Promise(resolve => setTimeout(resolve, delay));
            killed = true;
            await child!.kill();
            const result = await load;
            http.close();
            child = null;
            expect(result.failures, 'round ' + round).to.deep.equal([]);
            const compacting = await exists(path.join(dir, 'sessions.json.journal.old')) || await exists(path.join(dir, 'sessions.json.tmp'));
            if (compacting) totals.midCompaction++;
            totals.acknowledged += result.acknowledged;
            totals.inFlight += result.inFlightAtKill;
            console.log('      round %d: killed %d ms after start%s: %d writes acknowledged, %d in flight%s', round, delay,
                compacting ? ' (mid-compaction)' : '', result.acknowledged, result.inFlightAtKill, checked);
        }

        // The last kill, checked; then a clean stop folds the journal into sessions.json, which alone must hold everything.
        let http = await start();
        const last = workload.check(await StoreSnapshot.take(http, CLIENTS));
        expectWhole(last, 'after the last restart');
        totals.applied += last.inFlightApplied;
        totals.notApplied += last.inFlightNotApplied;
        http.close();
        expect(await child!.stop(), 'a clean stop').to.equal(0);
        child = null;
        const journal = path.join(dir, 'sessions.json.journal');
        const snapshot = JSON.parse(await fs.readFile(path.join(dir, 'sessions.json'), 'utf8')) as Array<{ id: string }>;
        expect(await exists(journal) ? await journalRecords(journal) : [], 'journal folded in on a clean stop: only its mark is left')
            .to.deep.equal([{ s: { sessions: snapshot.length } }]);
        expect(snapshot.map(session => session.id).sort()).to.deep.equal([...workload.sessions.keys()].sort());

        http = await start();
        const fromSnapshot = workload.check(await StoreSnapshot.take(http, CLIENTS));
        expectWhole(fromSnapshot, 'loaded from the snapshot alone');
        expect(fromSnapshot.asAcknowledged).to.equal(workload.sessions.size);
        http.close();

        console.log('      %d rounds: %d writes acknowledged, %d in flight at the kills (%d applied whole, %d not at all), '
            + '%d kills mid-compaction, %d sessions at the end, every one as acknowledged',
        ROUNDS, totals.acknowledged, totals.inFlight, totals.applied, totals.notApplied, totals.midCompaction, workload.sessions.size);
        expect(totals.acknowledged, 'the load got writes acknowledged').to.be.above(ROUNDS * 10);
        expect(await child!.stop()).to.equal(0);
        child = null;
    });
});
