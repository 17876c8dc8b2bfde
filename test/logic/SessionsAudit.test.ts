import { createHmac } from 'crypto';

import { expect } from 'chai';
import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';
import { LogLevel, Logger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsAudit } from '../../src/logic/SessionsAudit';

const KEY = 'audit-key-of-the-tests-0123456789';

/** A logger that keeps what it is given, for the tests to read. */
export class KeptLogger extends Logger {
    public readonly messages: Array<{ level: LogLevel; correlation_id: string; message: string }> = [];

    public constructor() {
        super();
        this.setLevel(LogLevel.Trace);
    }

    protected write(level: LogLevel, correlationId: string, error: Error, message: string): void {
        this.messages.push({ level, correlation_id: correlationId, message });
    }

    /** The audit records logged, parsed. */
    public get audit(): Array<Record<string, unknown>> {
        return this.messages.filter(item => item.message.startsWith(SessionsAudit.Prefix))
            .map(item => JSON.parse(item.message.slice(SessionsAudit.Prefix.length)) as Record<string, unknown>);
    }

    public static references(logger: KeptLogger): References {
        return References.fromTuples(new Descriptor('pip-services', 'logger', 'kept', 'default', '1.0'), logger);
    }
}

function audit(key: string | null, logger: KeptLogger): SessionsAudit {
    const result = new SessionsAudit();
    result.configure(key != null ? ConfigParams.fromTuples('options.audit_key', key) : new ConfigParams());
    result.setReferences(KeptLogger.references(logger));
    return result;
}

describe('SessionsAudit', () => {
    const session = new SessionV1('0123456789abcdef0123456789abcdef', 'u1', 'Ann', '10.0.0.1', 'web');
    session.user = { secret: 'user-object' };
    session.data = { secret: 'session-data' };

    it('logs one line per event with the HMAC-SHA256 of the session id, never the id, user or data', () => {
        const logger = new KeptLogger();
        const subject = audit(KEY, logger);
        subject.opened('corr-1', session);
        subject.closed('corr-2', [session], 'idle');
        subject.refused('corr-3', 'u1', 'web', null);

        const hash = createHmac('sha256', KEY).update(session.id).digest('base64url');
        expect(logger.audit).to.deep.equal([
            { event: 'open', session: hash, user_id: 'u1', client: 'web', address: '10.0.0.1' },
            { event: 'close', session: hash, user_id: 'u1', client: 'web', address: '10.0.0.1', reason: 'idle' },
            { event: 'refuse', reason: 'session_limit', user_id: 'u1', client: 'web' }
        ]);
        expect(logger.messages.map(item => item.level)).to.deep.equal([LogLevel.Info, LogLevel.Info, LogLevel.Info]);
        expect(logger.messages.map(item => item.correlation_id)).to.deep.equal(['corr-1', 'corr-2', 'corr-3']);
        const text = logger.messages.map(item => item.message).join('\n');
        for (const secret of [session.id, 'user-object', 'session-data', 'Ann']) expect(text).to.not.contain(secret);
    });

    it('without a key hashes with a random one per process and warns; refuses a short key', () => {
        const first = new KeptLogger();
        const second = new KeptLogger();
        const hashes = [audit(null, first).hash(session.id), audit(null, second).hash(session.id)];
        expect(hashes[0]).to.match(/^[A-Za-z0-9_-]{43}$/);
        expect(hashes[0]).to.not.equal(hashes[1]);
        expect(first.messages.filter(item => item.level === LogLevel.Warn).map(item => item.message).join())
            .to.contain('AUDIT_KEY is not set');
        expect(() => audit('short', new KeptLogger())).to.throw(/at least 16 characters/);
    });
});
