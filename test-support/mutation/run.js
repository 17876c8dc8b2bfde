#!/usr/bin/env node
'use strict';

/**
 * A mutation check of the test suite, run on demand (not in CI):
 * `npx tsc && node test-support/mutation/run.js [<mutant id>...]`.
 *
 * Each mutant is a small deliberate bug, of the kind a refactor could bring in unnoticed
 * (an fsync dropped, a time boundary moved by one, a unit wrong). The check puts it into the
 * built output (obj/, built first: no TypeScript compile per mutant),
 * runs the tests named for it, and puts the file back. A mutant is caught when a test fails.
 * The same tests first run unmutated and must pass with nothing pending (MongoDB and Redis tests
 * need their test servers, see MongoTestServer and RedisTestServer), else the check stops: a
 * skipped test catches nothing.
 *
 * Some mutants are listed as surviving, with the reason: a sync no durability test can miss
 * by design. The exit code is 0 when every mutant ends as listed. If the check is killed
 * (kill -9) mid-run, one obj/ file stays mutated until the next build (`npx tsc`).
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

const POWER_CUT = ['obj/test/persistence/file/SessionsFilePowerCut.test.js'];
const MEMORY = ['obj/test/persistence/memory/SessionsMemoryPersistence.test.js'];
const FILE = ['obj/test/persistence/file/SessionsFilePersistence.test.js'];
const MONGO = ['obj/test/persistence/mongodb/SessionsMongoDbPersistence.test.js'];
const CONTROLLER_TIMEOUTS = ['obj/test/logic/SessionsControllerTimeouts.test.js'];

/** file: in obj/; find must occur exactly once in it (else the list is stale and the check stops). */
const MUTANTS = [
    // 1. Durability: each fsync the file store relies on.
    { id: 'journal-datasync', file: 'obj/src/persistence/file/SessionsJournal.js',
        find: 'if (this._sync)\n                await handle.datasync();', replace: '', tests: POWER_CUT },
    { id: 'journal-dir-sync', file: 'obj/src/persistence/file/SessionsJournal.js',
        find: 'await this._files.syncDirectory(path.dirname(this.path));', replace: '', tests: POWER_CUT },
    { id: 'snapshot-sync', file: 'obj/src/persistence/file/SessionsSnapshotFile.js',
        find: 'await handle.sync();', replace: '', tests: POWER_CUT },
    { id: 'snapshot-dir-sync', file: 'obj/src/persistence/file/SessionsSnapshotFile.js',
        find: 'await this._files.syncDirectory(path.dirname(this.path));', replace: '', tests: POWER_CUT },
    { id: 'merge-sync', file: 'obj/src/persistence/file/SessionsSnapshotMerge.js',
        find: 'await finished.sync();', replace: '', tests: POWER_CUT },
    { id: 'merge-dir-sync', file: 'obj/src/persistence/file/SessionsSnapshotMerge.js',
        find: 'await files.syncDirectory(path.dirname(snapshotPath));', replace: '', tests: POWER_CUT },
    // 2. Time boundaries: live at the deadline itself, swept only after it.
    { id: 'mongo-live-idle-gt', file: 'obj/src/persistence/mongodb/SessionsMongoDbQuery.js',
        find: 'request_time = { $gte: new Date(idle) }', replace: 'request_time = { $gt: new Date(idle) }', tests: MONGO },
    { id: 'mongo-live-absolute-gt', file: 'obj/src/persistence/mongodb/SessionsMongoDbQuery.js',
        find: 'open_time = { $gte: new Date(absolute) }', replace: 'open_time = { $gt: new Date(absolute) }', tests: MONGO },
    { id: 'mongo-idle-sweep-lte', file: 'obj/src/persistence/mongodb/SessionsMongoDbPersistence.js',
        find: 'request_time: { $lt: requestTime }', replace: 'request_time: { $lte: requestTime }', tests: MONGO },
    { id: 'mongo-absolute-sweep-lte', file: 'obj/src/persistence/mongodb/SessionsMongoDbPersistence.js',
        find: 'open_time: { $lt: openTime }', replace: 'open_time: { $lte: openTime }', tests: MONGO },
    { id: 'mongo-retention-lte', file: 'obj/src/persistence/mongodb/SessionsMongoDbPersistence.js',
        find: 'close_time: { $lt: closeTime }', replace: 'close_time: { $lte: closeTime }', tests: MONGO },
    { id: 'live-idle-gt', file: 'obj/src/rules/SessionTimeouts.js',
        find: 'requestTime >= idle', replace: 'requestTime > idle', tests: MEMORY },
    { id: 'live-absolute-gt', file: 'obj/src/rules/SessionTimeouts.js',
        find: 'openTime >= absolute', replace: 'openTime > absolute', tests: FILE },
    { id: 'memory-sweep-lte', file: 'obj/src/persistence/memory/SessionsTimeQueue.js',
        find: 'if (this._times[index] >= limit)', replace: 'if (this._times[index] > limit)', tests: MEMORY },
    { id: 'validate-touch-interval', file: 'obj/src/logic/SessionsController.js',
        find: 'now - session.request_time.getTime() < this._touchInterval', replace: 'now - session.request_time.getTime() <= this._touchInterval',
        tests: CONTROLLER_TIMEOUTS },
    // 3. The TTL index: a period in minutes instead of seconds.
    { id: 'mongo-ttl-unit', file: 'obj/src/persistence/mongodb/SessionsMongoDbPersistence.js',
        find: 'Math.max(1, Math.ceil(period / 1000))', replace: 'Math.max(1, Math.ceil(period / 1000) * 60)', tests: MONGO },
    // Kept to show what no durability test can catch.
    { id: 'journal-truncate-sync', file: 'obj/src/persistence/file/SessionsJournal.js',
        find: 'await this._handle.truncate(validBytes);\n            await this._handle.sync();',
        replace: 'await this._handle.truncate(validBytes);', tests: POWER_CUT,
        survives: 'it makes a cut-off torn tail durable early; the next record\'s fdatasync writes the new size anyway, and a torn tail is skipped on load' },
    { id: 'merge-periodic-datasync', file: 'obj/src/persistence/file/SessionsSnapshotMerge.js',
        find: 'await handle.datasync();', replace: '', tests: POWER_CUT,
        survives: 'it spreads the flushing of a large fold (every 16 MB); the final fsync covers every byte' },
];

