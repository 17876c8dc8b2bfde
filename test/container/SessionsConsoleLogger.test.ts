import { expect } from 'chai';
import { ApplicationException, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsConsoleLogger } from '../../src/container/SessionsConsoleLogger';
import { SessionsStdoutLines } from '../../src/container/SessionsStdoutLines';

/** Runs the action with process.stdout and stderr captured, the gathered lines written out; returns what each received. */
function capture(action: () => void): { stdout: string; stderr: string } {
    const written = { stdout: '', stderr: '' };
    const stdoutWrite = process.stdout.write;
    const stderrWrite = process.stderr.write;
    process.stdout.write = ((chunk: string) => { written.stdout += chunk; return true; }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => { written.stderr += chunk; return true; }) as typeof process.stderr.write;
    try {
        action();
        SessionsStdoutLines.flush();
    } finally {
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
    }
    return written;
}

function logger(level: string, format: string): SessionsConsoleLogger {
    const result = new SessionsConsoleLogger();
    result.configure(ConfigParams.fromTuples('level', level, 'format', format, 'source', 'sessions-test'));
    return result;
}

describe('SessionsConsoleLogger', () => {
    it('in json format gives an audit line its record as an object', () => {
        const json = logger('info', 'json');
        const { stdout } = capture(() => {
            json.info('corr-1', '%s', 'audit {"event":"close","reason":"idle","session":"ab12","user_id":"u1"}');
            json.info('corr-2', 'audit {not json');
        });
        const lines = stdout.split('\n').filter(line => line !== '').map(line => JSON.parse(line));
        expect(lines[0]).to.include({ message: 'audit', correlation_id: 'corr-1' });
        expect(lines[0].audit).to.deep.equal({ event: 'close', reason: 'idle', session: 'ab12', user_id: 'u1' });
        expect(lines[1]).to.include({ message: 'audit {not json' });
        expect(lines[1]).to.not.have.property('audit');
    });

    it('in json format writes one object per line on stdout, with the error described', () => {
        const json = logger('info', 'json');
        const error = new ApplicationException('Internal', 'corr-1', 'STORE_FAILED', 'disk full').withStatus(503);
        const { stdout, stderr } = capture(() => {
            json.info('corr-1', 'Loaded %d sessions', 3);
            json.error('corr-2', error, 'Request %s failed', 'open_session');
            json.debug('corr-3', 'dropped: above the level');
        });
        expect(stderr).to.equal('');
        const lines = stdout.split('\n').filter(line => line !== '').map(line => JSON.parse(line));
        expect(lines).to.have.length(2);
        expect(lines[0]).to.include({ level: 'info', source: 'sessions-test', correlation_id: 'corr-1', message: 'Loaded 3 sessions' });
        expect(Date.parse(lines[0].time)).to.be.closeTo(Date.now(), 60000);
        expect(lines[1]).to.include({ level: 'error', message: 'Request open_session failed' });
        expect(lines[1].error).to.include({ code: 'STORE_FAILED', status: 503, message: 'disk full' });
        expect(lines[1].error.stack).to.be.a('string');
    });

    it('keeps a message with newlines and quotes on one line', () => {
        const { stdout } = capture(() => logger('info', 'json').warn('', 'two\nlines "quoted"'));
        expect(stdout.split('\n').filter(line => line !== '')).to.have.length(1);
        expect(JSON.parse(stdout).message).to.equal('two\nlines "quoted"');
        expect(JSON.parse(stdout)).to.not.have.property('correlation_id');
    });

    it('in text format writes the toolkit\'s lines after the source, warnings and errors on stderr', () => {
        const text = logger('debug', 'text');
        const { stdout, stderr } = capture(() => {
            text.debug('corr-1', 'debug line');
            text.warn('corr-2', 'warn line');
        });
        expect(stdout).to.match(/^sessions-test \[corr-1:DEBUG:[^\]]+\] debug line\n$/);
        expect(stderr).to.match(/^sessions-test \[corr-2:WARN:[^\]]+\] warn line\n$/);
    });

    it('does not format a message above its level', () => {
        let formatted = false;
        const argument = { toString: () => { formatted = true; return 'x'; } };
        const { stdout } = capture(() => logger('info', 'text').debug('', 'value %s', argument));
        expect(stdout).to.equal('');
        expect(formatted).to.equal(false);
    });

    it('writes objects as JSON, never [object Object], with session data, users, secrets and full ids redacted', () => {
        const sessionId = '0123456789abcdef0123456789abcdef';
        const session = { id: sessionId, user_id: 'u1', data: { secret: 'session-data' }, user: { name: 'user-object' } };
        const settings = { 'auth.api_key': 'api-key-value', 'connection.uri': 'mongodb://ann:db-password@db/app', max: 3 };
        for (const format of ['text', 'json']) {
            const { stdout } = capture(() => {
                const trace = logger('trace', format);
                trace.trace('c1', 'session %s of %s; settings %s', session, sessionId, settings);
                trace.debug('c2', { list: [1, 2] } as unknown as string);
            });
            const text = format === 'json'
                ? stdout.split('\n').filter(line => line !== '').map(line => JSON.parse(line).message as string).join('\n')
                : stdout;
            expect(text).to.not.contain('[object Object]');
            expect(text).to.contain('session {"id":"0123…","user_id":"u1","data":"[redacted]","user":"[redacted]"} of 0123…;');
            expect(text).to.contain('settings {"auth.api_key":"[redacted]","connection.uri":"mongodb://[redacted]@db/app","max":3}');
            expect(text).to.contain('{"list":[1,2]}');
            for (const secret of [sessionId, 'session-data', 'user-object', 'api-key-value', 'db-password']) expect(text).to.not.contain(secret);
        }
    });

    it('refuses an unknown format', () => {
        expect(() => logger('info', 'xml')).to.throw(/format is "xml": allowed is one of text, json/);
    });
});
