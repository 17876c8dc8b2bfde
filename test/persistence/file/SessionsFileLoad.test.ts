import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { ISessionsPersistence } from '../../../src/persistence/ISessionsPersistence';
import { SessionsFilePersistence } from '../../../src/persistence/file/SessionsFilePersistence';
import { ReferenceStore } from './ReferenceStore';
import { makeSession } from '../SessionsPersistenceFixture';

/** Times of the sessions makeSession() makes: it starts at 2026-01-01T10:00Z, one hour per unit. */
const T_SWEEP = Date.parse('2026-01-03T00:00:00.000Z');
const T_LATE = Date.parse('2026-06-01T00:00:00.000Z');

async function openStore(filePath: string): Promise<SessionsFilePersistence> {
    const persistence = new SessionsFilePersistence();
    persistence.configure(ConfigParams.fromTuples('path', filePath, 'options.max_page_size', 1000));
    await persistence.open(null);
    return persistence;
}

/** Active, closed with a close_time and closed without one, some beyond ASCII, all of them read at load (none needs a parse). */
function sessions(): SessionV1[] {
    return Array.from({ length: 900 }, (_, index) => {
        const session = makeSession('t' + index, 'user' + (index % 7), (index * 7919 % 900) / 10, index % 3 !== 0);
        // Last active some hours after it opened, in another order than the openings.
        session.request_time = new Date(session.open_time.getTime() + (index * 104729 % 500) * 360000);
        if (index % 9 === 0) delete session.close_time;
        if (index % 13 === 0) session.user_name = 'Zoë 🙂';
        if (index % 17 === 0) session.user_id = 'usér' + (index % 5);
        return session;
    });
}

describe('SessionsFilePersistence load', () => {
    let dir: string;
    let filePath: string;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-load-'));
        filePath = path.join(dir, 'sessions.json');
    });

    afterEach(async () => {
        await fs.rm(dir, { recursive: true, force: true });
    });

    it('serves a snapshot it read whole in one pass exactly as the same sessions held as objects', async () => {
        const all = sessions();
        await fs.writeFile(filePath, '[\n' + all.map(session => JSON.stringify(session)).join(',\n') + '\n]\n');
        let persistence = await openStore(filePath);
        expect(persistence.sessionsAsText, 'every session held as text').to.equal(all.length);

        const reference = await ReferenceStore.holding(all);
        const bothAgree = (when: string) => ReferenceStore.expectSameAnswers(persistence, reference, all, 'usér2', when);
        await bothAgree('after the load');

        const ids = (closed: SessionV1[]) => closed.map(session => session.id).sort();
        const results: unknown[][] = [];
        // Many closed sessions, so that the closed queue compacts what the sweeps leave behind.
        const written = Array.from({ length: 3000 }, (_, index) => makeSession('w' + index, 'user' + (index % 7), 3, false));
        for (const store of [persistence, reference] as ISessionsPersistence[]) {
            for (const session of written) await store.create(null, { ...session });
            for (const session of written) await store.deleteById(null, session.id);
            const result: unknown[] = [];
            await store.updatePartially(null, 't1', AnyValueMap.fromTuples('data', { step: 1 }, 'request_time', new Date(T_LATE)));
            await store.update(null, { ...(await store.getOneById(null, 't2'))!, user_id: 'user5' });
            await store.deleteById(null, 't4');
            await store.create(null, makeSession('new', 'user3', 5));
            result.push(ids(await store.closeUserSessions(null, 'user6', 't6', new Date(T_SWEEP), 'logout')));
            result.push(ids(await store.closeOpenedBefore(null, new Date(Date.parse('2026-01-02T00:00:00.000Z')), new Date(T_SWEEP), 'absolute')));
            result.push(ids(await store.closeExpired(null, new Date(T_SWEEP), new Date(T_LATE), 'idle')));
            result.push(await store.deleteClosedBefore(null, new Date(Date.parse('2026-01-03T12:00:00.000Z'))));
            results.push(result);
        }
        expect((results[0][0] as string[]).length, 'sessions closed for their user').to.be.above(10);
        expect((results[0][1] as string[]).length, 'sessions the absolute sweep closed').to.be.above(10);
        expect((results[0][2] as string[]).length, 'sessions the idle sweep closed').to.be.above(10);
        expect(results[0][3] as number, 'closed sessions deleted').to.be.above(10);
        expect(results[0]).to.deep.equal(results[1]);
        all.push(makeSession('new', 'user3', 5));
        await bothAgree('after writes and sweeps');

        await persistence.close(null);
        persistence = await openStore(filePath);
        await bothAgree('after a restart');
        await persistence.close(null);
        await reference.close(null);
    });

    it('loads a snapshot where some lines need a full parse: those as objects, the rest as text, each under its user', async () => {
        const all = Array.from({ length: 40 }, (_, index) => {
            const session = makeSession('m' + index, 'user' + (index % 4), index, index % 2 === 0);
            // An escape in user_id: the loader leaves the line to the parser.
            if (index % 5 === 0) session.user_id = 'quote"' + (index % 4);
            return session;
        });
        await fs.writeFile(filePath, '[\n' + all.map(session => JSON.stringify(session)).join(',\n') + '\n]\n');
        const persistence = await openStore(filePath);
        expect(persistence.sessionsAsText, 'sessions held as text').to.equal(all.filter(session => !session.user_id.includes('"')).length);
        for (const session of all) {
            expect(await persistence.getOneById(null, session.id), session.id).to.deep.equal(JSON.parse(JSON.stringify(session), (key, value) =>
                key.endsWith('_time') && typeof value === 'string' ? new Date(value) : value));
        }
        const ids = async (filter: Record<string, unknown>) => (await persistence.getPageByFilter(null,
            FilterParams.fromValue(filter), new PagingParams(0, 100, true))).data.map(item => item.id).sort();
        for (const userId of new Set(all.map(session => session.user_id))) {
            expect(await ids({ user_id: userId }), userId).to.deep.equal(all.filter(session => session.user_id === userId).map(session => session.id).sort());
        }
        expect(await ids({ active: true })).to.deep.equal(all.filter(session => session.active).map(session => session.id).sort());
        await persistence.close(null);
    });

    it('loads a line-per-session file that names an id twice with the last one, indexes and all', async () => {
        const first = makeSession('dup', 'u1', 0);
        const last = makeSession('dup', 'u2', 1, false);
        await fs.writeFile(filePath, '[\n' + [first, makeSession('other', 'u1', 2), last].map(session => JSON.stringify(session)).join(',\n') + '\n]\n');
        const persistence = await openStore(filePath);

        expect(persistence.size).to.equal(2);
        expect((await persistence.getOneById(null, 'dup'))!.user_id).to.equal('u2');
        const ids = async (filter: Record<string, unknown>) => (await persistence.getPageByFilter(null,
            FilterParams.fromValue(filter), new PagingParams(0, 100, true))).data.map(item => item.id);
        expect(await ids({ user_id: 'u1' })).to.deep.equal(['other']);
        expect(await ids({ user_id: 'u2' })).to.deep.equal(['dup']);
        expect(await ids({ active: true })).to.deep.equal(['other']);
        await persistence.close(null);
    });
});
