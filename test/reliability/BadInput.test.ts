import { expect } from 'chai';
import * as fc from 'fast-check';

import { BadArguments, MEMBER_KEYS } from './BadArguments';
import { BadInputHarness } from './BadInputHarness';
import { HttpBadInput } from './HttpBadInput';
import { SenecaBadInput } from './SenecaBadInput';

/** Requests per property run; the store is compared after each run. */
const BATCH = 20;
const HTTP_RUNS = 400;
const SENECA_RUNS = 300;
const MINIMUM_REQUESTS = 10000;
/** A fixed seed, so CI runs the same requests every time; RELIABILITY_SEED=<n> explores others. */
const SEED = Number(process.env.RELIABILITY_SEED ?? 20240801);
// RELIABILITY_VERBOSE=true also prints one example request and reply per category and outcome.
/** Shrinking re-runs batches against the live service; off unless asked for (the failure shows its batch anyway). */
const SHRINK = process.env.RELIABILITY_SHRINK === 'true';

const prototypes: Array<[string, object]> = [
    ['Object.prototype', Object.prototype], ['Array.prototype', Array.prototype], ['Function.prototype', Function.prototype],
    ['String.prototype', String.prototype]
];

/**
 * fc.assert, with its report cut to a readable size: a counterexample may hold
 * megabyte strings. The harness's own message (what failed, and the batch) is kept whole.
 */
async function assertBatches<T>(property: fc.IAsyncProperty<[T[]]>, parameters: fc.Parameters<[T[]]>): Promise<void> {
    try {
        await fc.assert(property, parameters);
    } catch (err) {
        const report = (err as Error).message;
        const cause = (err as Error & { cause?: unknown }).cause;
        const header = report.slice(0, report.indexOf('Counterexample:') >= 0 ? report.indexOf('Counterexample:') : 2000);
        throw new Error(header.trim() + '\n' + (cause instanceof Error ? cause.message : report.slice(0, 3000)));
    }
}

function prototypeKeys(): string {
    return JSON.stringify(prototypes.map(([name, proto]) => [name, Object.getOwnPropertyNames(proto).sort()]));
}

describe('Reliability: bad input over HTTP and Seneca (issue 8, point 1)', function () {
    this.timeout(600000);
    const keysBefore = prototypeKeys();
    let harness: BadInputHarness;

    before(async () => {
        harness = await BadInputHarness.start();
        console.log('      fast-check seed %d (replay with RELIABILITY_SEED=%d; RELIABILITY_SHRINK=true to shrink a failure)',
            SEED, SEED);
    });

    after(async () => {
        if (harness == null) return;
        console.log(harness.tally.report(process.env.RELIABILITY_VERBOSE === 'true').replace(/^/gm, '      '));
        console.log('      %d s sending generated requests, %d s checking the store after each batch',
            Math.round(harness.timing.sending / 1000), Math.round(harness.timing.checking / 1000));
        const code = await harness.stop();
        expect(code, 'node run stops cleanly after the run').to.equal(0);
    });

    it('answers ' + HTTP_RUNS * BATCH + ' generated bad HTTP requests without a 5xx or internals, rejected ones changing nothing', async () => {
        const requests = new HttpBadInput(new BadArguments(() => harness.liveIds(), MEMBER_KEYS));
        await assertBatches(fc.asyncProperty(fc.array(requests.any(), { minLength: BATCH, maxLength: BATCH }),
            async batch => await harness.runHttpBatch(batch)), { numRuns: HTTP_RUNS, seed: SEED, endOnFailure: !SHRINK });
        await harness.expectAlive();
    });

    it('answers ' + SENECA_RUNS * BATCH + ' generated bad Seneca messages with an envelope, rejected ones changing nothing', async () => {
        const messages = new SenecaBadInput(new BadArguments(() => harness.liveIds()));
        await assertBatches(fc.asyncProperty(fc.array(messages.any(), { minLength: BATCH, maxLength: BATCH }),
            async batch => await harness.runSenecaBatch(batch)), { numRuns: SENECA_RUNS, seed: SEED + 1, endOnFailure: !SHRINK });
        await harness.expectAlive();
    });

    it('left no polluted prototype, in the test process or in the service, and the service still answers', async () => {
        expect(prototypeKeys(), 'prototypes in the test process').to.equal(keysBefore);
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
        await harness.probePrototypes();
        await harness.expectAlive();
    });

    it('sent at least ' + MINIMUM_REQUESTS + ' generated requests across both transports', () => {
        expect(harness.tally.total()).to.be.at.least(MINIMUM_REQUESTS);
    });
});
