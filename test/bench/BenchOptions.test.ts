import { expect } from 'chai';

import { BENCH_OPS, BenchOptionsReader } from '../../bench/BenchOptions';

describe('BenchOptionsReader (npm run bench -- ...)', () => {
    it('reads the documented defaults with no arguments', () => {
        const options = BenchOptionsReader.read([]);
        expect(options.sizes).to.deep.equal([0, 10000, 100000, 1000000]);
        expect(options.redisSizes).to.deep.equal([1000, 100000, 1000000]);
        expect(options.mongodbSizes).to.deep.equal([10000]);
        expect([options.duration, options.runs, options.connections]).to.deep.equal([5, 3, 16]);
        expect(options.stores).to.deep.equal(['memory', 'file', 'mongodb', 'redis']);
        expect(options.ops).to.deep.equal([...BENCH_OPS]);
        expect(options.compare).to.deep.equal([]);
    });

    it('reads the command of the performance page', () => {
        const options = BenchOptionsReader.read(['--sizes', '0,10_000', '--mongodb-sizes', '1000', '--duration', '2', '--runs', '1',
            '--stores', 'memory,redis', '--ops', 'get_session_by_id', '--compare']);
        expect(options.sizes).to.deep.equal([0, 10000]);
        expect([options.duration, options.runs]).to.deep.equal([2, 1]);
        expect(options.stores).to.deep.equal(['memory', 'redis']);
        expect(options.compare.map(cell => cell.store + ':' + cell.size)).to.deep.equal(['memory:10000', 'file:100000']);
    });

    it('refuses what it would otherwise ignore: a stray value, an unknown flag or store, a flag without its value or given twice, a bad number', () => {
        expect(() => BenchOptionsReader.read(['--compare', 'memory:100000'])).to.throw('Unexpected argument "memory:100000"');
        expect(() => BenchOptionsReader.read(['--size', '0'])).to.throw('Unknown flag --size');
        expect(() => BenchOptionsReader.read(['--stores', 'memroy'])).to.throw('Unknown store(s) memroy');
        expect(() => BenchOptionsReader.read(['--runs', '--compare'])).to.throw('--runs needs a value');
        expect(() => BenchOptionsReader.read(['--runs', '1', '--runs', '3'])).to.throw('--runs is given twice');
        expect(() => BenchOptionsReader.read(['--sizes', '0,10k'])).to.throw('--sizes: "10k" is not a whole number of 0 or more');
        expect(() => BenchOptionsReader.read(['--duration', '0'])).to.throw('--duration: "0" is not a whole number of 1 or more');
    });
});
