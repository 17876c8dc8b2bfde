import { expect } from 'chai';

import { SessionsApplicationKeyScope } from '../../../src/services/SessionsApplicationKeyScope';
import { HttpReply } from '../../fixtures/HttpReply';
import { OpenApiDocument, OpenApiReplies } from '../../fixtures/OpenApiReplies';
import { TestService } from '../../fixtures/TestService';

const KEY = 'openapi-full-key-0123456789';
const APP_KEY = 'openapi-app-key-0123456789';
const COMMANDS = [
    'close_expired_sessions', 'close_session', 'close_user_sessions', 'delete_session_by_id', 'get_session_by_id',
    'get_sessions', 'open_session', 'store_session_data', 'update_session_user', 'validate_session'
];
/** The commands that answer null (204) for an unknown session, and the one that always does. */
const NULL_REPLIES = ['close_expired_sessions', 'close_session', 'delete_session_by_id', 'get_session_by_id',
    'store_session_data', 'update_session_user', 'validate_session'];

interface SchemaValidation {
    valid: boolean;
    errors?: unknown;
}

/** The official OpenAPI 3.0 JSON Schema check (@seriousme/openapi-schema-validator, an ES module). */
async function validateDocument(document: OpenApiDocument): Promise<SchemaValidation> {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    return await new Validator().validate(document as unknown as Record<string, unknown>) as SchemaValidation;
}

function headers(key: string): RequestInit {
    return { headers: { 'Content-Type': 'application/json', 'x-api-key': key } };
}

describe('The OpenAPI document, by configuration', function () {
    const configurations: Array<[string, Record<string, string>]> = [
        ['no key', {}],
        ['the full key', { HTTP_API_KEY: KEY }],
        ['the full and the application key', { HTTP_API_KEY: KEY, APP_API_KEY: APP_KEY }]
    ];
    for (const [name, env] of configurations) {
        it('is a valid OpenAPI 3.0 document with ' + name + ', declaring exactly the answers of each command', async () => {
            const service = await TestService.start({ MEMORY_ENABLED: 'true', ...env });
            try {
                const document = (await OpenApiReplies.fetch(service.url)).document;
                const validation = await validateDocument(document);
                expect(validation.errors, JSON.stringify(validation.errors)).to.equal(undefined);
                expect(validation.valid).to.equal(true);

                const fullKey = env.HTTP_API_KEY != null;
                const appKey = env.APP_API_KEY != null;
                expect(Object.keys(document.components.securitySchemes ?? {}).sort()).to.deep.equal(
                    [...(fullKey ? ['apiKey', 'bearer'] : []), ...(appKey ? ['appApiKey', 'appBearer'] : [])].sort());
                for (const command of COMMANDS) {
                    const operation = document.paths['/v1/sessions/' + command].post;
                    expect(operation.summary, command).to.be.a('string').and.not.equal('');
                    expect(operation.description, command).to.be.a('string').and.have.length.above(40);
                    const statuses = Object.keys(operation.responses).sort();
                    expect(statuses.includes('200'), command + ' 200').to.equal(command !== 'close_expired_sessions');
                    expect(statuses.includes('204'), command + ' 204').to.equal(NULL_REPLIES.includes(command));
                    expect(statuses.includes('401'), command + ' 401').to.equal(fullKey);
                    expect(statuses.includes('403'), command + ' 403').to.equal(appKey && !SessionsApplicationKeyScope.Commands.includes(command));
                    expect(statuses.includes('409'), command + ' 409').to.equal(['open_session', 'store_session_data', 'update_session_user'].includes(command));
                    expect(statuses, command).to.include.members(['400', '408', '413', '415', '500', '503']);
                    expect(statuses, command).to.not.include.members(['404', '405']);
                    const requestExamples = operation.requestBody?.content['application/json'].examples ?? {};
                    expect(Object.keys(requestExamples), command + ' request examples').to.not.deep.equal([]);
                    if (command !== 'close_expired_sessions') {
                        expect(Object.keys(operation.responses['200'].content?.['application/json'].examples ?? {}), command + ' reply examples').to.not.deep.equal([]);
                    }
                    // The application key's schemes where it may call, by the scope's own list.
                    const mayUseAppKey = SessionsApplicationKeyScope.Commands.includes(command) || command === SessionsApplicationKeyScope.OneUserListing;
                    const requirement = (operation.security ?? document.security ?? []).map(entry => Object.keys(entry)[0]);
                    expect(requirement, command).to.deep.equal(fullKey
                        ? ['apiKey', 'bearer', ...(appKey && mayUseAppKey ? ['appApiKey', 'appBearer'] : [])]
                        : []);
                }
                const session = document.components.schemas.SessionV1 as { properties: Record<string, Record<string, unknown>> };
                expect(Object.keys(session.properties)).to.have.members(['id', 'user_id', 'user_name', 'active', 'open_time', 'close_time',
                    'close_reason', 'request_time', 'expires_at', 'address', 'client', 'user', 'data']);
                for (const time of ['open_time', 'close_time', 'request_time', 'expires_at']) expect(session.properties[time].format, time).to.equal('date-time');
                expect(session.properties.close_reason.enum).to.deep.equal(['logout', 'idle', 'absolute', 'revoked', 'evicted', null]);
                expect(session.properties.user).to.not.have.property('type');
                expect(session.properties.data).to.not.have.property('type');
                expect(document.paths['/v1/sessions/get_sessions'].post.responses['200'].content?.['application/json'].schema)
                    .to.deep.equal({ $ref: '#/components/schemas/SessionsPageV1' });
                expect(document.paths['/v1/sessions/close_user_sessions'].post.responses['200'].content?.['application/json'].schema)
                    .to.deep.equal({ $ref: '#/components/schemas/ClosedSessionsV1' });
                expect(document.components.schemas.ErrorCode.enum).to.include.members(['INVALID_DATA', 'SESSION_CLOSED', 'SESSION_LIMIT_REACHED', 'DATA_TOO_LARGE']);
                expect((document.components.schemas.ErrorCode.enum as string[]).includes('FORBIDDEN_SCOPE')).to.equal(appKey);
            } finally {
                await service.stop();
            }
        });
    }
});

