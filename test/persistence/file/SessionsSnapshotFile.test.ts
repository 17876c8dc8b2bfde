import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { LoadedSummaries } from '../../../src/persistence/memory/LoadedSummaries';
import { SessionsById } from '../../../src/persistence/memory/SessionsById';
import { SessionsSnapshotFile } from '../../../src/persistence/file/SessionsSnapshotFile';
import { SessionSummary } from '../../../src/persistence/SessionSummary';
import { SessionText } from '../../../src/persistence/file/SessionText';
import { makeSession } from '../SessionsPersistenceFixture';

/** Sessions enough for many of the loader's reads (1 MB), some beyond ASCII, some it cannot summarize, one longer than a read. */
function manySessions(): SessionV1[] {
    return Array.from({ length: 30000 }, (_, index) => {
        const session = makeSession('s' + index + '-' + 'x'.repeat(index % 40), 'user' + (index % 100), index / 100, index % 4 !== 0);
        if (index % 997 === 0) session.user_name = 'Zoë 日本 🙂';
        if (index % 1999 === 0) session.user_id = 'usér' + index;
        if (index % 2999 === 0) session.id = 'idé🙂' + index;
        if (index % 1499 === 0) session.user_id = 'quote"user';
        if (index === 12345) session.data = { blob: 'b'.repeat(5 * 1024 * 1024) };
        return session;
    });
}

function linesOf(sessions: SessionV1[]): string {
    return '[\n' + sessions.map(session => JSON.stringify(session)).join(',\n') + '\n]\n';
}

describe('SessionsSnapshotFile', () => {
    let dir: string;
    let filePath: string;

    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-snapshot-'));
        filePath = path.join(dir, 'sessions.json');
    });

    afterEach(async () => {
        await fs.rm(dir, { recursive: true, force: true });
    });

    async function failure(summaries: LoadedSummaries | null = null): Promise<string | undefined> {
        try {
            await new SessionsSnapshotFile(filePath).load(summaries);
        } catch (err) {
            return (err as { code?: string }).code;
        }
        return undefined;
    }

    it('reads a file of many reads line by line: each text, and the index fields SessionText reads from it', async () => {
        const sessions = manySessions();
        await fs.writeFile(filePath, linesOf(sessions));
        const summaries = new LoadedSummaries();
        const texts = await new SessionsSnapshotFile(filePath).load(summaries) as string[];

        expect(texts).to.deep.equal(sessions.map(session => JSON.stringify(session)));
        expect(summaries.count).to.equal(sessions.length);
        const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
        const expected: SessionSummary = { ...summary };
        let unread = 0;
        texts.forEach((text, index) => {
            const read = summaries.read(index, summary);
            expect(read, text.slice(0, 80)).to.equal(SessionText.summarize(text, expected));
            if (!read) {
                unread++;
                return;
            }
            expect({ ...summary, userId: summaries.userIdOf(index, text) }).to.deep.equal(expected);
            expect(summaries.idHashes[index]).to.equal(SessionsById.hash(expected.id));
        });
        expect(unread, 'sessions with an escape in user_id').to.equal(sessions.filter(session => session.user_id.includes('"')).length);
    });

    it('reads a line that is not well-formed UTF-8 as the text decoding it gives (replacement characters)', async () => {
        const plain = JSON.stringify(makeSession('plain', 'u1', 0));
        const odd = JSON.stringify({ ...makeSession('odd-IDX', 'u2', 1), user_name: 'NAME' });
        const bytes = Buffer.concat([Buffer.from('[\n' + plain + ',\n'),
            Buffer.from(odd.replace('IDX', '\u0000').replace('NAME', '\u0001')
                .split(/[\u0000\u0001]/).map(part => Buffer.from(part)).reduce((all, part, index) =>
                    index === 0 ? part : Buffer.concat([all, Buffer.from(index === 1 ? [0xff, 0xe2, 0x82] : [0xc3, 0xa9, 0xf0, 0x9f]), part]))),
            Buffer.from(',\n' + plain.replace('"plain"', '"é🙂"') + '\n]\n')]);
        await fs.writeFile(filePath, bytes);
        const summaries = new LoadedSummaries();
        const texts = await new SessionsSnapshotFile(filePath).load(summaries) as string[];
        const lines = bytes.toString('utf8').split('\n').slice(1, 4).map(line => line.endsWith(',') ? line.slice(0, -1) : line);
        expect(texts).to.deep.equal(lines);
        const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
        const expected: SessionSummary = { ...summary };
        texts.forEach((text, index) => {
            expect(summaries.read(index, summary), text).to.equal(true);
            expect(SessionText.summarize(text, expected)).to.equal(true);
            expect({ ...summary, userId: summaries.userIdOf(index, text) }, text).to.deep.equal(expected);
        });
        expect(summary.id).to.equal('é🙂');
    });

    it('refuses the line layout wherever it breaks, and a file read whole then says what is wrong', async () => {
        const whole = linesOf(manySessions());
        const lines = whole.split('\n');
        const broken: Array<[string, string]> = [
            ['a session after the closing bracket', whole + '{"id":"late"}\n'],
            ['cut short after a whole line, late in the file', lines.slice(0, 25000).join('\n') + '\n'],
            ['a line that is not a session, late in the file', [...lines.slice(0, 25000), 'x', ...lines.slice(25000)].join('\n')],
            ['a session line cut short, late in the file', [...lines.slice(0, 25000), lines[25000].slice(0, 50), ...lines.slice(25001)].join('\n')]
        ];
        for (const [what, text] of broken) {
            await fs.writeFile(filePath, text);
            const summaries = new LoadedSummaries();
            const code = await failure(summaries);
            if (what === 'a session line cut short, late in the file') {
                // The layout holds: the line is left for the store to parse, which refuses it.
                expect(code, what).to.equal(undefined);
                const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
                expect(summaries.read(25000 - 1, summary), what).to.equal(false);
            } else {
                expect(code, what).to.equal('CORRUPT_FILE');
                expect(summaries.count, what).to.equal(0);
            }
        }
    });

    it('reads other layouts whole', async () => {
        const sessions = [makeSession('a', 'u1', 0), makeSession('b', 'u2', 1, false)];
        const expected = JSON.parse(JSON.stringify(sessions)) as unknown[];
        const layouts = [
            JSON.stringify(sessions),
            '[\r\n' + sessions.map(session => JSON.stringify(session)).join(',\r\n') + '\r\n]\r\n',
            '[\n  ' + sessions.map(session => JSON.stringify(session)).join(',\n  ') + '\n]\n'
        ];
        for (const text of layouts) {
            await fs.writeFile(filePath, text);
            const summaries = new LoadedSummaries();
            const loaded = await new SessionsSnapshotFile(filePath).load(summaries);
            expect(JSON.parse(JSON.stringify(loaded)), text.slice(0, 20)).to.deep.equal(expected);
            expect(summaries.count).to.equal(0);
        }
        await fs.writeFile(filePath, '');
        expect(await new SessionsSnapshotFile(filePath).load(new LoadedSummaries())).to.deep.equal([]);
        await fs.rm(filePath);
        expect(await new SessionsSnapshotFile(filePath).load(new LoadedSummaries())).to.deep.equal([]);
        await fs.writeFile(filePath, '[\n');
        expect(await failure()).to.equal('CORRUPT_FILE');
    });
});
