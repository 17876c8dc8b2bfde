/** The operations the bench drives; validate_touching is validate_session on a service that touches on every call. */
export const BENCH_OPS = ['get_session_by_id', 'validate_session', 'validate_touching', 'store_session_data',
    'update_session_user', 'get_sessions', 'open_session', 'close_session'] as const;
export type BenchOp = typeof BENCH_OPS[number];

/** hot: every request names one session; spread: a random preloaded session (or user) per request. */
export type BenchScenario = 'hot' | 'spread';

/** A store and size at which the original runs beside ours, and the operations it runs there (all when empty). */
export interface CompareCell {
    store: string;
    size: number;
    ops: BenchOp[];
}

export interface BenchOptions {
    sizes: number[];
    mongodbSizes: number[];
    redisSizes: number[];
    duration: number;
    runs: number;
    stores: string[];
    ops: BenchOp[];
    scenarios: BenchScenario[];
    connections: number;
    /** Where the original runs beside ours; empty without --compare. */
    compare: CompareCell[];
    /** Another node binary to run ours on beside the one running the bench (--versus-node). */
    versusNode: string | null;
    /** The node binary the original runs on (--original-node); see originalNode() in run.ts. */
    originalNode: string | null;
    /** Another built checkout of ours, run beside this one as 'baseline' (--baseline): a change's before and after in one run. */
    baseline: string | null;
}

/** Reads the command line of `npm run bench -- ...`; see docs/performance.md. */
export class BenchOptionsReader {
    public static read(args: string[]): BenchOptions {
        const value = (name: string, fallback: string): string => {
            const index = args.indexOf('--' + name);
            return index >= 0 && index + 1 < args.length ? args[index + 1] : fallback;
        };
        const numbers = (text: string): number[] => text.split(',').filter(item => item.trim() !== '')
            .map(item => Number(item.replace(/_/g, ''))).filter(n => Number.isInteger(n) && n >= 0);
        const ops = value('ops', BENCH_OPS.join(',')).split(',');
        const unknown = ops.filter(op => !(BENCH_OPS as readonly string[]).includes(op));
        if (unknown.length > 0) throw new Error('Unknown operation(s) ' + unknown.join(', ') + '; known: ' + BENCH_OPS.join(', '));
        const scenarios = value('scenarios', 'hot,spread').split(',');
        if (scenarios.some(scenario => scenario !== 'hot' && scenario !== 'spread')) throw new Error('--scenarios takes hot and/or spread');
        const compare = args.includes('--compare')
            ? value('compare-cells', 'memory:10000,file:100000:store_session_data').split(',').map(BenchOptionsReader.compareCell)
            : [];
        return {
            sizes: numbers(value('sizes', '0,10000,100000,1000000')),
            mongodbSizes: numbers(value('mongodb-sizes', '10000')),
            redisSizes: numbers(value('redis-sizes', '1000,100000,1000000')),
            duration: Number(value('duration', '5')),
            runs: Math.max(1, Number(value('runs', '3'))),
            stores: value('stores', 'memory,file,mongodb,redis').split(','),
            ops: ops as BenchOp[],
            scenarios: scenarios as BenchScenario[],
            connections: Number(value('connections', '16')),
            compare,
            versusNode: value('versus-node', '') || null,
            originalNode: value('original-node', '') || null,
            baseline: value('baseline', '') || null
        };
    }

    /** store:size[:op+op...], e.g. file:100000:store_session_data. */
    private static compareCell(text: string): CompareCell {
        const [store, size, ops] = text.split(':');
        const count = Number((size ?? '').replace(/_/g, ''));
        if (!store || !Number.isInteger(count) || count < 0) throw new Error('--compare-cells: "' + text + '" is not store:size[:op+op]');
        return { store, size: count, ops: ops ? ops.split('+') as BenchOp[] : [] };
    }
}
