import { createHmac, createSecretKey, KeyObject, randomBytes } from 'crypto';

import { ConfigException, ConfigParams, IConfigurable, IReferenceable, IReferences } from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';
import { SessionCloseReason } from '../data/version1/SessionCloseReasonV1';

/** What an audit line records. */
export interface SessionAuditEntry {
    event: 'open' | 'close' | 'refuse';
    /** For close: the close_reason (logout, idle, absolute, revoked, evicted). */
    reason?: string;
    /** HMAC-SHA256 of the session id under the audit key, base64url; left out for refuse. */
    session?: string;
    user_id: string;
    client?: string;
    address?: string;
}

/**
 * The audit trail: one INFO line per session opened, closed or refused by the limit
 * (docs/sessions.md#audit-log). The id is written as its HMAC-SHA256 under options.audit_key, in
 * base64url, so no line holds a usable id and no log scan mistakes it for one (32 hex characters).
 */
export class SessionsAudit implements IConfigurable, IReferenceable {
    public static readonly Prefix = 'audit ';
    private static readonly MinKeyLength = 16;
    /** Drawn once, so every keyless controller of the process hashes alike (a test process builds dozens). */
    private static _processKey: KeyObject | null = null;
    private static _warned = false;

    private readonly _logger = new CompositeLogger();
    // A KeyObject, made once: given a Buffer, createHmac prepares the key again on every call.
    private _key: KeyObject | null = null;

    public configure(config: ConfigParams): void {
        const key = config.getAsStringWithDefault('options.audit_key', '');
        if (key === '') {
            this._key = null;
            return;
        }
        if (key.length < SessionsAudit.MinKeyLength) {
            throw new ConfigException(undefined, SessionsErrorCode.AUDIT_KEY_TOO_SHORT,
                'options.audit_key (AUDIT_KEY) must have at least ' + SessionsAudit.MinKeyLength + ' characters');
        }
        this._key = createSecretKey(Buffer.from(key, 'utf8'));
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
        if (this._key == null) {
            this._key = SessionsAudit.processKey();
            if (SessionsAudit._warned) return;
            SessionsAudit._warned = true;
            this._logger.warn('', 'AUDIT_KEY is not set: audit lines hash session ids with a random key of this process, '
                + 'so they cannot be matched across restarts or replicas');
        }
    }

    /** The keyed hash of a session id, as audit lines hold it. */
    public hash(sessionId: string): string {
        if (this._key == null) this._key = SessionsAudit.processKey();
        return createHmac('sha256', this._key).update(sessionId).digest('base64url');
    }

    public opened(correlationId: string | null, session: SessionV1): void {
        this.write(correlationId, SessionsAudit.entry('open', session, this.hash(session.id)));
    }

    public closed(correlationId: string | null, sessions: SessionV1[], reason: SessionCloseReason): void {
        for (const session of sessions) {
            const entry = SessionsAudit.entry('close', session, this.hash(session.id));
            entry.reason = reason;
            this.write(correlationId, entry);
        }
    }

    public refused(correlationId: string | null, userId: string, client?: string | null, address?: string | null): void {
        const entry: SessionAuditEntry = { event: 'refuse', reason: 'session_limit', user_id: userId };
        if (client != null) entry.client = client;
        if (address != null) entry.address = address;
        this.write(correlationId, entry);
    }

    // The line as the message itself, with no arguments: every logger gets the same text
    // as from '%s' and the line, without a util.format() per line.
    private write(correlationId: string | null, entry: SessionAuditEntry): void {
        this._logger.info(correlationId ?? '', SessionsAudit.Prefix + JSON.stringify(entry));
    }

    private static processKey(): KeyObject {
        if (SessionsAudit._processKey == null) SessionsAudit._processKey = createSecretKey(randomBytes(32));
        return SessionsAudit._processKey;
    }

    private static entry(event: SessionAuditEntry['event'], session: SessionV1, hash: string): SessionAuditEntry {
        const entry: SessionAuditEntry = { event, session: hash, user_id: session.user_id };
        if (session.client != null) entry.client = session.client;
        if (session.address != null) entry.address = session.address;
        return entry;
    }
}
