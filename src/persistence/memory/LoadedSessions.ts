import { SessionChange } from '../SessionChange';
import { LoadedSummaries } from './LoadedSummaries';
import { StoredSession } from './StoredSession';

/** What a durable store reads at start: its sessions, then the changes to replay over them, in order. */
export interface LoadedSessions {
    sessions: StoredSession[];
    changes: SessionChange[];
    /** The index fields of the sessions held as text, by index, where the loader read them already. */
    summaries?: LoadedSummaries;
}
