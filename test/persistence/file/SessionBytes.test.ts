import { expect } from 'chai';
import * as fc from 'fast-check';

import { SessionBytes } from '../../../src/persistence/file/SessionBytes';
import { SessionBytesSummary } from '../../../src/persistence/file/SessionBytesSummary';
import { SessionSummary } from '../../../src/persistence/SessionSummary';
import { SessionText } from '../../../src/persistence/file/SessionText';
import { makeSession } from '../SessionsPersistenceFixture';

/**
 * What SessionText.summarize() reads from text as a file holds it (UTF-8, so a lone
 * surrogate an edit leaves reads back as U+FFFD, as the store's text would), or null.
 */
function fromText(text: string): SessionSummary | null {
    const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
    return SessionText.summarize(Buffer.from(text, 'utf8').toString('utf8'), summary) ? summary : null;
}

/** What SessionBytes.summarize() reads from text's UTF-8 bytes, set in a larger buffer, or null. */
function fromBytes(text: string): SessionSummary | null {
    const bytes = Buffer.from('x,\n' + text + '\n{"id":"next"}', 'utf8');
    const start = 3;
    const end = start + Buffer.byteLength(text, 'utf8');
    const summary: SessionBytesSummary = {
        idStart: 0, idEnd: 0, userIdStart: 0, userIdEnd: 0, active: false, requestTime: 0, openTime: 0, closeTime: -1
    };
    if (!SessionBytes.summarize(bytes, start, end, summary)) return null;
    return {
        id: bytes.toString('utf8', summary.idStart, summary.idEnd), userId: bytes.toString('utf8', summary.userIdStart, summary.userIdEnd),
        active: summary.active, requestTime: summary.requestTime, openTime: summary.openTime, closeTime: summary.closeTime
    };
}

const text = fc.string({ unit: 'binary', maxLength: 12 });
const time = fc.integer({ min: 0, max: 4102444800000 }).map(ms => new Date(ms));
const session = fc.record({
    id: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), text.filter(value => value !== '')),
    user_id: fc.oneof(fc.stringMatching(/^u[0-9]{1,6}$/), text),
    user_name: fc.option(text, { nil: undefined }),
    active: fc.boolean(),
    open_time: time,
    close_time: fc.option(time, { nil: null }),
    expires_at: fc.option(fc.oneof(time, fc.constant(null)), { nil: undefined }),
    request_time: time,
    address: fc.option(text, { nil: undefined }),
    client: fc.option(text, { nil: undefined }),
    user: fc.option(fc.jsonValue(), { nil: undefined }),
    data: fc.option(fc.jsonValue(), { nil: undefined }),
    n: fc.option(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), { nil: undefined })
});

/** One edit of a text: a character taken out, put in or changed, from those JSON's structure turns on. */
const edit = fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('delete', 'insert', 'replace'),
    char: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '1', '-', '.', 'e', '+', 'a', 't', 'n', 'Z', 'T', 'é', '\u2028')
});

function edited(value: string, edits: Array<{ at: number; kind: string; char: string }>): string {
    let result = value;
    for (const { at, kind, char } of edits) {
        const index = at % (result.length + 1);
        if (kind === 'delete') result = result.slice(0, index) + result.slice(index + 1);
        else if (kind === 'insert') result = result.slice(0, index) + char + result.slice(index);
        else result = result.slice(0, index) + char + result.slice(index + 1);
    }
    return result;
}

