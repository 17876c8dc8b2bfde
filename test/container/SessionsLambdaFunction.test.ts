import * as path from 'path';

import { expect } from 'chai';
import { BadRequestException } from 'pip-services3-commons-nodex';

import { SessionsLambdaFunction, SessionsLambdaHandler } from '../../src/container/SessionsLambdaFunction';
import { freePort, PACKAGE_ROOT, TestService } from '../fixtures/TestService';
import { rejection } from '../fixtures/Rejection';

const EXPIRE_TIMEOUT = 1500;

/** What the AWS Lambda Node.js runtime sends back for a thrown error. */
function runtimeErrorPayload(error: Error): { errorType: string; errorMessage: string; trace: string[] } {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
}

/** Ids and times differ between two services; everything else must not. */
function normalized(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value ?? null), (key, item) => {
        if (key === 'id' && typeof item === 'string') return '<id>';
        if (/_time$|^expires_at$/.test(key) && typeof item === 'string') return '<time>';
        return item;
    });
}

/** The same events, and what HTTP and the Lambda handler answer to each. */
const SCRIPT: Array<(sessionId: string) => Record<string, unknown>> = [
    () => ({ cmd: 'open_session', user_id: 'u-same', user_name: 'Ann', address: '10.0.0.1', client: 'web', user: { roles: ['a'] }, data: { n: 1 } }),
    (id) => ({ cmd: 'get_session_by_id', session_id: id }),
    (id) => ({ cmd: 'store_session_data', session_id: id, data: { n: 2 } }),
    (id) => ({ cmd: 'update_session_user', session_id: id, user: { roles: ['b'] } }),
    () => ({ cmd: 'get_sessions', filter: { user_id: 'u-same' }, paging: { skip: 0, take: 5, total: true } }),
    (id) => ({ cmd: 'close_session', session_id: id }),
    () => ({ cmd: 'close_expired_sessions' }),
    (id) => ({ cmd: 'delete_session_by_id', session_id: id }),
    (id) => ({ cmd: 'get_session_by_id', session_id: id })
];

