import { expect } from 'chai';

import { SessionsUserIndex } from '../../../src/persistence/memory/SessionsUserIndex';

describe('SessionsUserIndex', () => {
    let index: SessionsUserIndex;
    const idsOf = (userId: string) => [...index.idsOf(userId)];

    beforeEach(() => {
        index = new SessionsUserIndex(() => undefined);
    });

    it('lists a user\'s ids in the order added, whether the user has one or several', () => {
        expect(idsOf('u1')).to.deep.equal([]);
        expect(index.add('u1', 'a')).to.equal(true);
        expect(idsOf('u1')).to.deep.equal(['a']);
        expect(index.add('u1', 'b')).to.equal(true);
        expect(index.add('u1', 'c')).to.equal(true);
        expect(index.add('u2', 'd')).to.equal(true);
        expect(idsOf('u1')).to.deep.equal(['a', 'b', 'c']);
        expect(idsOf('u2')).to.deep.equal(['d']);
    });

    it('answers false for an id already under the user, with one id or several', () => {
        index.add('u1', 'a');
        expect(index.add('u1', 'a')).to.equal(false);
        index.add('u1', 'b');
        expect(index.add('u1', 'a')).to.equal(false);
        expect(index.add('u1', 'b')).to.equal(false);
        expect(idsOf('u1')).to.deep.equal(['a', 'b']);
    });

    it('deletes an id from a user of one id or several, and answers false for one not there', () => {
        expect(index.delete('u1', 'a')).to.equal(false);
        index.add('u1', 'a');
        expect(index.delete('u1', 'b')).to.equal(false);
        expect(index.delete('u2', 'a')).to.equal(false);
        expect(index.delete('u1', 'a')).to.equal(true);
        expect(idsOf('u1')).to.deep.equal([]);
        expect(index.delete('u1', 'a')).to.equal(false);

        index.add('u1', 'a');
        index.add('u1', 'b');
        index.add('u1', 'c');
        expect(index.delete('u1', 'x')).to.equal(false);
        expect(index.delete('u1', 'b')).to.equal(true);
        expect(idsOf('u1')).to.deep.equal(['a', 'c']);
        expect(index.delete('u1', 'a')).to.equal(true);
        expect(index.delete('u1', 'c')).to.equal(true);
        expect(idsOf('u1')).to.deep.equal([]);
        // Emptied, the user starts again from one id.
        expect(index.add('u1', 'c')).to.equal(true);
        expect(idsOf('u1')).to.deep.equal(['c']);
    });

    it('forgets every user on clear', () => {
        index.add('u1', 'a');
        index.add('u1', 'b');
        index.add('u2', 'c');
        index.clear();
        expect(idsOf('u1')).to.deep.equal([]);
        expect(idsOf('u2')).to.deep.equal([]);
    });
});
