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

/** The stores the bench can start. */
const BENCH_STORES = ['memory', 'file', 'mongodb', 'redis'] as const;

/** The flags that take a value; --compare alone takes none. */
const VALUE_FLAGS = ['sizes', 'mongodb-sizes', 'redis-sizes', 'duration', 'runs', 'stores', 'ops', 'scenarios', 'connections',
    'compare-cells', 'original-node', 'versus-node', 'baseline'];

/** Reads the command line of `npm run bench -- ...`; see docs/performance.md. */
export class BenchOptionsReader {
    public static read(args: string[]): BenchOptions {
        BenchOptionsReader.checkArguments(args);
        const value = (name: string, fallback: string): string => {
            const index = args.indexOf('--' + name);
            return index >= 0 && index + 1 < args.length ? args[index + 1] : fallback;
        };
        const numbers = (name: string, fallback: string): number[] => value(name, fallback).split(',')
            .filter(item => item.trim() !== '').map(item => BenchOptionsReader.wholeNumber(name, item.replace(/_/g, ''), 0));
        const ops = value('ops', BENCH_OPS.join(',')).split(',');
        const unknown = ops.filter(op => !(BENCH_OPS as readonly string[]).includes(op));
        if (unknown.length > 0) throw new Error('Unknown operation(s) ' + unknown.join(', ') + '; known: ' + BENCH_OPS.join(', '));
        const scenarios = value('scenarios', 'hot,spread').split(',');
        if (scenarios.some(scenario => scenario !== 'hot' && scenario !== 'spread')) throw new Error('--scenarios takes hot and/or spread');
        const stores = value('stores', BENCH_STORES.join(',')).split(',');
        const unknownStores = stores.filter(store => !(BENCH_STORES as readonly string[]).includes(store));
        if (unknownStores.length > 0) throw new Error('Unknown store(s) ' + unknownStores.join(', ') + '; known: ' + BENCH_STORES.join(', '));
        const compare = args.includes('--compare')
            ? value('compare-cells', 'memory:10000,file:100000:store_session_data').split(',').map(BenchOptionsReader.compareCell)
            : [];
        return {
            sizes: numbers('sizes', '0,10000,100000,1000000'),
            mongodbSizes: numbers('mongodb-sizes', '10000'),
            redisSizes: numbers('redis-sizes', '1000,100000,1000000'),
            duration: BenchOptionsReader.wholeNumber('duration', value('duration', '5'), 1),
            runs: BenchOptionsReader.wholeNumber('runs', value('runs', '3'), 1),
            stores,
            ops: ops as BenchOp[],
            scenarios: scenarios as BenchScenario[],
            connections: BenchOptionsReader.wholeNumber('connections', value('connections', '16'), 1),
            compare,
            versusNode: value('versus-node', '') || null,
            originalNode: value('original-node', '') || null,
            baseline: value('baseline', '') || null
        };
    }

    /** Every argument is a known flag or the value after one: a mistyped flag must not be ignored in silence. */
    private static checkArguments(args: string[]): void {
        const seen = new Set<string>();
        for (let index = 0; index < args.length; index++) {
            const name = args[index].startsWith('--') ? args[index].slice(2) : null;
            if (name != null && seen.has(name)) throw new Error('--' + name + ' is given twice');
            if (name != null) seen.add(name);
            if (name === 'compare') continue;
            if (name == null) throw new Error('Unexpected argument "' + args[index] + '": values follow their flag, e.g. --sizes 0,10000');
            if (!VALUE_FLAGS.includes(name)) throw new Error('Unknown flag --' + name + '; known: --compare, --' + VALUE_FLAGS.join(', --'));
            if (index + 1 >= args.length || args[index + 1].startsWith('--')) throw new Error('--' + name + ' needs a value');
            index++;
        }
    }

    private static wholeNumber(flag: string, text: string, min: number): number {
        const number = Number(text);
        if (text.trim() === '' || !Number.isInteger(number) || number < min) {
            throw new Error('--' + flag + ': "' + text + '" is not a whole number of ' + min + ' or more');
        }
        return number;
    }

    /** store:size[:op+op...], e.g. file:100000:store_session_data. */
    private static compareCell(text: string): CompareCell {
        const [store, size, ops] = text.split(':');
        const count = Number((size ?? '').replace(/_/g, ''));
        if (!store || !Number.isInteger(count) || count < 0) throw new Error('--compare-cells: "' + text + '" is not store:size[:op+op]');
        return { store, size: count, ops: ops ? ops.split('+') as BenchOp[] : [] };
    }
}
