import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { SessionIdGenerator } from '../../src/logic/SessionIdGenerator';
import { HttpReply } from '../fixtures/HttpReply';
import { MongoTestServer } from '../fixtures/MongoTestServer';
import { RedisTestServer } from '../fixtures/RedisTestServer';
import { TestService } from '../fixtures/TestService';

const SESSIONS = 5;
const CALLS_PER_SESSION = 200;

/** A value whose parts all name the same writer: any mix of two writes shows. */
function written(writer: number): { writer: number; parts: number[]; tag: string } {
    return { writer, parts: [writer, writer, writer], tag: 'writer-' + writer };
}

function expectWhole(value: { writer: number; parts: number[]; tag: string }): void {
    expect(value).to.deep.equal(written(value.writer));
}

type StoreEnvironment = (context: Mocha.Context) => Promise<Record<string, string>>;

/**
 * The close race needs a conditional update that is atomic: the MongoDB store relies on
 * MongoDB updating one document atomically. Plain FerretDB does not (its findAndModify
 * reads and writes in two steps, FerretDB issue 3040), but the bundled test server runs
 * each write command in isolation, so the race runs on every store. An external server
 * given through MONGO_SERVICE_URI must be a MongoDB (or that test server).
 */
function describeConcurrency(storeName: string, environment: StoreEnvironment): void {
    describe('Reliability: concurrent writes to the same sessions, ' + storeName + ' store (issue 8, point 4)', function () {
        this.timeout(300000);
        let service: TestService;
        let dir: string;

        before(async function () {
            dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-concurrency-'));
            service = await TestService.start({ ...await environment(this), FILE_PATH: path.join(dir, 'sessions.json') });
        });

        after(async () => {
            await service?.stop();
            if (dir != null) await fs.rm(dir, { recursive: true, force: true });
        });

        it(CALLS_PER_SESSION + ' parallel writes per session end in one of the written values, never a mix', async () => {
            const ids: string[] = [];
            for (let index = 0; index < SESSIONS; index++) {
                ids.push((await service.call('open_session', { user_id: 'concurrent-' + index })).body.id);
            }
            const calls: Array<Promise<HttpReply>> = [];
            for (const id of ids) {
                for (let writer = 0; writer < CALLS_PER_SESSION; writer++) {
                    calls.push(writer % 2 === 0
                        ? service.call('store_session_data', { session_id: id, data: written(writer) })
                        : service.call('update_session_user', { session_id: id, user: written(writer) }));
                }
            }
            const replies = await Promise.all(calls);
            for (const reply of replies) {
                expect(reply.status, reply.text).to.equal(200);
                expectWhole(reply.body.data ?? reply.body.user);
            }
            for (const id of ids) {
                const session = (await service.call('get_session_by_id', { session_id: id })).body;
                expect(session.active).to.equal(true);
                expectWhole(session.data);
                expectWhole(session.user);
                expect(session.data.writer % 2, 'data came from a store_session_data').to.equal(0);
                expect(session.user.writer % 2, 'user came from an update_session_user').to.equal(1);
            }
            console.log('      %d concurrent writes on %d sessions: every reply and final state whole', replies.length, SESSIONS);
        });

        it('a close among ' + CALLS_PER_SESSION + ' parallel writes is final: later writes get 409, nothing reopens it', async () => {
            let refused = 0;
            for (let index = 0; index < SESSIONS; index++) {
                const id = (await service.call('open_session', { user_id: 'closing-' + index })).body.id;
                const closeAt = Math.floor(CALLS_PER_SESSION / 2);
                const calls: Array<Promise<HttpReply>> = [];
                for (let writer = 0; writer < CALLS_PER_SESSION; writer++) {
                    if (writer === closeAt) calls.push(service.call('close_session', { session_id: id }));
                    else calls.push(service.call('store_session_data', { session_id: id, data: written(writer) }));
                }
                const replies = await Promise.all(calls);
                const close = replies[closeAt];
                expect(close.status).to.equal(200);
                expect(close.body.active).to.equal(false);
                for (const [writer, reply] of replies.entries()) {
                    if (writer === closeAt) continue;
                    if (reply.status === 200) {
                        // Acknowledged before the close took effect: it saw an active session.
                        expect(reply.body.active).to.equal(true);
                        expectWhole(reply.body.data);
                    } else {
                        expect(reply.status, reply.text).to.equal(409);
                        expect(reply.body.code).to.equal('SESSION_CLOSED');
                        refused++;
                    }
                }
                const session = (await service.call('get_session_by_id', { session_id: id })).body;
                expect(session.active, 'never reopened').to.equal(false);
                expect(session.data, 'no late write landed after the close').to.equal(null);
                expect(session.close_time).to.equal(close.body.close_time);
            }
            console.log('      %d writes that came after a close were refused with 409', refused);
        });
    });
}

describeConcurrency('memory', async () => ({ MEMORY_ENABLED: 'true' }));
describeConcurrency('file', async () => ({ FILE_ENABLED: 'true' }));
describeConcurrency('MongoDB', async (context) => {
    const server = await MongoTestServer.require(context);
    return { MONGO_ENABLED: 'true', MONGO_SERVICE_URI: server.uriFor('concurrency_tests_' + Date.now()) };
});

describeConcurrency('Redis', async (context) => {
    const server = await RedisTestServer.require(context);
    return { REDIS_ENABLED: 'true', REDIS_SERVICE_URI: server.uri, REDIS_KEY_PREFIX: 'concurrency_tests_' + Date.now() + ':' };
});

describe('Reliability: session ids (issue 8, point 6)', function () {
    this.timeout(120000);

    it('1,000,000 generated ids are 32 lowercase hex characters and all different', () => {
        const count = 1000000;
        const ids = new Set<string>();
        for (let index = 0; index < count; index++) {
            const id = SessionIdGenerator.next();
            if (!/^[0-9a-f]{32}$/.test(id)) expect.fail('malformed id at ' + index);
            ids.add(id);
        }
        expect(ids.size).to.equal(count);
    });
});
