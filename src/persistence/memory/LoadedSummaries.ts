import { SessionSummary } from '../SessionSummary';
import { StoredSession, StoredSessions } from './StoredSession';

/** The fields of a session LoadedSummaries keeps besides its id and where its user_id stands. */
export type LoadedSummaryFields = Pick<SessionSummary, 'active' | 'requestTime' | 'openTime' | 'closeTime'>;

// What flags holds for each session, as bits.
const READ = 1;
const ACTIVE = 2;

const INITIAL_CAPACITY = 1024;

/**
 * The index fields of the sessions a snapshot holds as text, read by the loader as it
 * read the file, by each session's place in the file, so the index is built without
 * reading each text again. Kept in columns (typed arrays for numbers), not an object per
 * session, so a million of them add no objects for the collector to trace. user_id is
 * kept as where it stands in the text and taken out only when the user index is built.
 * A session the loader did not read is left for the index to parse.
 */
export class LoadedSummaries {
    private _count = 0;
    private _unread = 0;
    private _active = 0;
    private _closedWithTime = 0;
    private _ids: string[] = [];
    private _flags = new Uint8Array(INITIAL_CAPACITY);
    private _idHashes = new Int32Array(INITIAL_CAPACITY);
    private _userIdStarts = new Int32Array(INITIAL_CAPACITY);
    private _userIdEnds = new Int32Array(INITIAL_CAPACITY);
    private _requestTimes = new Float64Array(INITIAL_CAPACITY);
    private _openTimes = new Float64Array(INITIAL_CAPACITY);
    private _closeTimes = new Float64Array(INITIAL_CAPACITY);

    /** How many sessions have been added, read or not. */
    public get count(): number {
        return this._count;
    }

    /** Whether every session added was read. */
    public get allRead(): boolean {
        return this._unread === 0;
    }

    /** How many of the sessions read are active. */
    public get activeCount(): number {
        return this._active;
    }

    /** How many of the sessions read are closed and have a close_time. */
    public get closedWithTimeCount(): number {
        return this._closedWithTime;
    }

    /** The ids of the sessions, by index ('' for one not read). */
    public get ids(): readonly string[] {
        if (this._ids.length > this._count) this._ids.length = this._count;
        return this._ids;
    }

    /** The hashes of the ids (see SessionsById), by index (0 for one not read). */
    public get idHashes(): Int32Array {
        return this._idHashes.subarray(0, this._count);
    }

    /** Makes room for count sessions in all, so that adding that many copies nothing. */
    public reserve(count: number): void {
        if (count <= this._flags.length) return;
        this.grow(count);
        const ids = new Array<string>(count);
        for (let index = 0; index < this._count; index++) ids[index] = this._ids[index];
        this._ids = ids;
    }

    /**
     * The next session, read: its id, the id's hash (see SessionsById), where user_id
     * stands in its text (in UTF-16 units), its other fields.
     */
    public add(id: string, idHash: number, userIdStart: number, userIdEnd: number, fields: LoadedSummaryFields): void {
        const index = this.next();
        this._ids[index] = id;
        this._idHashes[index] = idHash;
        this._flags[index] = fields.active ? READ | ACTIVE : READ;
        this._userIdStarts[index] = userIdStart;
        this._userIdEnds[index] = userIdEnd;
        this._requestTimes[index] = fields.requestTime;
        this._openTimes[index] = fields.openTime;
        this._closeTimes[index] = fields.closeTime;
        if (fields.active) this._active++;
        else if (fields.closeTime >= 0) this._closedWithTime++;
    }

    /** The next session, not read: the index parses it. */
    public addUnread(): void {
        this._ids[this.next()] = '';
        this._unread++;
    }

    /** Fills summary with the fields of the session at index, userId left '' (see userIdOf); false if it was not read. */
    public read(index: number, summary: SessionSummary): boolean {
        const flags = this._flags[index];
        if ((flags & READ) === 0) return false;
        summary.id = this._ids[index];
        summary.userId = '';
        summary.active = (flags & ACTIVE) !== 0;
        summary.requestTime = this._requestTimes[index];
        summary.openTime = this._openTimes[index];
        summary.closeTime = this._closeTimes[index];
        return true;
    }

    /** The user_id of the session at index, out of entry, its text; null if it was not read (or entry is no longer its text). */
    public userIdOf(index: number, entry: StoredSession): string | null {
        if ((this._flags[index] & READ) === 0 || !StoredSessions.isText(entry)) return null;
        return entry.slice(this._userIdStarts[index], this._userIdEnds[index]);
    }

    /** Lets go of the times once the queues are built: only the ids and what userIdOf() reads are left. */
    public keepOnlyUserIds(): void {
        this._idHashes = new Int32Array(0);
        this._requestTimes = new Float64Array(0);
        this._openTimes = new Float64Array(0);
        this._closeTimes = new Float64Array(0);
    }

    public clear(): void {
        this._count = 0;
        this._unread = 0;
        this._active = 0;
        this._closedWithTime = 0;
        this._ids = [];
        this._flags.fill(0);
    }

    /** The index of the next session, with room for it. */
    private next(): number {
        const index = this._count++;
        if (index === this._flags.length) this.grow(this._flags.length * 2);
        return index;
    }

    private grow(capacity: number): void {
        this._flags = LoadedSummaries.grown(this._flags, new Uint8Array(capacity));
        this._idHashes = LoadedSummaries.grown(this._idHashes, new Int32Array(capacity));
        this._userIdStarts = LoadedSummaries.grown(this._userIdStarts, new Int32Array(capacity));
        this._userIdEnds = LoadedSummaries.grown(this._userIdEnds, new Int32Array(capacity));
        this._requestTimes = LoadedSummaries.grown(this._requestTimes, new Float64Array(capacity));
        this._openTimes = LoadedSummaries.grown(this._openTimes, new Float64Array(capacity));
        this._closeTimes = LoadedSummaries.grown(this._closeTimes, new Float64Array(capacity));
    }

    private static grown<T extends Uint8Array | Int32Array | Float64Array>(from: T, to: T): T {
        to.set(from);
        return to;
    }
}
