/**
 * What a command answers with: a session (SessionV1), a page of sessions, the count
 * close_user_sessions closed, or nothing (always null: HTTP 204).
 */
export type SessionsReplyKind = 'session' | 'page' | 'closed_count' | 'none';

/** A setting of the controller whose time limit a command applies. */
export type SessionsTimeoutSetting = 'idle_timeout' | 'absolute_timeout' | 'touch_interval';

/** A refusal particular to a command (the ones every command can answer are the transports' own). */
export interface SessionsCommandRefusal {
    readonly status: number;
    readonly code: string;
    /** When the command answers it, for a caller. */
    readonly when: string;
    /** A message it comes with, for the document's example. */
    readonly message: string;
}

/** One named example of a command's call. */
export interface SessionsCommandExample {
    readonly summary: string;
    readonly request: Record<string, unknown>;
    /** The reply as JSON; null when the command answers null (HTTP 204). */
    readonly reply: unknown;
}

/**
 * The documentation of a command, kept with its definition (SessionsCommandSet): the
 * OpenAPI document is built from it and the command's argument schema, and the tests run
 * every example request through the command's own validation and check real replies
 * against the declared reply.
 */
export interface SessionsCommandContract {
    readonly summary: string;
    /** What the command does, for a caller; the timeouts and refusals are added from the fields below. */
    readonly description: string;
    readonly reply: SessionsReplyKind;
    /** When the command answers null (HTTP 204) although it has a reply kind; undefined if it never does. */
    readonly nullReply?: string;
    readonly timeouts?: readonly SessionsTimeoutSetting[];
    readonly refusals?: readonly SessionsCommandRefusal[];
    readonly examples: readonly SessionsCommandExample[];
}
