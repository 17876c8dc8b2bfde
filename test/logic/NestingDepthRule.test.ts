import { expect } from 'chai';

import { NestingDepthRule } from '../../src/logic/NestingDepthRule';

/** A value of objects (or arrays) nested `depth` levels, built from the inside without recursion. */
function nested(depth: number, array = false): unknown {
    let value: unknown = 1;
    for (let level = 0; level < depth; level++) value = array ? [value] : { a: value };
    return value;
}

describe('NestingDepthRule', () => {
    it('counts levels of objects and arrays; scalars have none', () => {
        expect(NestingDepthRule.exceeds('text', 0)).to.equal(false);
        expect(NestingDepthRule.exceeds(null, 0)).to.equal(false);
        expect(NestingDepthRule.exceeds({}, 0)).to.equal(true);
        expect(NestingDepthRule.exceeds({}, 1)).to.equal(false);
        expect(NestingDepthRule.exceeds({ a: [1, { b: 2 }] }, 2)).to.equal(true);
        expect(NestingDepthRule.exceeds({ a: [1, { b: 2 }] }, 3)).to.equal(false);
    });

    it('allows 64 levels by default and refuses 65', () => {
        expect(NestingDepthRule.exceeds(nested(64), NestingDepthRule.DefaultMaxDepth)).to.equal(false);
        expect(NestingDepthRule.exceeds(nested(65, true), NestingDepthRule.DefaultMaxDepth)).to.equal(true);
    });

    it('measures 100,000 levels without overflowing the stack', () => {
        expect(NestingDepthRule.exceeds(nested(100000), 64)).to.equal(true);
        expect(NestingDepthRule.exceeds(nested(100000, true), 200000)).to.equal(false);
    });
});
