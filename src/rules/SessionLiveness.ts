import { SessionTimeouts } from './SessionTimeouts';

/**
 * "Live at now under these timeouts": the condition a write puts on the session it
 * changes (checked and written in one step), and what get_sessions' active filter means.
 */
export interface SessionLiveness {
    /** Milliseconds since the epoch. */
    now: number;
    timeouts: SessionTimeouts;
}
