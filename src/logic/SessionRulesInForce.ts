/** The session rules a controller applies (times in ms, 0: off), as the start-up line reports them. */
export interface SessionRulesInForce {
    idle_timeout: number;
    absolute_timeout: number;
    touch_interval: number;
    /** 0: no limit. */
    max_sessions_per_user: number;
    /** null when there is no limit. */
    session_limit_policy: string | null;
    retention_period: number;
    cleanup_interval: number;
}
