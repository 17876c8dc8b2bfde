import { isDeepStrictEqual } from 'util';

/** One write of a value, between the moment it was sent and the moment its reply arrived (Date.now() ms). */
export interface TimedWrite {
    readonly value: unknown;
    readonly started: number;
    readonly ended: number;
}

/**
 * The acknowledged writes to one field of one session (a register), and the values a
 * read of it may legitimately return. Clients only see their own clocks, so the check
 * is conservative: a write counts as overwritten only by a write sent strictly after its
 * reply arrived, and a read counts as after a write only if it was sent strictly after
 * that write's reply arrived.
 */
export class RegisterHistory {
    private readonly _writes: TimedWrite[] = [];

    public constructor(initial: TimedWrite) {
        this._writes.push(initial);
    }

    public add(write: TimedWrite): void {
        this._writes.push(write);
    }

    public get writes(): readonly TimedWrite[] {
        return this._writes;
    }

    /** Whether value was ever written (or is the initial value): what any store must hold. */
    public wasWritten(value: unknown): boolean {
        return this._writes.some(write => isDeepStrictEqual(write.value, value));
    }

    /**
     * Whether a read sent at readStarted whose reply arrived at readEnded may have returned value:
     * written before the read ended and not overwritten before it began (no lost update).
     */
    public allows(value: unknown, readStarted: number, readEnded: number): boolean {
        return this._writes.some(write => isDeepStrictEqual(write.value, value)
            && write.started <= readEnded
            && !this._writes.some(later => later.started > write.ended && later.ended < readStarted));
    }
}
