/**
 * When sessions expire: after idle milliseconds without a request, and absolute
 * milliseconds after they opened however busy they are (0 turns either off). The
 * controller decides the timeouts; the stores apply them inside their one-step writes
 * and queries, so that a session past its time is never written to or listed as active.
 *
 * A session is live at time now while now <= expiresAt(); the expiry sweep closes the
 * ones with now > expiresAt().
 */
export class SessionTimeouts {
    /** No expiry: writes and queries check only the active flag. */
    public static readonly None = new SessionTimeouts(0, 0);

    public readonly idle: number;
    public readonly absolute: number;

    public constructor(idle: number, absolute: number) {
        this.idle = Math.max(0, idle);
        this.absolute = Math.max(0, absolute);
    }

    /** Milliseconds since the epoch at which a session expires, or null if it never does. */
    public expiresAt(openTime: number, requestTime: number): number | null {
        const idle = this.idle > 0 ? requestTime + this.idle : Infinity;
        const absolute = this.absolute > 0 ? openTime + this.absolute : Infinity;
        const result = Math.min(idle, absolute);
        return result === Infinity ? null : result;
    }

    /** Whether an active session with these times is still live at now. */
    public isLive(openTime: number, requestTime: number, now: number): boolean {
        return (this.idle <= 0 || requestTime >= now - this.idle) && (this.absolute <= 0 || openTime >= now - this.absolute);
    }

    /** Whether the absolute lifetime, rather than idleness, is what ended a session expired at now. */
    public isPastAbsolute(openTime: number, now: number): boolean {
        return this.absolute > 0 && openTime < now - this.absolute;
    }
}
