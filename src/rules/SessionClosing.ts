import { SessionCloseReason } from '../data/version1/SessionCloseReasonV1';

/** The fields a close sets, whichever store writes them. */
export interface SessionCloseFields {
    active: false;
    close_time: Date;
    close_reason: SessionCloseReason;
    request_time: Date;
    user: null;
    data: null;
}

/** What closing a session means, for every store: inactive, stamped, and its user and data cleared (as the original did). */
export class SessionClosing {
    public static fields(closeTime: Date, reason: SessionCloseReason): SessionCloseFields {
        return { active: false, close_time: closeTime, close_reason: reason, request_time: closeTime, user: null, data: null };
    }
}
