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
    rssMb: number;
    /** How long reading the files took, per start (file stores). */
    loadMs: BenchStats | null;
}
