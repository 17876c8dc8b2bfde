import { expect } from 'chai';
import { FilterParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { SessionsFilter } from '../../../src/persistence/SessionsFilter';
import { SessionsMemoryIndex, SessionsMemoryStep } from '../../../src/persistence/memory/SessionsMemoryIndex';
import { StoredSession } from '../../../src/persistence/memory/StoredSession';

const T0 = Date.UTC(2026, 11, 5);

function session(id: string, userId: string, requestMinutes: number, active = true): SessionV1 {
    const session = new SessionV1(id, userId, 'Name');
    session.open_time = new Date(T0);
    session.request_time = new Date(T0 + requestMinutes * 60000);
    session.active = active;
    if (!active) session.close_time = session.request_time;
    return session;
}

function ids(entries: Iterable<StoredSession>): string[] {
    return [...entries].map(entry => (typeof entry === 'string' ? JSON.parse(entry).id : entry.id) as string).sort();
}

describe('SessionsMemoryIndex', () => {
    let failAt: SessionsMemoryStep | null;
    let index: SessionsMemoryIndex;

    beforeEach(() => {
        failAt = null;
        index = new SessionsMemoryIndex(step => {
            if (step === failAt) throw new Error('step ' + step + ' failed');
        });
    });

    it('finds what add, replace and remove leave, by id, by user and by time', () => {
        const a = session('a', 'u1', 1);
        const b = session('b', 'u1', 2);
        const c = session('c', 'u2', 3);
        index.atomically(() => { index.add(a); index.add(b); index.add(c); });
        expect(ids(index.sessionsOf('u1'))).to.deep.equal(['a', 'b']);
        expect(ids(index.activeBefore(T0 + 2.5 * 60000))).to.deep.equal(['a', 'b']);

        const moved = { ...b, user_id: 'u2', request_time: new Date(T0 + 10 * 60000) };
        index.atomically(() => index.replace(b, moved));
        expect(index.get('b')).to.equal(moved);
        expect(ids(index.sessionsOf('u1'))).to.deep.equal(['a']);
        expect(ids(index.sessionsOf('u2'))).to.deep.equal(['b', 'c']);
        expect(ids(index.activeBefore(T0 + 2.5 * 60000)), 'b is no longer due at its old time').to.deep.equal(['a']);

        const closed = { ...a, active: false, close_time: new Date(T0 + 5 * 60000) };
        index.atomically(() => index.replace(a, closed));
        expect(ids(index.activeBefore(T0 + 60 * 60000))).to.deep.equal(['b', 'c']);
        expect(ids(index.closedBefore(T0 + 6 * 60000))).to.deep.equal(['a']);
        expect(ids(index.candidates(SessionsFilter.fromParams(FilterParams.fromTuples('active', true)), false).entries)).to.deep.equal(['b', 'c']);

        index.atomically(() => index.remove(c));
        expect(index.has('c')).to.equal(false);
        expect(ids(index.sessionsOf('u2'))).to.deep.equal(['b']);
        expect(index.size).to.equal(2);
    });

    it('lists each active session opened before a time once, with the open time it has now', () => {
        const a = session('a', 'u1', 1);
        index.atomically(() => index.add(a));
        const reopened = { ...a, open_time: new Date(T0 + 30 * 60000) };
        index.atomically(() => index.replace(a, reopened));
        expect(ids(index.openedBefore(T0 + 60000))).to.deep.equal([]);
        expect(ids(index.openedBefore(T0 + 31 * 60000))).to.deep.equal(['a']);
    });

    for (const step of ['set', 'delete', 'index-user', 'unindex-user', 'count', 'queue'] as SessionsMemoryStep[]) {
        it(`takes a whole change back when its ${step} step fails`, () => {
            const a = session('a', 'u1', 1);
            const b = session('b', 'u1', 2);
            index.atomically(() => { index.add(a); index.add(b); });
            failAt = step;
            const moved = { ...a, user_id: 'u2', request_time: new Date(T0 + 20 * 60000) };
            expect(() => index.atomically(() => { index.replace(a, moved); index.remove(b); })).to.throw('step ' + step + ' failed');
            failAt = null;
            expect(index.get('a')).to.equal(a);
            expect(index.get('b')).to.equal(b);
            expect(ids(index.sessionsOf('u1'))).to.deep.equal(['a', 'b']);
            expect(ids(index.sessionsOf('u2'))).to.deep.equal([]);
            expect(ids(index.activeBefore(T0 + 3 * 60000))).to.deep.equal(['a', 'b']);
            const everyone = index.candidates(SessionsFilter.fromParams(null), false);
            expect([...everyone.entries].map(entry => (entry as SessionV1).id), 'all sessions, newest first').to.deep.equal(['b', 'a']);
        });
    }

    it('loads texts and objects, the last of a repeated id winning, and indexes users in the background', async () => {
        const texts: StoredSession[] = [JSON.stringify(session('a', 'u1', 1)), session('b', 'u2', 2), JSON.stringify(session('c', 'u1', 3))];
        index.load(texts);
        expect(index.size).to.equal(3);
        expect(index.textCount).to.equal(2);
        expect(index.usersIndexed).to.equal(false);
        index.indexUsersInBackground();
        while (!index.usersIndexed) await new Promise(resolve => setImmediate(resolve));
        expect(ids(index.sessionsOf('u1'))).to.deep.equal(['a', 'c']);

        index.load([JSON.stringify(session('a', 'u1', 1)), JSON.stringify(session('a', 'u3', 4))]);
        expect(index.size).to.equal(1);
        expect(index.textCount, 'a repeated id loads every session as an object').to.equal(0);
        expect(ids(index.sessionsOf('u3'))).to.deep.equal(['a']);
        expect(ids(index.sessionsOf('u1'))).to.deep.equal([]);
    });
});
