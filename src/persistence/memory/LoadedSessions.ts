import { SessionChange } from '../SessionChange';
import { StoredSession } from './StoredSession';

/** What a durable store reads at start: its sessions, then the changes to replay over them, in order. */
export interface LoadedSessions {
    sessions: StoredSession[];
    changes: SessionChange[];
}
