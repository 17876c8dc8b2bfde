import { Collection, Filter, MongoServerError } from 'mongodb';

const DUPLICATE_KEY = 11000;
/** A seeding left pending longer than this (its replica died mid-way) is taken over. */
const PENDING_STALE_MS = 5000;
/** Rounds of "make room, try again" before an open gives up (each round frees a slot or proves there is none). */
const MAX_ROUNDS = 20;
/**
 * A place whose session is not stored this long after it was taken belongs to an open
 * that failed or died before its insert (or to a session deleted since): it is freed.
 * Far longer than an insert takes, which fails within the connect timeout (5 s).
 */
const INSERT_GRACE_MS = 15000;

/** One place: the session holding it, and when it was taken (its insert comes just after). */
interface Place {
    id: string;
    at: Date;
}

/** One user's slot document: the places of the user's sessions admitted under the limit. */
interface UserSlotsDocument {
    _id: string;
    live: Place[];
    /** Set while the replica that created the document adds the user's existing live sessions to it. */
    pending?: Date;
}

/**
 * The reject policy's admission on MongoDB, exact under concurrent opens and replicas: a document
 * per user lists the sessions holding a place, taken by one conditional $push (MongoDB updates one
 * document atomically); places are freed lazily when the list is full (docs/sessions.md#sessions-per-user).
 */
/** What the slots need of a stored session. */
interface SessionKeys {
    _id: string;
    user_id: string;
}

export class SessionsMongoDbUserSlots<Session extends SessionKeys> {
    public constructor(private readonly _slots: Collection<UserSlotsDocument>, private readonly _sessions: Collection<Session>) {
    }

    /** Takes a place for sessionId; false when the user already has max live sessions. */
    public async admit(userId: string, sessionId: string, max: number, live: Filter<Session>): Promise<boolean> {
        for (let round = 0; round < MAX_ROUNDS; round++) {
            try {
                const taken = await this._slots.findOneAndUpdate(
                    { _id: userId, pending: { $exists: false }, ['live.' + (max - 1)]: { $exists: false } },
                    { $push: { live: { id: sessionId, at: new Date() } }, $setOnInsert: { pending: new Date() } },
                    { upsert: true, returnDocument: 'after' });
                const document = taken.value;
                if (document == null) continue;
                // Created by this call: it holds only this session until the user's existing ones are added.
                if (document.pending != null) return await this.seed(userId, sessionId, max, live, document.pending);
                return true;
            } catch (err) {
                if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
            }
            // The document exists but matched not: full, or being created by another open.
            const current = await this._slots.findOne({ _id: userId });
            if (current == null) continue;
            if (current.pending != null) {
                if (Date.now() - current.pending.getTime() > PENDING_STALE_MS) {
                    await this._slots.updateOne({ _id: userId, pending: current.pending }, { $unset: { pending: '' } });
                } else {
                    await new Promise(resolve => setTimeout(resolve, 5 + Math.random() * 10));
                }
                continue;
            }
            if (current.live.length < max) continue;
            if (!await this.freeDeadPlaces(current, live)) return false;
        }
        return false;
    }

    /** Gives a place back: the session was not stored after all (else it is freed after INSERT_GRACE_MS). */
    public async release(userId: string, sessionId: string): Promise<void> {
        const current = await this._slots.findOne({ _id: userId });
        if (current == null) return;
        await this._slots.updateOne({ _id: userId, live: current.live }, { $set: { live: current.live.filter(place => place.id !== sessionId) } });
    }

    /**
     * Adds the user's live sessions from before the document existed, then opens the
     * document to other opens. This open keeps its place only if they leave room for it.
     */
    private async seed(userId: string, sessionId: string, max: number, live: Filter<Session>, pending: Date): Promise<boolean> {
        const others = { ...live, user_id: userId, _id: { $ne: sessionId } } as Filter<Session>;
        const existing = await this._sessions.find(others, { projection: { _id: 1 } }).toArray();
        const now = new Date();
        const places: Place[] = existing.map(document => ({ id: String(document._id), at: now }));
        const admitted = places.length < max;
        if (admitted) places.push({ id: sessionId, at: now });
        const done = await this._slots.updateOne({ _id: userId, pending }, { $set: { live: places }, $unset: { pending: '' } });
        // Taken over as stale by another open meanwhile: that one decided; try again from the start.
        if (done.modifiedCount === 0) return await this.admit(userId, sessionId, max, live);
        return admitted;
    }

    /**
     * Frees the places of sessions that are no longer live (closed or expired: they never
     * become live again) and of sessions never stored; false when every place is held.
     * A place taken moments ago whose session is not stored yet is held: its insert is on its way.
     */
    private async freeDeadPlaces(current: UserSlotsDocument, live: Filter<Session>): Promise<boolean> {
        const ids = current.live.map(place => place.id);
        // Stored first, live second: an insert landing between the two then counts as live, never as dead.
        const storedIds = await this.idsOf({ _id: { $in: ids } } as Filter<Session>);
        const liveIds = await this.idsOf({ ...live, _id: { $in: ids } } as Filter<Session>);
        const graceStart = Date.now() - INSERT_GRACE_MS;
        const held = current.live.filter(place => liveIds.has(place.id) || (!storedIds.has(place.id) && place.at.getTime() > graceStart));
        if (held.length === current.live.length) return false;
        // Only if the list is still the one read; else another open changed it, and this one reads again.
        await this._slots.updateOne({ _id: current._id, live: current.live }, { $set: { live: held } });
        return true;
    }

    private async idsOf(filter: Filter<Session>): Promise<Set<string>> {
        const found = await this._sessions.find(filter, { projection: { _id: 1 } }).toArray();
        return new Set(found.map(document => String(document._id)));
    }
}
