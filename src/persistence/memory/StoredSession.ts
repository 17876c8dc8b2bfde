import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionSummary } from '../SessionSummary';
import { SessionText } from '../file/SessionText';

/**
 * A session as the memory store holds it: an object (never changed in place), or the
 * JSON text a durable store loaded it from, parsed only when it is read or written.
 */
export type StoredSession = SessionV1 | string;

/** What the memory store reads of a StoredSession, whichever form it has: the one place that tells them apart. */
export class StoredSessions {
    /** The fields the indexes and filters read. */
    public static summary(entry: StoredSession): SessionSummary {
        if (typeof entry !== 'string') {
            return {
                id: entry.id, userId: entry.user_id, active: entry.active, requestTime: entry.request_time.getTime(),
                openTime: entry.open_time.getTime(), closeTime: entry.close_time != null ? entry.close_time.getTime() : -1
            };
        }
        const summary: SessionSummary = { id: '', userId: '', active: false, requestTime: 0, openTime: 0, closeTime: -1 };
        // Every text held was read by summarize() when it was put: it reads again.
        SessionText.summarize(entry, summary);
        return summary;
    }

    /**
     * For a load: fills summary with the entry's fields and answers true, or answers false
     * for a text summarize() cannot read (the caller parses it with session()).
     */
    public static summarizeInto(entry: StoredSession, summary: SessionSummary): boolean {
        if (typeof entry === 'string') return SessionText.summarize(entry, summary);
        Object.assign(summary, StoredSessions.summary(entry));
        return true;
    }

    /** The session itself: the stored object (not to be changed), or a text parsed afresh (one that does not parse throws). */
    public static session(entry: StoredSession): SessionV1 {
        return typeof entry === 'string' ? SessionText.parse(entry) : entry;
    }

    /** A session the caller may keep and change. */
    public static copy(entry: StoredSession): SessionV1 {
        return typeof entry === 'string' ? SessionText.parse(entry) : { ...entry };
    }

    public static idOf(entry: StoredSession): string {
        return typeof entry === 'string' ? StoredSessions.summary(entry).id : entry.id;
    }

    public static isActive(entry: StoredSession): boolean {
        return typeof entry === 'string' ? StoredSessions.summary(entry).active : entry.active;
    }

    /** Whether the entry is still the text it was loaded as. */
    public static isText(entry: StoredSession): entry is string {
        return typeof entry === 'string';
    }
}
