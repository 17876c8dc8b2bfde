import { expect } from 'chai';

import { SessionsRedisBucketCache } from '../../../src/persistence/redis/SessionsRedisBucketCache';

describe('SessionsRedisBucketCache', () => {
    it('keeps at most its capacity, letting the least recently used entry go first', () => {
        const cache = new SessionsRedisBucketCache(3);
        for (const [id, bucket] of [['a', 1], ['b', 2], ['c', 3]] as const) cache.set(id, bucket);
        expect(cache.get('a')).to.equal(1); // used: b is now the least recent
        cache.set('d', 4);
        expect(cache.size).to.equal(3);
        expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).to.deep.equal([1, undefined, 3, 4]);
        cache.set('c', 5); // a new bucket for a kept id: no other entry goes
        expect([cache.size, cache.get('a'), cache.get('c'), cache.get('d')]).to.deep.equal([3, 1, 5, 4]);
    });

    it('forgets an entry or all of them, and keeps none at capacity 0', () => {
        const cache = new SessionsRedisBucketCache(10);
        cache.set('a', 1);
        cache.set('b', 2);
        cache.delete('a');
        expect([cache.get('a'), cache.get('b')]).to.deep.equal([undefined, 2]);
        cache.clear();
        expect(cache.size).to.equal(0);
        const none = new SessionsRedisBucketCache(0);
        none.set('a', 1);
        expect([none.size, none.get('a')]).to.deep.equal([0, undefined]);
    });
});
