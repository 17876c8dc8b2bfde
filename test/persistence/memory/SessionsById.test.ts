import { expect } from 'chai';
import * as fc from 'fast-check';

import { SessionsById } from '../../../src/persistence/memory/SessionsById';

type Operation =
    | { kind: 'set'; key: string; value: number }
    | { kind: 'delete'; key: string }
    | { kind: 'reserve'; count: number }
    | { kind: 'clear' };

/** Keys from a small set, so that sets and deletes hit keys held, and a few beyond ASCII. */
const key = fc.oneof(fc.integer({ min: 0, max: 300 }).map(n => 'k' + n), fc.constantFrom('', 'é', '日本', '🙂', 'k1\u0000'));
const operation: fc.Arbitrary<Operation> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reserve' as const), count: fc.integer({ min: 0, max: 2000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) }
);

describe('SessionsById', () => {
    it('answers as a Map does, order included, through sets, deletes, rebuilds and clears', () => {
        fc.assert(fc.property(fc.array(operation, { maxLength: 600 }), operations => {
            const map = new Map<string, number>();
            const table = new SessionsById<number>();
            for (const step of operations) {
                if (step.kind === 'set') {
                    map.set(step.key, step.value);
                    table.set(step.key, step.value);
                } else if (step.kind === 'delete') {
                    expect(table.delete(step.key)).to.equal(map.delete(step.key));
                } else if (step.kind === 'reserve') {
                    table.reserve(step.count);
                } else {
                    map.clear();
                    table.clear();
                }
                expect(table.size).to.equal(map.size);
            }
            expect([...table.keys()]).to.deep.equal([...map.keys()]);
            expect([...table.values()]).to.deep.equal([...map.values()]);
            for (const [held, value] of map) {
                expect(table.get(held)).to.equal(value);
                expect(table.has(held)).to.equal(true);
            }
            for (const absent of ['k301', 'x', 'é!']) {
                expect(table.get(absent)).to.equal(undefined);
                expect(table.has(absent)).to.equal(false);
            }
        }), { seed: 11, numRuns: 400 });
    });

    it('takes a hash given with a key as its own, the bytes of an ASCII key hashing as its characters do', () => {
        const table = new SessionsById<string>();
        const ids = Array.from({ length: 5000 }, (_, index) => index.toString(16).padStart(32, '0'));
        const bytes = Buffer.from(ids.join(''), 'latin1');
        table.reserve(ids.length);
        ids.forEach((id, index) => table.set(id, 'v' + index, SessionsById.hashBytes(bytes, index * 32, index * 32 + 32)));
        expect(table.size).to.equal(ids.length);
        ids.forEach((id, index) => expect(table.get(id)).to.equal('v' + index));
        ids.forEach(id => expect(SessionsById.hashBytes(Buffer.from(id, 'latin1'), 0, id.length)).to.equal(SessionsById.hash(id)));
    });

    it('adopts lists whole, in their order, then answers as a Map does; refuses a repeated key', () => {
        fc.assert(fc.property(fc.uniqueArray(key, { maxLength: 300 }), fc.array(operation, { maxLength: 200 }), (keys, operations) => {
            const map = new Map<string, number>(keys.map((held, index) => [held, index]));
            const table = new SessionsById<number>();
            table.set('before', 1);
            expect(table.adopt([...keys], keys.map((_, index) => index), Int32Array.from(keys, held => SessionsById.hash(held)))).to.equal(true);
            for (const step of operations) {
                if (step.kind === 'set') {
                    map.set(step.key, step.value);
                    table.set(step.key, step.value);
                } else if (step.kind === 'delete') {
                    expect(table.delete(step.key)).to.equal(map.delete(step.key));
                }
                expect(table.size).to.equal(map.size);
            }
            expect([...table.keys()]).to.deep.equal([...map.keys()]);
            expect([...table.values()]).to.deep.equal([...map.values()]);
            for (const [held, value] of map) expect(table.get(held)).to.equal(value);
        }), { seed: 5, numRuns: 300 });

        const table = new SessionsById<number>();
        const keys = ['a', 'b', 'c', 'b'];
        expect(table.adopt(keys, [1, 2, 3, 4], Int32Array.from(keys, held => SessionsById.hash(held)))).to.equal(false);
        expect(table.size).to.equal(0);
        expect(table.get('a')).to.equal(undefined);
    });

    it('keeps a million keys in one table sized once, and finds each', () => {
        const table = new SessionsById<number>();
        const count = 1000000;
        table.reserve(count);
        for (let index = 0; index < count; index++) table.set('s' + index, index);
        expect(table.size).to.equal(count);
        for (let index = 0; index < count; index += 997) expect(table.get('s' + index)).to.equal(index);
        for (let index = 0; index < count; index += 2) table.delete('s' + index);
        expect(table.size).to.equal(count / 2);
        expect(table.get('s1')).to.equal(1);
        expect(table.get('s2')).to.equal(undefined);
    });
});