describe('The OpenAPI document against real replies', function () {
    let service: TestService;
    let replies: OpenApiReplies;

    before(async () => {
        service = await TestService.start({
            MEMORY_ENABLED: 'true', HTTP_API_KEY: KEY, APP_API_KEY: APP_KEY, MAX_SESSIONS_PER_USER: '2', SESSION_LIMIT_POLICY: 'reject',
            MAX_DATA_SIZE: '4096', HTTP_REQUEST_MAX_SIZE: '65536'
        });
        replies = await OpenApiReplies.fetch(service.url);
    });

    after(async () => {
        await service?.stop();
    });

    /** Calls a command with a key and checks its reply against the document. */
    async function call(command: string, args: unknown, key = KEY, init: RequestInit = {}): Promise<HttpReply> {
        const reply = await service.call(command, args, { ...headers(key), ...init });
        replies.check(command, reply);
        return reply;
    }

    it('runs each example request through the service without a 400, and each example reply matches its schema', async () => {
        for (const command of COMMANDS) {
            const operation = replies.operation(command);
            const path = '/paths/' + ('/v1/sessions/' + command).replace(/\//g, '~1') + '/post';
            for (const [name, example] of Object.entries(operation.requestBody?.content['application/json'].examples ?? {})) {
                const reply = await call(command, example.value, KEY);
                expect(reply.status, command + ' ' + name + ': ' + reply.text).to.be.oneOf([200, 204]);
            }
            for (const [status, response] of Object.entries(operation.responses)) {
                for (const [name, example] of Object.entries(response.content?.['application/json'].examples ?? {})) {
                    const errors = replies.validate('#' + path + '/responses/' + status + '/content/application~1json/schema', example.value);
                    expect(errors, command + ' ' + status + ' example ' + name).to.deep.equal([]);
                }
            }
        }
    });

    it('declares every reply of every command, with its schema: results, 204s and errors', async () => {
        const opened = await call('open_session', { user_id: 'contract-1', user_name: 'Contract', data: { a: [1, 'b'] }, user: 'u' }, APP_KEY);
        expect(opened.status).to.equal(200);
        const id = opened.body.id as string;
        const other = (await call('open_session', { user_id: 'contract-1' }, APP_KEY)).body.id as string;
        expect((await call('open_session', { user_id: 'contract-1' })).body.code).to.equal('SESSION_LIMIT_REACHED');
        expect((await call('open_session', { user_id: 'contract-2', data: 'x'.repeat(5000) })).body.code).to.equal('DATA_TOO_LARGE');
        expect((await call('open_session', { user_id: 'contract-2', data: 'x'.repeat(70000) })).body.code).to.equal('PAYLOAD_TOO_LARGE');
        expect((await call('open_session', { user_id: '' })).body.code).to.equal('INVALID_DATA');
        expect((await call('open_session', '{not json')).body.code).to.equal('INVALID_JSON');
        expect((await call('open_session', { user_id: 'x' }, 'wrong-key-0123456789')).status).to.equal(401);
        expect((await call('open_session', { user_id: 'x' }, KEY, { headers: { 'x-api-key': KEY, 'content-encoding': 'gzip' } })).status).to.equal(415);

        for (const command of ['get_session_by_id', 'validate_session']) {
            expect((await call(command, { session_id: id }, APP_KEY)).status, command).to.equal(200);
            expect((await call(command, { session_id: 'no-such-session' }, APP_KEY)).status, command).to.equal(204);
            expect((await call(command, { session_id: 1 })).status, command).to.equal(400);
        }
        expect((await call('store_session_data', { session_id: id, data: { theme: 'light' } }, APP_KEY)).status).to.equal(200);
        expect((await call('store_session_data', { session_id: 'no-such-session', data: 1 })).status).to.equal(204);
        expect((await call('store_session_data', { session_id: id, data: 'x'.repeat(5000) })).body.code).to.equal('DATA_TOO_LARGE');
        expect((await call('update_session_user', { session_id: id, user: { roles: ['a'] } }, APP_KEY)).status).to.equal(200);
        expect((await call('update_session_user', { session_id: 'no-such-session', user: {} })).status).to.equal(204);

        const page = await call('get_sessions', { filter: { user_id: 'contract-1' } }, APP_KEY);
        expect([page.status, page.body.total, page.body.data.length]).to.deep.equal([200, null, 2]);
        const counted = await call('get_sessions', { filter: { user_id: 'contract-1', active: 'true' }, paging: { take: 1, total: true } });
        expect([counted.body.total, counted.body.data.length]).to.deep.equal([2, 1]);
        expect((await call('get_sessions', {}, APP_KEY)).body.code).to.equal('FORBIDDEN_SCOPE');
        expect((await call('get_sessions', { filter: { active: [] } })).body.code).to.equal('INVALID_DATA');

        const closed = await call('close_session', { session_id: id }, APP_KEY);
        expect([closed.status, closed.body.close_reason]).to.deep.equal([200, 'logout']);
        expect((await call('close_session', { session_id: 'no-such-session' })).status).to.equal(204);
        expect((await call('store_session_data', { session_id: id, data: 1 })).body.code).to.equal('SESSION_CLOSED');
        expect((await call('update_session_user', { session_id: id, user: 1 })).body.code).to.equal('SESSION_CLOSED');
        expect((await call('get_session_by_id', { session_id: id })).body.active).to.equal(false);

        expect((await call('close_user_sessions', { user_id: 'contract-1', except_session_id: 'none' }, APP_KEY)).body).to.deep.equal({ closed: 1 });
        expect((await call('close_user_sessions', {})).status).to.equal(400);
        expect((await call('get_session_by_id', { session_id: other })).body.close_reason).to.equal('revoked');

        expect((await call('close_expired_sessions', {})).status).to.equal(204);
        expect((await call('close_expired_sessions', '[]')).status).to.equal(400);
        expect((await call('close_expired_sessions', {}, APP_KEY)).body.code).to.equal('FORBIDDEN_SCOPE');

        expect((await call('delete_session_by_id', { session_id: id }, APP_KEY)).body.code).to.equal('FORBIDDEN_SCOPE');
        const deleted = await call('delete_session_by_id', { session_id: id });
        expect([deleted.status, deleted.body.id]).to.deep.equal([200, id]);
        expect((await call('delete_session_by_id', { session_id: id })).status).to.equal(204);

        // Every 200 and 204 the document declares was answered, and checked, at least once.
        for (const command of COMMANDS) {
            const declared = Object.keys(replies.operation(command).responses).filter(status => status.startsWith('2'));
            expect([...(replies.seen.get(command) ?? [])], command).to.include.members(declared);
        }
    });

    it('catches a reply that breaks the declared schema (the check can fail)', async () => {
        const opened = await service.call('open_session', { user_id: 'contract-3' }, headers(KEY));
        const broken = [
            { ...opened.body, close_reason: 'forgotten' },
            { ...opened.body, open_time: 'yesterday' },
            { ...opened.body, extra_field: 1 },
            { ...opened.body, id: undefined }
        ];
        for (const body of broken) {
            const pointer = '#/paths/~1v1~1sessions~1open_session/post/responses/200/content/application~1json/schema';
            expect(replies.validate(pointer, JSON.parse(JSON.stringify(body))), JSON.stringify(body)).to.not.deep.equal([]);
        }
        expect(replies.validate('#/paths/~1v1~1sessions~1store_session_data/post/responses/409/content/application~1json/schema',
            { category: 'Conflict', status: 409, code: 'SESSION_LIMIT_REACHED', message: 'm' })).to.not.deep.equal([]);
    });
});
