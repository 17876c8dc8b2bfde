import { SessionCloseReason } from '../data/version1/SessionCloseReasonV1';

/** What a new session does at its user's limit (see SessionLimit). */
export const SessionLimitPolicies = ['evict_oldest', 'reject'] as const;

/**
 * At most max live sessions per user. What a new session does at the limit: evict_oldest
 * closes the user's least recently active sessions to make room (with the given reason),
 * reject refuses the new session (409 SESSION_LIMIT_REACHED).
 */
export interface SessionLimit {
    max: number;
    policy: typeof SessionLimitPolicies[number];
    /** The close_reason of evicted sessions. */
    reason: SessionCloseReason;
}