describe('SessionBytes', () => {
    it('reads generated sessions exactly as SessionText does, from their UTF-8 bytes', () => {
        let read = 0;
        fc.assert(fc.property(session, value => {
            const json = JSON.stringify(value);
            const expected = fromText(json);
            if (expected != null) read++;
            expect(fromBytes(json), json).to.deep.equal(expected);
        }), { seed: 42, numRuns: 3000 });
        expect(read, 'texts read').to.be.above(1000);
    });

    it('declines exactly what SessionText declines, and reads the same from the rest, in damaged texts', () => {
        let declined = 0;
        let read = 0;
        fc.assert(fc.property(session, fc.array(edit, { minLength: 1, maxLength: 3 }), (value, edits) => {
            const json = edited(JSON.stringify(value), edits);
            const expected = fromText(json);
            if (expected == null) declined++;
            else read++;
            expect(fromBytes(json), json).to.deep.equal(expected);
        }), { seed: 7, numRuns: 6000 });
        expect(declined, 'damaged texts declined').to.be.above(1000);
        expect(read, 'texts still read after an edit').to.be.above(200);
    });

    it('reads what our store writes, in any field order, with characters beyond ASCII', () => {
        const written = makeSession('9f86d081884c7d659a2feaa0c55ad015', 'usér-7', 3);
        written.user_name = 'Zoë 日本 🙂';
        written.user = { id: '{"active":false}', roles: ['[', ']', '"', '\\'], name: '🙂' };
        written.data = [{ nested: { deeper: [1, 2.5e3, -0.1, true, null] } }];
        const texts = [
            JSON.stringify(written),
            JSON.stringify({ data: written.data, request_time: written.request_time, user: written.user, active: false,
                user_id: 'ü', open_time: written.open_time, id: '日本', close_time: written.request_time, expires_at: null })
        ];
        for (const json of texts) {
            expect(fromText(json), json).to.not.equal(null);
            expect(fromBytes(json), json).to.deep.equal(fromText(json));
        }
    });

    it('declines the texts SessionText declines', () => {
        const base = JSON.stringify(makeSession('s1', 'u1', 0));
        const declined = [
            base.slice(0, -1) + ',"act\\u0069ve":false}',
            base.replace('"user_id":"u1"', '"user_id":"u\\"1"'),
            base.replace('"id":"s1"', '"id":""'),
            base.replace('"active":true', '"active":"true"'),
            base.replace('"active":true', '"active":1'),
            base.replace(/"request_time":"[^"]*"/, '"request_time":"2024-02-30T00:00:00.000Z"'),
            base.replace(/"request_time":"[^"]*"/, '"request_time":"1969-12-31T23:59:59.999Z"'),
            base.replace(/"open_time":"[^"]*"/, '"open_time":1700000000000'),
            base.replace(/"open_time":"[^"]*",/, ''),
            base.slice(0, -1) + ',"close_time":"soon"}',
            base.slice(0, -1) + ',"close_time":true}',
            base.slice(0, -1) + ',"expires_at":{}}',
            base.slice(0, -1) + ',"n":01}',
            base.slice(0, -1) + ',"n":1.}',
            base.slice(0, -1) + ',"n":-}',
            base.slice(0, -1) + ',"n":1e}',
            base.replace('"user_id":"u1"', '"user_id":null'),
            // A field repeated, last with a value the first one would not have: JSON.parse takes the last.
            ...['"id":null', '"id":{}', '"user_id":[]', '"active":null', '"active":[]', '"open_time":null', '"request_time":null',
                '"request_time":"x"', '"request_time":{}', '"expires_at":false', '"active":"true"'].map(field => base.slice(0, -1) + ',' + field + '}'),
            ...['2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', '2026-01-01T23:59:60.000Z', '2026-13-01T00:00:00.000Z',
                '2026-00-01T00:00:00.000Z', '2026-01-00T00:00:00.000Z', '2026-01-32T00:00:00.000Z', '2025-02-29T00:00:00.000Z',
                '2026-01-01T00:00:00.00aZ', '2026-01-01 00:00:00.000Z', '2026-01-01T00:00:00.000+', '+02026-01-01T00:00:00.000Z']
                .map(value => base.replace(/"open_time":"[^"]*"/, '"open_time":"' + value + '"')),
            base.replace('{"id"', '{ "id"'),
            base + ' ',
            base.slice(0, -1),
            base.replace('"data":{"cart":["s1"]}', '"data":{"cart":["s1"]'),
            base.replace('"data":{"cart":["s1"]}', '"data":tru'),
            '[' + base + ']',
            '{',
            ''
        ];
        for (const json of declined) {
            expect(fromText(json), json).to.equal(null);
            expect(fromBytes(json), json).to.equal(null);
        }
    });
});
