/**
 * What SessionBytes.summarize() reads from a session's UTF-8 bytes: the index fields as
 * SessionSummary has them, except that id and user_id are left where they are (their
 * byte ranges), for the caller to take from the text it decodes anyway.
 */
export interface SessionBytesSummary {
    idStart: number;
    idEnd: number;
    userIdStart: number;
    userIdEnd: number;
    active: boolean;
    /** request_time in milliseconds since the epoch. */
    requestTime: number;
    /** open_time in milliseconds since the epoch. */
    openTime: number;
    /** close_time in milliseconds since the epoch; -1 when there is none. */
    closeTime: number;
}
