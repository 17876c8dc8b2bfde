import { expect } from 'chai';

import { SessionV1Json } from '../../../src/data/version1/SessionV1Json';

describe('SessionV1Json', () => {
    describe('toDate', () => {
        // The fast path for the dates JSON.stringify writes must agree with Date's own parser.
        it('reads the times JSON.stringify writes exactly as Date does, across the calendar', () => {
            let state = 7;
            const random = () => {
                state = (state * 1103515245 + 12345) % 2147483648;
                return state / 2147483648;
            };
            for (let index = 0; index < 20000; index++) {
                const time = Math.floor(random() * 4102444800000); // 1970 to 2100
                const text = new Date(time).toISOString();
                expect(SessionV1Json.toDate(text)?.getTime(), text).to.equal(time);
            }
        });

        it('agrees with Date on edge cases and rejects what Date rejects', () => {
            const samples = [
                '2024-02-29T12:00:00.000Z', '2023-02-29T12:00:00.000Z', '2020-02-30T00:00:00.000Z',
                '2024-12-31T23:59:59.999Z', '2024-01-01T24:00:00.000Z', '1969-12-31T23:59:59.999Z',
                '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000+01:00', '2024-01-01', '+002024-01-01T00:00:00.000Z'
            ];
            for (const text of samples) {
                expect(SessionV1Json.toDate(text)?.getTime() ?? null, text).to.equal(new Date(text).getTime());
            }
            const invalid = ['2024-13-01T00:00:00.000Z', '2024-1a-01T00:00:00.000Z', '2024-01-01T-1:00:00.000Z',
                '2024-01-01T00:60:00.000Z', 'x'.repeat(24), ''];
            for (const text of invalid) {
                expect(SessionV1Json.toDate(text), text).to.equal(null);
            }
        });
    });

    describe('canonicalTime', () => {
        it('reads every real day of a month, and leaves impossible days to the general parser', () => {
            for (const text of ['2024-01-31T10:00:00.000Z', '2024-02-29T10:00:00.000Z', '2023-12-31T23:59:59.999Z',
                '2000-02-29T00:00:00.000Z', '2024-04-30T00:00:00.000Z']) {
                expect(SessionV1Json.canonicalTime(text), text).to.equal(Date.parse(text));
            }
            for (const text of ['2023-02-29T10:00:00.000Z', '1900-02-29T10:00:00.000Z', '2024-04-31T00:00:00.000Z',
                '2024-02-30T00:00:00.000Z', '2024-01-00T00:00:00.000Z', '1969-12-31T23:59:59.999Z']) {
                expect(SessionV1Json.canonicalTime(text), text).to.equal(-1);
            }
        });
    });
});
