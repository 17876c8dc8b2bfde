import { spawnSync } from 'child_process';
import { createHmac } from 'crypto';

import { expect } from 'chai';
import { ConfigParams } from 'pip-services3-commons-nodex';
import { LogLevel } from 'pip-services3-components-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsAudit } from '../../src/logic/SessionsAudit';
import { KeptLogger } from '../fixtures/KeptLogger';
import { PACKAGE_ROOT } from '../fixtures/TestService';

const KEY = 'audit-key-of-the-tests-0123456789';

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

    it('without a key hashes with one random key for the whole process; refuses a short key', () => {
        const hashes = [audit(null, new KeptLogger()).hash(session.id), audit(null, new KeptLogger()).hash(session.id)];
        expect(hashes[0]).to.match(/^[A-Za-z0-9_-]{43}$/);
        expect(hashes[1]).to.equal(hashes[0]);
        expect(hashes[0]).to.not.equal(audit(KEY, new KeptLogger()).hash(session.id));
        expect(() => audit('short', new KeptLogger())).to.throw(/at least 16 characters/);
    });

    it('warns once per process that AUDIT_KEY is not set, however many controllers it builds, and not with a key', () => {
        // A process of its own: this one may have warned already.
        const script = `
            const { ConfigParams, Descriptor, References } = require('pip-services3-commons-nodex');
            const { SessionsConsoleLogger } = require('./obj/src/container/SessionsConsoleLogger');
            const { SessionsController } = require('./obj/src/logic/SessionsController');
            const { SessionsMemoryPersistence } = require('./obj/src/persistence/memory/SessionsMemoryPersistence');
            const build = (key) => {
                const logger = new SessionsConsoleLogger();
                logger.configure(ConfigParams.fromTuples('level', 'info', 'source', 'audit-test'));
                const controller = new SessionsController();
                controller.configure(key ? ConfigParams.fromTuples('options.audit_key', key) : new ConfigParams());
                controller.setReferences(References.fromTuples(
                    new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), new SessionsMemoryPersistence(),
                    new Descriptor('pip-services', 'logger', 'console', 'default', '1.0'), logger));
            };
            for (let index = 0; index < 3; index++) build(process.argv[1]);
        `;
        const run = (key: string) => spawnSync(process.execPath, ['-e', script, key], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
        const keyless = run('');
        expect(keyless.status, keyless.stderr).to.equal(0);
        expect(keyless.stderr.match(/AUDIT_KEY is not set/g)).to.have.length(1);
        const keyed = run(KEY);
        expect(keyed.status, keyed.stderr).to.equal(0);
        expect(keyed.stderr).to.not.contain('AUDIT_KEY');
    });
});