describe('SessionsLambdaFunction (AWS Lambda)', () => {
    let lambda: SessionsLambdaFunction;
    let handler: SessionsLambdaHandler;

    before(() => {
        lambda = new SessionsLambdaFunction({ LOG_LEVEL: 'warn', EXPIRE_TIMEOUT: String(EXPIRE_TIMEOUT) });
        handler = lambda.getHandler();
    });

    after(async () => {
        await lambda?.close('test');
    });

    it('answers every command of the original event shape as the HTTP API does', async () => {
        const http = await TestService.start({ MEMORY_ENABLED: 'true' });
        try {
            let lambdaId = '';
            let httpId = '';
            for (const step of SCRIPT) {
                const event = step(lambdaId);
                const result = await handler({ ...event, correlation_id: 'same-1' });
                const { cmd, ...args } = step(httpId);
                const reply = await http.call(cmd as string, args);
                expect(normalized(result), String(cmd)).to.deep.equal(normalized(reply.body));
                if (cmd === 'open_session') {
                    lambdaId = (result as { id: string }).id;
                    httpId = reply.body.id;
                    expect(lambdaId).to.match(/^[0-9a-f]{32}$/);
                }
            }
        } finally {
            await http.stop();
        }
    });

    it('returns JSON values: ISO times, null for no session, null for close_expired_sessions', async () => {
        const opened = await handler({ cmd: 'open_session', user_id: 'u-json' }) as Record<string, unknown>;
        expect(opened.open_time).to.be.a('string');
        expect(new Date(opened.open_time as string).toISOString()).to.equal(opened.open_time);
        expect(await handler({ cmd: 'get_session_by_id', session_id: 'ffffffffffffffffffffffffffffffff' })).to.equal(null);
        expect(await handler({ cmd: 'close_expired_sessions', correlation_id: 'c1' })).to.equal(null);
    });

    it('closes the sessions idle longer than EXPIRE_TIMEOUT', async () => {
        const opened = await handler({ cmd: 'open_session', user_id: 'u-idle' }) as { id: string };
        await new Promise(resolve => setTimeout(resolve, EXPIRE_TIMEOUT + 50));
        await handler({ cmd: 'close_expired_sessions' });
        const closed = await handler({ cmd: 'get_session_by_id', session_id: opened.id }) as { active: boolean };
        expect(closed.active).to.equal(false);
    });

    it('rejects bad arguments with INVALID_DATA naming the field, with the correlation id, and changes nothing', async () => {
        const error = await rejection(handler({ cmd: 'open_session', user_id: 7, correlation_id: 'bad-1' }));
        expect(error).to.be.instanceOf(BadRequestException);
        expect(error.code).to.equal('INVALID_DATA');
        expect(error.status).to.equal(400);
        expect(error.details).to.deep.include({ field: 'user_id' });
        expect(error.correlation_id).to.equal('bad-1');

        const missing = await rejection(handler({ cmd: 'store_session_data', data: {} }));
        expect(missing.details).to.deep.include({ field: 'session_id' });
        const filter = await rejection(handler({ cmd: 'get_sessions', filter: { from_time: 'yesterday' } }));
        expect(filter.details).to.deep.include({ field: 'filter.from_time' });

        const page = await handler({ cmd: 'get_sessions', filter: { user_id: '7' } }) as { data: unknown[] };
        expect(page.data).to.deep.equal([]);
    });

    it('rejects a missing cmd with NO_COMMAND and an unknown one with NO_ACTION, as the original', async () => {
        const unknown = await rejection(handler({ cmd: 'drop_all_sessions', correlation_id: 'c2' }));
        expect(unknown).to.be.instanceOf(BadRequestException);
        expect(unknown.code).to.equal('NO_ACTION');
        expect(unknown.details).to.deep.include({ command: 'drop_all_sessions' });
        expect(unknown.correlation_id).to.equal('c2');

        for (const event of [{}, { cmd: '' }, null, 'open_session', [{ cmd: 'open_session' }]]) {
            const error = await rejection(handler(event));
            expect(error.code, JSON.stringify(event)).to.equal('NO_COMMAND');
            expect(error.status).to.equal(400);
        }
        expect((await rejection(handler({ cmd: 5 }))).code).to.equal('NO_ACTION');
    });

    it('rejects __proto__ keys in the event as the HTTP API does', async () => {
        const event = JSON.parse('{"cmd": "open_session", "user_id": "u1", "data": {"__proto__": {"admin": true}}}');
        const error = await rejection(handler(event));
        expect(error.code).to.equal('INVALID_JSON');
        expect(({} as Record<string, unknown>).admin).to.equal(undefined);
    });

    it('fails without a stack frame: the runtime reports only the code and the message', async () => {
        const error = await rejection(handler({ cmd: 'get_session_by_id', session_id: [] }));
        const payload = runtimeErrorPayload(error);
        expect(payload.errorType).to.equal('INVALID_DATA');
        expect(payload.trace).to.deep.equal(['INVALID_DATA: ' + error.message]);
        expect(JSON.stringify(payload)).to.not.match(/\.js|node_modules|\/src\//);
        expect(error.stack_trace == null || error.stack_trace === '').to.equal(true);
        expect(error.cause == null || error.cause === '').to.equal(true);
    });

    it('opens once for concurrent first events, and serves no HTTP unless HTTP_ENABLED is set', async () => {
        const httpPort = await freePort();
        const cold = new SessionsLambdaFunction({ LOG_LEVEL: 'warn', HTTP_PORT: String(httpPort), HTTP_HOST: '127.0.0.1' });
        try {
            const results = await Promise.all([1, 2, 3].map(n => cold.handle({ cmd: 'open_session', user_id: 'cold-' + n })));
            expect(results.map(result => (result as { user_id: string }).user_id)).to.deep.equal(['cold-1', 'cold-2', 'cold-3']);
            const page = await cold.handle({ cmd: 'get_sessions', paging: { total: true } }) as { total: number };
            expect(page.total, 'one store for all three').to.equal(3);
            const refused = await fetch('http://127.0.0.1:' + httpPort + '/heartbeat').then(() => false, () => true);
            expect(refused, 'nothing listens on HTTP_PORT').to.equal(true);
        } finally {
            await cold.close('test');
        }
    });

    it('answers a failed start with a generic 500 and tries again on the next event', async () => {
        const broken = new SessionsLambdaFunction({ LOG_LEVEL: 'none', CONFIG_PATH: path.join(PACKAGE_ROOT, 'no-such-config.yml') });
        try {
            for (let attempt = 0; attempt < 2; attempt++) {
                const error = await rejection(broken.handle({ cmd: 'open_session', user_id: 'u1' }));
                expect(error.status).to.equal(500);
                expect(error.message).to.not.contain('no-such-config');
            }
        } finally {
            await broken.close('test');
        }
    });

    it('is exported by bin/lambda.js, the original\'s path, as the module and as its handler', async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = require(path.join(PACKAGE_ROOT, 'bin', 'lambda.js')) as SessionsLambdaHandler & { handler: SessionsLambdaHandler };
        expect(exported).to.be.a('function');
        expect(exported.handler).to.equal(exported);
        // Rejected before anything is opened: no container is left running.
        expect((await rejection(exported({ correlation_id: 'c3' }))).code).to.equal('NO_COMMAND');
    });
});
