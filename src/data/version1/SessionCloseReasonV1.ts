/** Why a session was closed: one of SessionCloseReasonV1's values. */
export type SessionCloseReason = 'logout' | 'idle' | 'absolute' | 'revoked' | 'evicted';

/**
 * Why a session was closed: SessionV1.close_reason. Sessions closed by the original
 * (or before this field existed) have none.
 */
export class SessionCloseReasonV1 {
    /** close_session: the user signed out. */
    public static readonly Logout: SessionCloseReason = 'logout';
    /** The expiry sweep: no request for longer than the idle timeout. */
    public static readonly Idle: SessionCloseReason = 'idle';
    /** Open for longer than the absolute timeout, however active. */
    public static readonly Absolute: SessionCloseReason = 'absolute';
    /** close_user_sessions: all of a user's sessions revoked at once. */
    public static readonly Revoked: SessionCloseReason = 'revoked';
    /** Closed to make room under max_sessions_per_user. */
    public static readonly Evicted: SessionCloseReason = 'evicted';

    /** Every reason, in the order above: the enum of close_reason in the OpenAPI document. */
    public static readonly Values: readonly SessionCloseReason[] = [
        SessionCloseReasonV1.Logout, SessionCloseReasonV1.Idle, SessionCloseReasonV1.Absolute,
        SessionCloseReasonV1.Revoked, SessionCloseReasonV1.Evicted
    ];
}
