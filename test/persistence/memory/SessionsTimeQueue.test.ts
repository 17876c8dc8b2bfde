import { expect } from 'chai';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { SessionsTimeQueue } from '../../../src/persistence/memory/SessionsTimeQueue';

function at(id: string, time: number): SessionV1 {
    return new SessionV1(id, 'u1', undefined, undefined, undefined, new Date(time));
}

describe('SessionsTimeQueue', () => {
    let current: Map<string, SessionV1>;
    let queue: SessionsTimeQueue<SessionV1>;
    const isCurrent = (id: string, session: SessionV1) => current.get(id) === session;
    const put = (session: SessionV1) => {
        current.set(session.id, session);
        queue.push(session.id, session, session.request_time.getTime(), current.size, isCurrent);
    };

    beforeEach(() => {
        current = new Map();
        queue = new SessionsTimeQueue<SessionV1>();
    });

    it('gives the current entries that are due, oldest first, skipping replaced ones', () => {
        put(at('a', 10));
        put(at('b', 20));
        put(at('c', 30));
        put(at('a', 40)); // a moves to the back; its first entry is stale
        expect(queue.due(35, isCurrent).map(session => session.id)).to.deep.equal(['b', 'c']);
        expect(queue.due(50, isCurrent).map(session => session.id)).to.deep.equal(['b', 'c', 'a']);
        expect([...queue.newestFirst(isCurrent)].map(session => session.request_time.getTime())).to.deep.equal([40, 30, 20]);
    });

    it('sorts once after an append out of order', () => {
        put(at('a', 30));
        put(at('b', 10));
        put(at('c', 20));
        expect(queue.due(25, isCurrent).map(session => session.id)).to.deep.equal(['b', 'c']);
        put(at('d', 5));
        expect(queue.due(100, isCurrent).map(session => session.id)).to.deep.equal(['d', 'b', 'c', 'a']);
    });

    it('stays within twice the current entries however often they are replaced', () => {
        for (let index = 0; index < 100; index++) put(at('s' + index, index));
        for (let round = 0; round < 1000; round++) {
            for (let index = 0; index < 100; index++) put(at('s' + index, 1000 + round * 100 + index));
            expect(queue.length, 'entries held after round ' + round).to.be.at.most(2 * 100 + 1024);
        }
        expect([...queue.newestFirst(isCurrent)]).to.have.length(100);
        expect(queue.due(Infinity, isCurrent)[0].request_time.getTime()).to.equal(1000 + 999 * 100);
    });

    it('holds one entry for a session written again and again, and no stale session object', () => {
        for (let index = 0; index < 10; index++) put(at('s' + index, index));
        const first = at('hot', 100);
        put(first);
        for (let write = 1; write <= 10000; write++) put(at('hot', 100 + write));
        expect(queue.length).to.equal(11);
        expect([...queue.newestFirst(isCurrent)]).to.not.include(first);
        expect(queue.due(Infinity, isCurrent).map(session => session.request_time.getTime())).to.deep.equal(
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10100]);
    });

    it('restore() takes back an entry written over in place', () => {
        put(at('a', 10));
        const before = at('hot', 20);
        put(before);
        const mark = queue.mark();
        const after = at('hot', 30);
        current.set('hot', after);
        queue.push('hot', after, 30, current.size, isCurrent);
        put(at('b', 40));
        queue.restore(mark);
        current.set('hot', before);
        current.delete('b');
        expect(queue.due(Infinity, isCurrent).map(session => [session.id, session.request_time.getTime()])).to.deep.equal(
            [['a', 10], ['hot', 20]]);
    });

    it('adopt() takes lists whole and then answers as the same entries pushed in turn', () => {
        const sessions = [at('a', 30), at('b', 10), at('c', 20), at('d', 40)];
        const pushed = new SessionsTimeQueue<SessionV1>();
        for (const session of sessions) {
            current.set(session.id, session);
            pushed.push(session.id, session, session.request_time.getTime(), current.size, isCurrent);
        }
        queue.adopt(sessions.map(session => session.id), [...sessions], sessions.map(session => session.request_time.getTime()));
        expect(queue.length).to.equal(4);
        for (const limit of [15, 25, 100]) {
            expect(queue.due(limit, isCurrent), 'due before ' + limit).to.deep.equal(pushed.due(limit, isCurrent));
        }
        // After an adopt in order, a push out of order still makes the next scan sort.
        const ordered = new SessionsTimeQueue<SessionV1>();
        ordered.adopt(['b', 'c'], [sessions[1], sessions[2]], [10, 20]);
        const early = at('e', 5);
        current.set('e', early);
        ordered.push('e', early, 5, 3, isCurrent);
        expect(ordered.due(100, isCurrent).map(session => session.id)).to.deep.equal(['e', 'b', 'c']);
    });
});
