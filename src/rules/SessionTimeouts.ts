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

    /** The oldest request_time of a session live at now, or null with no idle timeout. */
    public idleBound(now: number): number | null {
        return this.idle > 0 ? now - this.idle : null;
    }

    /** The oldest open_time of a session live at now, or null with no absolute timeout. */
    public absoluteBound(now: number): number | null {
        return this.absolute > 0 ? now - this.absolute : null;
    }

    /** Whether an active session with these times is still live at now: at or after both bounds. */
    public isLive(openTime: number, requestTime: number, now: number): boolean {
        const idle = this.idleBound(now);
        const absolute = this.absoluteBound(now);
        return (idle == null || requestTime >= idle) && (absolute == null || openTime >= absolute);
    }

    /** Whether the absolute lifetime, rather than idleness, is what ended a session expired at now. */
    public isPastAbsolute(openTime: number, now: number): boolean {
        const absolute = this.absoluteBound(now);
        return absolute != null && openTime < absolute;
    }
}
