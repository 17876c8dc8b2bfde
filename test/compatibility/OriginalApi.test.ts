import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import { AnyValueMap, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsCommandableHttpClientV1 } from '../../src/clients/version1/SessionsCommandableHttpClientV1';
import { SessionsDirectClientV1 } from '../../src/clients/version1/SessionsDirectClientV1';
import { SessionsLambdaFunction } from '../../src/container/SessionsLambdaFunction';
import { SessionsController } from '../../src/logic/SessionsController';
import { ISessionsPersistence } from '../../src/persistence/ISessionsPersistence';
import { SessionsFilePersistence } from '../../src/persistence/file/SessionsFilePersistence';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionsMongoDbPersistence } from '../../src/persistence/mongodb/SessionsMongoDbPersistence';
import { SessionsCommandableHttpServiceV1 } from '../../src/services/version1/SessionsCommandableHttpServiceV1';
import { SessionsGrpcConverterV1 } from '../../src/services/version1/SessionsGrpcConverterV1';
import { MongoTestServer } from '../fixtures/MongoTestServer';
import { Commons, SecondCommons } from '../fixtures/SecondCommons';
import { freePort } from '../fixtures/TestService';
import { TEST_AUDIT_KEY } from '../fixtures/TestAuditKey';

/**
 * The original's public class API (service-sessions-node 1.1.1, client-sessions-node
 * 1.1.3), used the way its own tests and README use it: components built and wired by
 * hand, with references, filters and paging of another copy of the toolkit than ours.
 */

const OPTIONAL_FIELDS = ['user_name', 'address', 'client', 'close_time', 'close_reason', 'expires_at', 'user', 'data'];

/** The persistence through the original's ISessionsPersistence calls only. */
async function originalPersistenceCalls(persistence: ISessionsPersistence, commons: Commons): Promise<void> {
    // Two sessions made without ids: the constructor gives each one.
    const first = new SessionV1(null, '1', 'User 1');
    const second = new SessionV1(null, '2', 'User 2');
    expect(first.id).to.match(/^[0-9a-f]{32}$/);
    expect(second.id).to.not.equal(first.id);

    const created1 = await persistence.create(null, first);
    const created2 = await persistence.create(null, second);
    expect(created1.id).to.equal(first.id);
    expect(created2.user_id).to.equal('2');
    // The toolkit's create() fills in a missing id too.
    const idless = await persistence.create(null, { ...new SessionV1(null, '3'), id: null as unknown as string });
    expect(idless.id).to.be.a('string').and.not.equal('');

    const updated = await persistence.updatePartially(null, created1.id, AnyValueMap.fromTuples('data', '123'));
    expect(updated!.data).to.equal('123');
    const replaced = await persistence.update(null, { ...updated!, user_name: 'Renamed' });
    expect(replaced!.user_name).to.equal('Renamed');

    const page = await persistence.getPageByFilter(null,
        commons.FilterParams.fromTuples('user_id', '1') as never, new commons.PagingParams() as never);
    expect(page.data.map(item => item.id)).to.deep.equal([created1.id]);

    // The original's closeExpired(correlationId, requestTime) with a stale session present.
    await persistence.updatePartially(null, created2.id, AnyValueMap.fromTuples('request_time', new Date(Date.now() - 3600000)));
    await persistence.closeExpired('', new Date(Date.now() - 60000));
    const expired = await persistence.getOneById(null, created2.id);
    expect(expired!.active).to.equal(false);
    expect(expired!.close_time).to.be.instanceOf(Date);
    expect((await persistence.getOneById(null, created1.id))!.active).to.equal(true);

    expect((await persistence.deleteById(null, created1.id))!.id).to.equal(created1.id);
    expect(await persistence.getOneById(null, created1.id)).to.equal(null);
}

