import { BenchStats } from './BenchStats';
import { BenchOp, BenchScenario } from './BenchOptions';

/** One cell of the results: an implementation on a store at a size, one operation in one scenario, over its runs. */
export interface BenchRow {
    impl: string;
    store: string;
    size: number;
    op: BenchOp;
    scenario: BenchScenario;
    rps: BenchStats;
    p50: number;
    p99: number;
    errors: number;
    /** The service's peak RSS over its start and every run. */
    rssMb: number;
    /** Its peak RSS over its start and its first 10 s of runs (issue 23's "the load and a 10 s run"); null if it ran less. */
    rssFirstRunsMb: number | null;
    /** How long reading the files took, per start (file stores). */
    loadMs: BenchStats | null;
}
