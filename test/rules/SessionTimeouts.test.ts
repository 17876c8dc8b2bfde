import { expect } from 'chai';

import { SessionTimeouts } from '../../src/rules/SessionTimeouts';

describe('SessionTimeouts', () => {
    const now = 1_000_000;

    it('gives the oldest request_time and open_time of a live session, or null for a timeout turned off', () => {
        const timeouts = new SessionTimeouts(300, 5000);
        expect(timeouts.idleBound(now)).to.equal(now - 300);
        expect(timeouts.absoluteBound(now)).to.equal(now - 5000);
        expect(SessionTimeouts.None.idleBound(now)).to.equal(null);
        expect(SessionTimeouts.None.absoluteBound(now)).to.equal(null);
        expect(new SessionTimeouts(-5, 0).idle, 'negative is off').to.equal(0);
    });

    it('is live at the bounds themselves and not a millisecond past them', () => {
        const timeouts = new SessionTimeouts(300, 5000);
        expect(timeouts.isLive(now - 5000, now - 300, now)).to.equal(true);
        expect(timeouts.isLive(now - 5000, now - 301, now), 'idle').to.equal(false);
        expect(timeouts.isLive(now - 5001, now, now), 'absolute').to.equal(false);
        expect(SessionTimeouts.None.isLive(0, 0, now)).to.equal(true);
    });

    it('tells an absolute expiry from an idle one, and gives the time a session expires', () => {
        const timeouts = new SessionTimeouts(300, 5000);
        expect(timeouts.isPastAbsolute(now - 5001, now)).to.equal(true);
        expect(timeouts.isPastAbsolute(now - 5000, now)).to.equal(false);
        expect(timeouts.expiresAt(now, now + 100)).to.equal(now + 400);
        expect(timeouts.expiresAt(now, now + 4900)).to.equal(now + 5000);
        expect(SessionTimeouts.None.expiresAt(now, now)).to.equal(null);
    });
});
