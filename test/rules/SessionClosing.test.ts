import { expect } from 'chai';

import { SessionCloseReasonV1 } from '../../src/data/version1/SessionCloseReasonV1';
import { SessionClosing } from '../../src/rules/SessionClosing';

describe('SessionClosing', () => {
    it('sets inactive, close and request time to the close time, the reason, and clears user and data', () => {
        const time = new Date('2026-12-05T10:00:00.000Z');
        expect(SessionClosing.fields(time, SessionCloseReasonV1.Revoked)).to.deep.equal({
            active: false, close_time: time, close_reason: 'revoked', request_time: time, user: null, data: null
        });
    });
});
