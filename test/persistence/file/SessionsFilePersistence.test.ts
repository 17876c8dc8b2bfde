import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionsFilePersistence } from '../../../src/persistence/file/SessionsFilePersistence';
import { journalRecords } from './JournalFile';
import { ReferenceStore } from './ReferenceStore';
import { makeSession, SessionsPersistenceFixture } from '../SessionsPersistenceFixture';

/** Times of the sessions makeSession() makes: it starts at 2026-01-01T10:00Z, one hour per unit. */
const T_SWEEP = Date.parse('2026-01-03T00:00:00.000Z');
const T_LATE = Date.parse('2026-06-01T00:00:00.000Z');

async function openStore(filePath: string): Promise<SessionsFilePersistence> {
    const persistence = new SessionsFilePersistence();
    persistence.configure(ConfigParams.fromTuples('path', filePath));
    await persistence.open(null);
    return persistence;
}

describe('SessionsFilePersistence', () => {
    let dir: string;
    let filePath: string;
    let persistence: SessionsFilePersistence;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-file-'));
        filePath = path.join(dir, 'nested', 'sessions.json');
        persistence = await openStore(filePath);
    });

    afterEach(async () => {
        await persistence.close(null);
        await fs.rm(dir, { recursive: true, force: true });
    });

    SessionsPersistenceFixture.describeSharedBehaviour(() => persistence);

    describe('durability', () => {
        it('loads a file that names an id twice with the last one, indexes and all', async () => {
            await persistence.close(null);
            const first = makeSession('dup', 'u1', 0);
            const last = makeSession('dup', 'u2', 1, false);
            await fs.writeFile(filePath, JSON.stringify([first, makeSession('other', 'u1', 2), last]));
            persistence = await openStore(filePath);

            expect(persistence.size).to.equal(2);
            expect((await persistence.getOneById(null, 'dup'))!.user_id).to.equal('u2');
            const ids = async (filter: Record<string, unknown>) => (await persistence.getPageByFilter(null,
                FilterParams.fromValue(filter), new PagingParams(0, 100, true))).data.map(item => item.id);
            expect(await ids({ user_id: 'u1' })).to.deep.equal(['other']);
            expect(await ids({ user_id: 'u2' })).to.deep.equal(['dup']);
            expect(await ids({ active: true })).to.deep.equal(['other']);
            expect((await persistence.closeExpired(null, new Date('2030-01-01'), new Date(), 'idle')).length).to.equal(1);
        });

        it('indexes users after a load between requests, consistent with the writes made meanwhile', async () => {
            await persistence.close(null);
            const count = 50000;
            const lines = Array.from({ length: count }, (_, index) =>
                JSON.stringify(makeSession('s' + index, 'user' + (index % 100), index / 1000)));
            await fs.writeFile(filePath, '[\n' + lines.join(',\n') + '\n]\n');
            persistence = await openStore(filePath);
            expect(persistence.usersIndexed, 'still indexing users right after the load').to.equal(false);

            // Writes land while the index is built: moves between users, deletes, new sessions.
            const owner = new Map<string, string>();
            for (let index = 0; index < count; index++) owner.set('s' + index, 'user' + (index % 100));
            for (let round = 0; round < 20; round++) {
                const moved = 's' + (round * 2400 + 7);
                const deleted = 's' + (count - 1 - round * 2400);
                const current = (await persistence.getOneById(null, moved))!;
                await persistence.update(null, { ...current, user_id: 'user' + ((round * 13) % 100) });
                owner.set(moved, 'user' + ((round * 13) % 100));
                await persistence.deleteById(null, deleted);
                owner.delete(deleted);
                await persistence.create(null, makeSession('n' + round, 'user' + round, 100));
                owner.set('n' + round, 'user' + round);
            }
            while (!persistence.usersIndexed) await new Promise(resolve => setImmediate(resolve));

            for (let user = 0; user < 100; user++) {
                const expected = new Set([...owner].filter(([, userId]) => userId === 'user' + user).map(([id]) => id));
                const page = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'user' + user),
                    new PagingParams(0, 100, true));
                expect(page.total, 'sessions of user' + user).to.equal(expected.size);
                for (const item of page.data) expect(expected.has(item.id), item.id + ' is a session of user' + user).to.equal(true);
            }
        });

        it('answers a user query right after a load with every session of that user', async () => {
            await persistence.close(null);
            const lines = Array.from({ length: 30000 }, (_, index) =>
                JSON.stringify(makeSession('s' + index, 'user' + (index % 10), index / 1000)));
            await fs.writeFile(filePath, '[\n' + lines.join(',\n') + '\n]\n');
            persistence = await openStore(filePath);
            expect(persistence.usersIndexed).to.equal(false);
            const page = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'user3'),
                new PagingParams(0, 1, true));
            expect(page.total).to.equal(3000);
            expect(persistence.usersIndexed, 'the query finished the index').to.equal(true);
        });

        it('serves sessions loaded as text exactly as the same sessions held as objects', async () => {
            await persistence.close(null);
            const sessions = Array.from({ length: 600 }, (_, index) => {
                const session = makeSession('t' + index, 'user' + (index % 7), index / 10, index % 3 !== 0);
                // Some a lazy load cannot summarize (an escape in user_id): those are parsed at load.
                if (index % 50 === 0) session.user_id = 'quote"user';
                if (index % 11 === 0) session.data = { note: 'braces { [ and "quotes"', n: index };
                return session;
            });
            await fs.writeFile(filePath, '[\n' + sessions.map(session => JSON.stringify(session)).join(',\n') + '\n]\n');
            persistence = await openStore(filePath);
            expect(persistence.sessionsAsText, 'sessions held as text after the load').to.equal(600 - 12);

            const reference = await ReferenceStore.holding(sessions);
            const bothAgree = (when: string) => ReferenceStore.expectSameAnswers(persistence, reference, sessions, 'quote"user', when);
            await bothAgree('after the load');

            const deleted = await reference.getOneById(null, 't4');
            const closed: number[] = [];
            for (const store of [persistence, reference]) {
                await store.updatePartially(null, 't1', AnyValueMap.fromTuples('data', { step: 1 }, 'request_time', new Date(T_LATE)));
                await store.update(null, { ...(await store.getOneById(null, 't2'))!, user_id: 'user5' });
                expect(await store.deleteById(null, 't4')).to.deep.equal(deleted);
                closed.push((await store.closeExpired(null, new Date(T_SWEEP), new Date(T_LATE), 'idle')).length);
            }
            expect(closed[0], 'sessions the sweep closed').to.be.above(100).and.to.equal(closed[1]);
            await bothAgree('after writes and a sweep');

            await persistence.close(null);
            persistence = await openStore(filePath);
            await bothAgree('after a restart');
            await reference.close(null);
        });

        it('keeps every acknowledged write across restarts', async () => {
            await persistence.create(null, makeSession('a', 'u1', 0));
            await persistence.create(null, makeSession('b', 'u2', 1));
            await persistence.updatePartially(null, 'a', AnyValueMap.fromTuples('data', { step: 2 }));
            await persistence.deleteById(null, 'b');
            await persistence.close(null);

            persistence = await openStore(filePath);
            const a = await persistence.getOneById(null, 'a');
            expect(a!.data).to.deep.equal({ step: 2 });
            expect(a!.user).to.deep.equal({ id: 'u1', roles: ['user'] });
            expect(a!.open_time).to.be.instanceOf(Date);
            expect(a!.request_time).to.be.instanceOf(Date);
            expect(await persistence.getOneById(null, 'b')).to.equal(null);

            const closeTime = new Date();
            expect((await persistence.closeExpired(null, new Date('2030-01-01'), closeTime, 'idle')).length).to.equal(1);
            await persistence.close(null);
            persistence = await openStore(filePath);
            const closed = await persistence.getOneById(null, 'a');
            expect(closed!.active).to.equal(false);
            expect(closed!.close_time!.getTime()).to.equal(closeTime.getTime());
        });
    });

    it('writes every one of many concurrent writes', async () => {
        const writes: Promise<unknown>[] = [];
        for (let index = 0; index < 200; index++) {
            writes.push(persistence.create(null, makeSession('c' + index, 'u' + (index % 7), index)));
        }
        await Promise.all(writes);
        await persistence.close(null);

        const onDisk = JSON.parse(await fs.readFile(filePath, 'utf8')) as Array<{ id: string }>;
        expect(onDisk.length).to.equal(200);
        persistence = await openStore(filePath);
        const page = await persistence.getPageByFilter(null, null, new PagingParams(0, 100, true));
        expect(page.total).to.equal(200);
    });

    it('loads a file written by the original service, dates as Dates, and sweeps it', async () => {
        await persistence.close(null);
        // The original's JsonFilePersister writes JSON.stringify(items): dates as ISO strings.
        const original = [
            {
                id: '9f3b2d0c1a7e4b5c8d6e0f1a2b3c4d5e', user_id: '1', user_name: 'Old User', active: true,
                open_time: '2020-03-01T10:00:00.000Z', request_time: '2020-03-01T11:00:00.000Z',
                address: '192.168.1.1', client: 'Test Client', user: { name: 'Old User' }, data: { theme: 'dark' }
            },
            {
                id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', user_id: '2', user_name: 'Closed', active: false,
                open_time: '2020-03-01T09:00:00.000Z', request_time: '2020-03-01T09:30:00.000Z',
                close_time: '2020-03-01T09:30:00.000Z', user: null, data: null
            }
        ];
        await fs.mkdir(path.dirname(filePath), { recursive: true });
        await fs.writeFile(filePath, JSON.stringify(original));

        persistence = await openStore(filePath);
        const loaded = await persistence.getOneById(null, original[0].id);
        expect(loaded!.request_time).to.be.instanceOf(Date);
        expect(loaded!.request_time.toISOString()).to.equal('2020-03-01T11:00:00.000Z');
        expect(loaded!.data).to.deep.equal({ theme: 'dark' });
        const closed = await persistence.getOneById(null, original[1].id);
        expect(closed!.close_time).to.be.instanceOf(Date);

        // The original crashed here: its sweep compared strings with Dates.
        expect((await persistence.closeExpired(null, new Date('2021-01-01'), new Date(), 'idle')).length).to.equal(1);
    });

    it('writes its snapshot one session per line, still one JSON array, and reads other layouts whole', async () => {
        for (let index = 0; index < 3; index++) await persistence.create(null, makeSession('l' + index, 'u', index));
        await persistence.close(null);
        const text = await fs.readFile(filePath, 'utf8');
        expect(text.split('\n').filter(line => line.startsWith('{')).length, 'one line per session').to.equal(3);
        expect((JSON.parse(text) as unknown[]).length, 'a plain JSON array, as the original reads it').to.equal(3);

        // Pretty-printed by hand: starts like ours but is not one session per line.
        await fs.writeFile(filePath, JSON.stringify(JSON.parse(text), null, 2));
        persistence = await openStore(filePath);
        const loaded = await persistence.getOneById(null, 'l1');
        expect(loaded!.request_time).to.be.instanceOf(Date);
        expect(persistence.size).to.equal(3);
    });

    it('refuses to open a corrupt file and leaves it untouched', async () => {
        await persistence.close(null);
        await fs.mkdir(path.dirname(filePath), { recursive: true });
        const good = JSON.stringify(makeSession('good', 'u1', 0));
        const corrupt = [
            '[{"id": "x", "user_id": "u"',
            // Our line layout: a line cut short, a line whose top level reads but is not a session.
            '[\n' + good + ',\n{"id":"x","user_id":"u","active":true,\n]\n',
            '[\n' + good + ',\n' + good.replace('"good"', '"bad"').replace('"request_time":"2026', '"request_time":"x2026') + '\n]\n'
        ];
        for (const text of corrupt) {
            await fs.writeFile(filePath, text);
            let error: (Error & { code?: string }) | null = null;
            const broken = new SessionsFilePersistence(filePath);
            try {
                await broken.open(null);
            } catch (err) {
                error = err as Error & { code?: string };
            }
            expect(error, text).to.not.equal(null);
            expect(error!.code, text).to.equal('CORRUPT_FILE');
            expect(await fs.readFile(filePath, 'utf8')).to.equal(text);
        }
        persistence = await openStore(path.join(dir, 'other.json'));
    });

    it('starts empty when the file does not exist, and leaves a whole snapshot after a clean close', async () => {
        expect(persistence.size).to.equal(0);
        await persistence.create(null, makeSession('first', 'u1', 0));
        const journal = await fs.readFile(persistence.journalPath, 'utf8');
        expect(journal.split('\n').filter(line => line !== '').length, 'one journal record per write').to.equal(1);
        await persistence.close(null);
        expect(await journalRecords(persistence.journalPath), 'the journal was folded in: only its mark is left')
            .to.deep.equal([{ s: { sessions: 1 } }]);
        const onDisk = JSON.parse(await fs.readFile(filePath, 'utf8')) as Array<{ id: string; request_time: string }>;
        expect(onDisk.map(item => item.id)).to.deep.equal(['first']);
        expect(onDisk[0].request_time).to.equal('2026-01-01T10:00:00.000Z');
    });
});