describe("Compatibility with the original's class API", function () {
    let second: SecondCommons;
    let commons: Commons;

    before(() => {
        second = new SecondCommons();
        commons = second.commons;
    });

    after(() => {
        second.remove();
    });

    /** References of the other copy of the toolkit, as an application holding its own copy builds them. */
    function references(persistence: unknown, controller: unknown, ...more: unknown[]): never {
        return commons.References.fromTuples(
            new commons.Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence,
            new commons.Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller,
            ...more) as never;
    }

    it('SessionV1 takes the original constructor arguments and fills in a missing id', () => {
        const session = new SessionV1(null, '1', 'User 1', 'localhost', 'test');
        expect(session.id).to.match(/^[0-9a-f]{32}$/);
        expect(session).to.include({ user_id: '1', user_name: 'User 1', address: 'localhost', client: 'test', active: true });
        expect(session.open_time).to.be.instanceOf(Date);
        expect(new SessionV1('given', '1').id).to.equal('given');
    });

    it('the memory store answers the original calls', async () => {
        const persistence = new SessionsMemoryPersistence();
        await persistence.open(null);
        await originalPersistenceCalls(persistence, commons);
        await persistence.close(null);
    });

    it('the file store answers the original calls, and loads what it wrote', async () => {
        const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-compat-'));
        try {
            const file = path.join(directory, 'sessions.json');
            const persistence = new SessionsFilePersistence(file);
            await persistence.open(null);
            await persistence.clear(null);
            await originalPersistenceCalls(persistence, commons);
            await persistence.close(null);
            const reopened = new SessionsFilePersistence(file);
            await reopened.open(null);
            expect(reopened.size).to.equal(2);
            await reopened.close(null);
        } finally {
            await fs.rm(directory, { recursive: true, force: true });
        }
    });

    it('the MongoDB store answers the original calls', async function () {
        const server = await MongoTestServer.require(this);
        const persistence = new SessionsMongoDbPersistence();
        persistence.configure(ConfigParams.fromTuples('connection.uri', server.uriFor('sessions_compat'), 'collection', 'sessions'));
        await persistence.open('compat');
        await persistence.clear(null);
        try {
            await originalPersistenceCalls(persistence, commons);
        } finally {
            await persistence.close('compat');
        }
    });

    it("the controller, wired with the other copy's references, runs the original's calls", async () => {
        const persistence = new SessionsMemoryPersistence();
        const controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
        controller.setReferences(references(persistence, controller));
        await persistence.open(null);
        const opened = await controller.openSession(null, '1', 'User 1', 'localhost', 'test', null, 'abc');
        await controller.storeSessionData(null, opened.id, 'xyz');
        await controller.updateSessionUser(null, opened.id, 'xyz');
        const found = await controller.getSessionById(null, opened.id);
        expect(found).to.include({ address: 'localhost', client: 'test', data: 'xyz', user: 'xyz' });
        const page = await controller.getSessions(null, commons.FilterParams.fromTuples('user_id', '1', 'active', true) as never, null);
        expect(page.data).to.have.length(1);
        await controller.closeSession(null, opened.id);
        await controller.closeExpiredSessions(null);
        expect((await controller.getSessionById(null, opened.id))!.active).to.equal(false);
    });

    it('the direct and HTTP clients work in process against the HTTP service, all wired by the other copy', async () => {
        const port = await freePort();
        const config = ConfigParams.fromTuples('connection.protocol', 'http', 'connection.host', 'localhost', 'connection.port', port);
        const persistence = new SessionsMemoryPersistence();
        const controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
        const service = new SessionsCommandableHttpServiceV1();
        service.configure(config);
        const refs = references(persistence, controller,
            new commons.Descriptor('service-sessions', 'service', 'commandable-http', 'default', '1.0'), service);
        controller.setReferences(refs);
        service.setReferences(refs);
        await persistence.open(null);
        await service.open('compat');

        const direct = new SessionsDirectClientV1();
        direct.setReferences(refs);
        const http = new SessionsCommandableHttpClientV1();
        http.setReferences(refs);
        http.configure(config);
        await direct.open(null);
        await http.open(null);
        try {
            for (const client of [direct, http]) {
                const opened = await client.openSession(null, '1', 'User 1', 'localhost', 'test', null, 'abc');
                expect(opened).to.include({ address: 'localhost', client: 'test', data: 'abc' });
                await client.storeSessionData(null, opened.id, 'xyz');
                await client.updateSessionUser(null, opened.id, 'xyz');
                expect(await client.getSessionById(null, opened.id)).to.include({ data: 'xyz', user: 'xyz' });
                const page = await client.getSessions(null, commons.FilterParams.fromTuples('user_id', '1', 'active', true) as never,
                    new commons.PagingParams(0, 10, true) as never);
                expect(page.data.map(item => item.id)).to.include(opened.id);
                await client.closeSession(null, opened.id);
                await client.closeExpiredSessions(null);
                const afterClose = await client.getSessions(null, commons.FilterParams.fromTuples('user_id', '1', 'active', true) as never, null);
                expect(afterClose.data.map(item => item.id)).to.not.include(opened.id);
                expect((await client.deleteSessionById(null, opened.id))!.id).to.equal(opened.id);
            }

            // Over the wire every optional field is sent, null when unset, as the original sent them.
            const reply = await fetch('http://localhost:' + port + '/v1/sessions/open_session', {
                method: 'POST', body: JSON.stringify({ user_id: '2' })
            });
            const body = await reply.json() as Record<string, unknown>;
            // expires_at is set: the idle timeout is on by default.
            for (const field of OPTIONAL_FIELDS.filter(name => name !== 'expires_at')) expect(body, field).to.have.property(field, null);
            expect(body.expires_at).to.be.a('string');
            const pageReply = await fetch('http://localhost:' + port + '/v1/sessions/get_sessions', {
                method: 'POST', body: JSON.stringify({ filter: { user_id: '2' } })
            });
            const listed = (await pageReply.json() as { data: Array<Record<string, unknown>> }).data[0];
            // Listed sessions carry no user and data, as the original's pages.
            for (const field of ['user_name', 'address', 'client', 'close_time', 'close_reason']) expect(listed, field).to.have.property(field, null);
            expect(listed).to.not.have.property('user');
            expect(listed).to.not.have.property('data');
        } finally {
            await http.close(null);
            await direct.close(null);
            await service.close('compat');
        }
    });

    it("SessionsGrpcConverterV1 has the original's public helpers", () => {
        expect(SessionsGrpcConverterV1.toJson('abc')).to.equal('"abc"');
        expect(SessionsGrpcConverterV1.toJson(null)).to.equal(null);
        expect(SessionsGrpcConverterV1.fromJson('{"a":1}')).to.deep.equal({ a: 1 });
        expect(SessionsGrpcConverterV1.fromJson('')).to.equal(null);
        const map: Record<string, unknown> = {};
        SessionsGrpcConverterV1.setMap(map, [['user_id', '1']]);
        expect(SessionsGrpcConverterV1.getMap(map)).to.deep.equal({ user_id: '1' });
        const paging = SessionsGrpcConverterV1.toPagingParams(SessionsGrpcConverterV1.fromPagingParams(new commons.PagingParams(1, 2, true) as never));
        expect(paging).to.include({ skip: 1, take: 2, total: true });
        const session = new SessionV1('s1', 'u1', 'Ann');
        session.data = { n: 1 };
        const back = SessionsGrpcConverterV1.toSession(SessionsGrpcConverterV1.fromSession(session))!;
        expect(back).to.include({ id: 's1', user_id: 'u1', user_name: 'Ann', active: true });
        expect(back.data).to.deep.equal({ n: 1 });
        expect(back.open_time.getTime()).to.equal(session.open_time.getTime());
        const page = SessionsGrpcConverterV1.toSessionPage(SessionsGrpcConverterV1.fromSessionPage({ data: [session], total: 1 }))!;
        expect(page.total).to.equal(1);
        expect(page.data[0].id).to.equal('s1');
        const error = SessionsGrpcConverterV1.toError(SessionsGrpcConverterV1.fromError(
            new commons.NotFoundException('c1', 'NO_SESSION', 'none')))!;
        expect(error).to.include({ code: 'NO_SESSION', category: 'NotFound', status: 404, correlation_id: 'c1' });
        expect(SessionsGrpcConverterV1.fromError(new Error('x'))!.stack_trace).to.equal('');
    });

    it('the Lambda function serves act() once configured and opened, with the given config', async () => {
        const lambda = new SessionsLambdaFunction({ LOG_LEVEL: 'warn' });
        lambda.configure(ConfigParams.fromTuples(
            'logger.descriptor', 'pip-services:logger:console:default:1.0',
            'logger.level', 'warn',
            'persistence.descriptor', 'service-sessions:persistence:memory:default:1.0',
            'controller.descriptor', 'service-sessions:controller:default:default:1.0', 'controller.options.audit_key', TEST_AUDIT_KEY));
        await lambda.open(null as unknown as string);
        try {
            const session = await lambda.act({ role: 'sessions', cmd: 'open_session', user_id: '1', user_name: 'User 1', data: 'abc' }) as Record<string, unknown>;
            expect(session).to.include({ user_id: '1', user_name: 'User 1', data: 'abc', address: null, client: null });
            const id = session.id as string;
            await lambda.act({ role: 'sessions', cmd: 'store_session_data', session_id: id, data: 'xyz' });
            expect(await lambda.act({ cmd: 'get_session_by_id', session_id: id })).to.include({ data: 'xyz' });
            // The handler serves the same container.
            const page = await lambda.getHandler()({ cmd: 'get_sessions', filter: { user_id: '1' } }) as { data: unknown[] };
            expect(page.data).to.have.length(1);
            const error = await lambda.act({ cmd: 'no_such_command' }).then(() => null, (err: { code: string }) => err);
            expect(error?.code).to.equal('NO_ACTION');
        } finally {
            await lambda.close(null as unknown as string);
        }
    });

    it('the Lambda function opens itself with the configure() config on its first event', async () => {
        const lambda = new SessionsLambdaFunction({ LOG_LEVEL: 'warn' });
        lambda.configure(ConfigParams.fromTuples(
            'persistence.descriptor', 'service-sessions:persistence:memory:default:1.0',
            'controller.descriptor', 'service-sessions:controller:default:default:1.0', 'controller.options.audit_key', TEST_AUDIT_KEY));
        try {
            const session = await lambda.act({ cmd: 'open_session', user_id: '7' }) as Record<string, unknown>;
            expect(session.user_id).to.equal('7');
            expect(lambda.isOpen()).to.equal(true);
        } finally {
            await lambda.close(null as unknown as string);
        }
    });
});
