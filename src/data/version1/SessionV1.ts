import { IStringIdentifiable } from 'pip-services3-commons-nodex';

import { SessionIdGenerator } from '../../logic/SessionIdGenerator';

/**
 * A user session as it travels on the wire and sits in every store.
 *
 * Optional fields are left out (not null) when never set, as the original does,
 * so JSON written by either service reads the same in both.
 */
export class SessionV1 implements IStringIdentifiable {
    /* Identification */
    public id: string;
    public user_id: string;
    public user_name?: string | null;

    /* Session info */
    public active: boolean;
    public open_time: Date;
    public close_time?: Date | null;
    /** Set when the session is closed: one of SessionCloseReasonV1. */
    public close_reason?: string | null;
    public request_time: Date;
    /**
     * When an active session expires unless used again: the earlier of request_time +
     * idle timeout and open_time + absolute timeout. Left out when neither timeout is set;
     * on a closed session, the deadline it had when it was closed.
     */
    public expires_at?: Date | null;
    public address?: string | null;
    public client?: string | null;

    /* Cached content: opaque to the service */
    public user?: unknown;
    public data?: unknown;

    /** A null or empty id is replaced by a new one, as the original's constructor did. */
    public constructor(id: string | null, user_id: string, user_name?: string,
        address?: string, client?: string, now: Date = new Date()) {
        this.id = id || SessionIdGenerator.next();
        this.user_id = user_id;
        if (user_name != null) this.user_name = user_name;
        this.active = true;
        this.open_time = now;
        this.request_time = now;
        if (address != null) this.address = address;
        if (client != null) this.client = client;
    }
}