function run(files) {
    const output = path.join(os.tmpdir(), 'sessions-mutation-' + process.pid + '.json');
    fs.rmSync(output, { force: true });
    const result = spawnSync(process.execPath, [MOCHA, '--no-config', '--timeout', '600000', '--forbid-only',
        '--require', 'obj/test/fixtures/MochaHooks.js', '--reporter', 'json', '--reporter-option', 'output=' + output, ...files],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    let stats = null;
    try {
        stats = JSON.parse(fs.readFileSync(output, 'utf8')).stats;
    } catch {
        // No report: mocha stopped before or outside the tests (a mutant that breaks loading).
    }
    fs.rmSync(output, { force: true });
    return { status: result.status, stats, log: (result.stdout + result.stderr).trim() };
}

function describeRun({ status, stats }) {
    return stats == null ? 'exit ' + status + ', no report' : stats.passes + ' passing, ' + stats.failures + ' failing, ' + stats.pending + ' pending';
}

let restore = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        if (restore != null) restore();
        process.exit(130);
    });
}

function main() {
    const wanted = process.argv.slice(2);
    const mutants = wanted.length === 0 ? MUTANTS : MUTANTS.filter(mutant => wanted.includes(mutant.id));
    if (mutants.length === 0) throw new Error('No mutant named ' + wanted.join(', ') + '; known: ' + MUTANTS.map(m => m.id).join(', '));

    for (const mutant of mutants) {
        const text = fs.readFileSync(path.join(ROOT, mutant.file), 'utf8');
        const count = text.split(mutant.find).length - 1;
        if (count !== 1) throw new Error('Mutant ' + mutant.id + ': its text occurs ' + count + ' times in ' + mutant.file + ' (rebuild, or update the list)');
    }
    const suites = new Map(mutants.map(mutant => [mutant.tests.join(' '), mutant.tests]));
    for (const files of suites.values()) {
        const baseline = run(files);
        console.log('baseline  ' + files.join(' ') + ': ' + describeRun(baseline));
        if (baseline.status !== 0 || baseline.stats == null || baseline.stats.pending > 0 || baseline.stats.passes === 0) {
            console.error(baseline.log.split('\n').slice(-40).join('\n'));
            throw new Error('The tests must pass unmutated, with nothing pending, before mutants can be judged');
        }
    }

    let unexpected = 0;
    for (const mutant of mutants) {
        const file = path.join(ROOT, mutant.file);
        const original = fs.readFileSync(file, 'utf8');
        restore = () => fs.writeFileSync(file, original);
        let result;
        try {
            fs.writeFileSync(file, original.replace(mutant.find, mutant.replace));
            result = run(mutant.tests);
        } finally {
            restore();
            restore = null;
        }
        const caught = result.status !== 0 || result.stats == null || result.stats.failures > 0;
        const expected = mutant.survives == null ? caught : !caught;
        if (!expected) unexpected++;
        const verdict = (caught ? 'caught  ' : 'SURVIVED') + (expected ? '' : '  <- unexpected');
        console.log(verdict + '  ' + mutant.id.padEnd(26) + describeRun(result)
            + (mutant.survives != null ? '  (expected to survive: ' + mutant.survives + ')' : ''));
    }
    console.log(unexpected === 0 ? 'mutation: every mutant ended as expected' : 'mutation: ' + unexpected + ' mutant(s) did not end as expected');
    process.exitCode = unexpected === 0 ? 0 : 1;
}

main();
