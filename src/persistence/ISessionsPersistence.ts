import { AnyValueMap, DataPage, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { SessionCloseReason } from '../data/version1/SessionCloseReasonV1';
import { SessionLimit } from '../rules/SessionLimit';
import { SessionLiveness } from '../rules/SessionLiveness';

/**
 * Storage only: no timestamps or rules are decided here (that is the controller's job),
 * so every store behaves the same for the same calls.
 */
export interface ISessionsPersistence {
    /**
     * Newest request_time first, without user and data. With liveness, the active filter
     * is about being live: active=true lists the active sessions live at liveness.now,
     * active=false the closed ones and those past their time but not closed yet.
     */
    getPageByFilter(correlationId: string | null, filter: FilterParams | null, paging: PagingParams | null,
        liveness?: SessionLiveness): Promise<DataPage<SessionV1>>;

    getOneById(correlationId: string | null, id: string): Promise<SessionV1 | null>;

    create(correlationId: string | null, item: SessionV1): Promise<SessionV1>;

    /**
     * Creates a session, keeping its user within limit.max sessions live at liveness.now:
     * evicts the user's least recently active other sessions (closed as closeExpired
     * closes them, with limit.reason), or refuses with SessionLimitReachedException and
     * stores nothing. Returns the new session and the sessions evicted for it, closed.
     * Concurrent calls for one user never leave more than limit.max live sessions; under
     * reject, a store shared by several processes may refuse more than it must.
     */
    createWithinLimit(correlationId: string | null, item: SessionV1, limit: SessionLimit,
        liveness: SessionLiveness): Promise<{ created: SessionV1; evicted: SessionV1[] }>;

    /** Replaces the whole session; null when there is none with that id. */
    update(correlationId: string | null, item: SessionV1): Promise<SessionV1 | null>;

    /**
     * Sets the given fields; null when there is no session with that id. With a condition,
     * a session that is closed or past its time at condition.now is left as it is and the
     * call fails with 409 SESSION_CLOSED, checked and written in one step (so a late write
     * can never land on a session just closed, nor revive an expired one); and a write
     * that sets request_time on a session it leaves active sets expires_at too, from the
     * condition's timeouts.
     */
    updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness): Promise<SessionV1 | null>;

    deleteById(correlationId: string | null, id: string): Promise<SessionV1 | null>;

    /**
     * Closes active sessions whose request_time is before the given time, stamping them
     * with closeTime and reason (as close_session does: user and data cleared); returns
     * the sessions it closed, as closed (for the audit log). Called the original's way,
     * closeExpired(correlationId, requestTime), it closes them now with reason idle.
     */
    closeExpired(correlationId: string | null, requestTime: Date, closeTime?: Date, reason?: SessionCloseReason): Promise<SessionV1[]>;

    /** Deletes closed sessions whose close_time is before the given time; returns how many. */
    deleteClosedBefore(correlationId: string | null, closeTime: Date): Promise<number>;

    /**
     * Prepares the store to keep closed sessions for period ms (0: for ever), where it can
     * delete them by itself (a MongoDB TTL index); true if it will, false if deleting is
     * left to deleteClosedBefore.
     */
    applyRetention(correlationId: string | null, period: number): Promise<boolean>;

    /**
     * Told at start when no reject limit is in force: a store that keeps per-user places for
     * one (MongoDB) forgets them, since sessions opened from now on are not counted in them.
     */
    forgetSessionLimit?(correlationId: string | null): Promise<void>;

    /** Closes active sessions opened before the given time, as closeExpired closes them. */
    closeOpenedBefore(correlationId: string | null, openTime: Date, closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]>;

    /**
     * Closes every active session of a user but exceptId (if given), as closeExpired
     * closes them and with the same result, in one step per store.
     */
    closeUserSessions(correlationId: string | null, userId: string, exceptId: string | null,
        closeTime: Date, reason: SessionCloseReason): Promise<SessionV1[]>;

    /**
     * Resolves when the store can serve reads and writes now; otherwise rejects with the
     * error a request would get (503-class). Cheap enough to call on every readiness probe.
     */
    checkReady(correlationId: string | null): Promise<void>;

    /** While ready: a short code for a fault that loses nothing but needs an operator (COMPACTION_FAILED), else null. */
    readonly degradation?: string | null;
}
