import { StoreSnapshot } from './StoreSnapshot';

/** A write the crash test sends to a session it opened. */
export type SessionWrite =
    | { readonly kind: 'store'; readonly data: unknown }
    | { readonly kind: 'update'; readonly user: unknown }
    | { readonly kind: 'close' };

/** How a session compared with what the test knew of it, after a restart. */
export type SessionCheck =
    | { readonly outcome: 'as acknowledged' | 'in-flight write not applied' | 'in-flight write applied' }
    | { readonly outcome: 'wrong'; readonly problem: string };

type SessionJson = Record<string, unknown>;

/** Fields no write of the test changes. */
const FIXED_FIELDS = ['id', 'user_id', 'user_name', 'open_time', 'address', 'client'];

/**
 * One session of the crash test, written by one client at a time, so at most one write
 * is in flight: the session as the service last acknowledged it (its reply, byte for
 * byte) and the write sent since, if any. After a crash the store must hold exactly
 * the acknowledged session, or that session with the whole in-flight write applied:
 * never an older state, never a part of a write.
 */
export class TrackedSession {
    public readonly id: string;
    /** Which client writes it. */
    public readonly owner: number;
    private _acknowledged: string;
    private _inFlight: SessionWrite | null = null;

    public constructor(acknowledgedText: string, owner: number) {
        this._acknowledged = StoreSnapshot.normalize(acknowledgedText);
        this.id = (JSON.parse(this._acknowledged) as { id: string }).id;
        this.owner = owner;
    }

    /** Closed as far as the service has acknowledged (or shown after a restart). */
    public get closed(): boolean {
        return (JSON.parse(this._acknowledged) as SessionJson).active === false;
    }

    public get inFlight(): SessionWrite | null {
        return this._inFlight;
    }

    public send(write: SessionWrite): void {
        if (this._inFlight != null) throw new Error('The crash test sends one write at a time per session');
        this._inFlight = write;
    }

    /** The service answered the write in flight with this session. */
    public acknowledge(replyText: string): void {
        this._acknowledged = StoreSnapshot.normalize(replyText);
        this._inFlight = null;
    }

    /**
     * Compares the session the restarted service holds with what was acknowledged, and
     * takes it as the new acknowledged state (the in-flight write, applied or not, is settled).
     */
    public check(actualText: string | undefined): SessionCheck {
        const inFlight = this._inFlight;
        this._inFlight = null;
        if (actualText == null) return { outcome: 'wrong', problem: 'an acknowledged session is gone' };
        const actual = StoreSnapshot.normalize(actualText);
        const acknowledged = this._acknowledged;
        this._acknowledged = actual;
        if (actual === acknowledged) return { outcome: inFlight == null ? 'as acknowledged' : 'in-flight write not applied' };
        if (inFlight == null) return { outcome: 'wrong', problem: 'changed without a write: ' + TrackedSession.difference(acknowledged, actual) };
        const problem = TrackedSession.appliedProblem(JSON.parse(acknowledged) as SessionJson, inFlight, JSON.parse(actual) as SessionJson);
        if (problem != null) {
            return { outcome: 'wrong', problem: 'neither as acknowledged nor with the whole ' + inFlight.kind + ' applied: ' + problem
                + ' (acknowledged ' + acknowledged.slice(0, 300) + '; found ' + actual.slice(0, 300) + ')' };
        }
        return { outcome: 'in-flight write applied' };
    }

    /** Why actual is not `before` with the write applied, or null if it is. */
    private static appliedProblem(before: SessionJson, write: SessionWrite, actual: SessionJson): string | null {
        const same = (field: string): boolean => JSON.stringify(actual[field]) === JSON.stringify(before[field]);
        const changed = FIXED_FIELDS.filter(field => !same(field));
        if (changed.length > 0) return 'changed ' + changed.join(', ');
        if (String(actual.request_time) < String(before.request_time)) return 'request_time went back';
        switch (write.kind) {
            case 'store':
                if (JSON.stringify(actual.data) !== JSON.stringify(write.data)) return 'data is neither the old nor the new value';
                return ['user', 'active', 'close_time'].some(field => !same(field)) ? 'a store changed more than data' : null;
            case 'update':
                if (JSON.stringify(actual.user) !== JSON.stringify(write.user)) return 'user is neither the old nor the new value';
                return ['data', 'active', 'close_time'].some(field => !same(field)) ? 'an update changed more than user' : null;
            case 'close':
                if (actual.active !== false || actual.data !== null || actual.user !== null || actual.close_time == null) {
                    return 'half closed';
                }
                return null;
        }
    }

    private static difference(expected: string, actual: string): string {
        let index = 0;
        while (index < expected.length && expected[index] === actual[index]) index++;
        return 'expected ...' + expected.slice(Math.max(0, index - 40), index + 60) + '... found ...'
            + actual.slice(Math.max(0, index - 40), index + 60) + '...';
    }
}
