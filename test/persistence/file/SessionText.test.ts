import { expect } from 'chai';
import * as fc from 'fast-check';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { SessionSummary } from '../../../src/persistence/SessionSummary';
import { SessionText } from '../../../src/persistence/file/SessionText';
import { makeSession } from '../SessionsPersistenceFixture';

function summaryOf(text: string): SessionSummary | null {
    const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
    return SessionText.summarize(text, summary) ? summary : null;
}

/** What JSON.parse makes of the same text: the reference summarize() must agree with. */
function parsedSummary(text: string): SessionSummary {
    const session = SessionText.parse(text);
    return { id: session.id, userId: session.user_id, active: session.active, requestTime: session.request_time.getTime(),
        openTime: session.open_time.getTime(), closeTime: session.close_time != null ? session.close_time.getTime() : -1 };
}

const base = JSON.stringify(makeSession('s1', 'u1', 0));

describe('SessionText', () => {
    it('reads the index fields of generated sessions as JSON.parse does, or declines', () => {
        const text = fc.string({ unit: 'binary', maxLength: 12 });
        const time = fc.integer({ min: 0, max: 4102444800000 }).map(ms => new Date(ms));
        const session = fc.record({
            id: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), text.filter(value => value !== '')),
            user_id: fc.oneof(fc.stringMatching(/^u[0-9]{1,6}$/), text),
            user_name: fc.option(text, { nil: undefined }),
            active: fc.boolean(),
            open_time: time,
            close_time: fc.option(time, { nil: null }),
            request_time: time,
            address: fc.option(text, { nil: undefined }),
            client: fc.option(text, { nil: undefined }),
            user: fc.option(fc.jsonValue(), { nil: undefined }),
            data: fc.option(fc.jsonValue(), { nil: undefined })
        });
        let read = 0;
        fc.assert(fc.property(session, value => {
            const json = JSON.stringify(value);
            const summary = summaryOf(json);
            if (summary == null) return;
            read++;
            expect(summary).to.deep.equal(parsedSummary(json));
        }), { seed: 42, numRuns: 3000 });
        expect(read, 'texts read without a parse').to.be.above(1000);
    });

    it('reads what our store writes, in any field order, whatever user and data hold', () => {
        const session = makeSession('9f86d081884c7d659a2feaa0c55ad015', 'user-7', 3) as SessionV1 & Record<string, unknown>;
        session.close_time = null;
        session.user = { id: '{"active":false}', roles: ['[', ']', '"', '\\'] };
        session.data = [{ nested: { deeper: [1, 2.5e3, -0.1, true, null] } }];
        const text = JSON.stringify(session);
        expect(summaryOf(text)).to.deep.equal(parsedSummary(text));

        const reordered = JSON.stringify({ data: session.data, request_time: session.request_time, user: session.user,
            active: false, user_id: 'user-8', open_time: session.open_time, id: 'x' });
        expect(summaryOf(reordered)).to.deep.equal(parsedSummary(reordered));
        expect(summaryOf(reordered)!.active).to.equal(false);
    });

    it('takes the last of a repeated field, as JSON.parse does, even after the content', () => {
        const text = base.slice(0, -1) + ',"active":false,"user_id":"u2","request_time":"2030-01-31T00:00:00.000Z"}';
        expect(summaryOf(text)).to.deep.equal(parsedSummary(text));
        expect(summaryOf(text)!.userId).to.equal('u2');
    });

    it('declines what it does not read exactly, so the caller parses it', () => {
        const declined = [
            // A field name spelled with an escape is the same field to JSON.parse.
            base.slice(0, -1) + ',"act\\u0069ve":false}',
            base.replace('"user_id":"u1"', '"user_id":"u\\"1"'),
            base.replace('"id":"s1"', '"id":""'),
            base.replace('"active":true', '"active":"true"'),
            base.replace('"active":true', '"active":1'),
            base.replace(/"request_time":"[^"]*"/, '"request_time":"2024-02-30T00:00:00.000Z"'),
            base.replace(/"open_time":"[^"]*"/, '"open_time":1700000000000'),
            base.replace(/"open_time":"[^"]*",/, ''),
            base.slice(0, -1) + ',"close_time":"soon"}',
            base.replace('"user_id":"u1"', '"user_id":null'),
            base.replace('{"id"', '{ "id"'),
            base + ' ',
            base.slice(0, -1),
            base.replace('"data":{"cart":["s1"]}', '"data":{"cart":["s1"]'),
            base.replace('"data":{"cart":["s1"]}', '"data":tru'),
            '[' + base + ']',
            ''
        ];
        for (const text of declined) expect(summaryOf(text), text).to.equal(null);
    });

    it('reports a text that does not parse without its content', () => {
        let error: (Error & { code?: string }) | null = null;
        try {
            SessionText.parse('{"id":"secret-session-id","user":{');
        } catch (err) {
            error = err as Error & { code?: string };
        }
        expect(error?.code).to.equal('CORRUPT_SESSION');
        expect(error!.message).to.not.contain('secret');
    });
});
