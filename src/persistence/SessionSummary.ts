/**
 * The fields of a session that the memory store's indexes and filters read, for a
 * session held as an object or still as the text it was loaded from (see StoredSessions).
 */
export interface SessionSummary {
    id: string;
    userId: string;
    active: boolean;
    /** request_time in milliseconds since the epoch. */
    requestTime: number;
    /** open_time in milliseconds since the epoch. */
    openTime: number;
    /** close_time in milliseconds since the epoch; -1 when there is none. */
    closeTime: number;
}
