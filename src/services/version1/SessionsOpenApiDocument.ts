import { SessionsCommand } from '../../logic/SessionsCommand';
import { SessionsCommandRefusal, SessionsTimeoutSetting } from '../../logic/SessionsCommandContract';
import { SessionsApplicationKeyScope } from '../SessionsApplicationKeyScope';
import { SessionsOpenApiErrors, SessionsOpenApiKeys } from './SessionsOpenApiErrors';
import { SessionsOpenApiSchemas } from './SessionsOpenApiSchemas';

type Json = Record<string, unknown>;

/** How each timeout a command applies is set, and what it does. */
const TIMEOUT_TEXT: Readonly<Record<SessionsTimeoutSetting, string>> = {
    idle_timeout: 'idle_timeout (IDLE_TIMEOUT, default 24 h): a session expires that long after its last recorded activity',
    absolute_timeout: 'absolute_timeout (ABSOLUTE_TIMEOUT, default 0: off): a session expires that long after it opened, however active',
    touch_interval: 'touch_interval (TOUCH_INTERVAL, default 60 s): validate_session records activity at most this often'
};

const NO_KEYS: SessionsOpenApiKeys = { fullKey: false, applicationKey: false };

/**
 * The OpenAPI 3 description of the commandable HTTP API, built from each command's schema and
 * contract so it cannot drift from what the service validates (docs/http.md#openapi-document).
 */
export class SessionsOpenApiDocument {
    /** The schemes of the full key, and of the application key. */
    public static readonly FullKeySchemes = ['apiKey', 'bearer'];
    public static readonly ApplicationKeySchemes = ['appApiKey', 'appBearer'];

    /**
     * With keys on, every command declares the key schemes (Swagger UI's "Authorize") and its
     * 401; with the application key, the commands it may call declare its schemes too, and
     * the others their 403.
     */
    public static create(baseRoute: string, commands: SessionsCommand[], keys: SessionsOpenApiKeys = NO_KEYS): Json {
        const paths: Json = {};
        const refusals: SessionsCommandRefusal[] = [];
        for (const command of commands) {
            const operationRefusals = SessionsOpenApiDocument.refusals(command, keys);
            refusals.push(...operationRefusals);
            paths['/' + baseRoute + '/' + command.getName()] = { post: SessionsOpenApiDocument.operation(baseRoute, command, operationRefusals, keys) };
        }
        return {
            openapi: '3.0.3',
            info: {
                title: 'service-sessions', version: '1',
                description: 'User sessions microservice, commandable HTTP API v1: every command is a POST with its arguments '
                    + 'as a JSON object; a null result is 204 with no body. Before reaching a command, a request may also get '
                    + '400 BAD_REQUEST (not valid HTTP) or 431 HEADERS_TOO_LARGE; an unknown command is 404 RESOURCE_NOT_FOUND, '
                    + 'another method 405 METHOD_NOT_ALLOWED.'
            },
            ...(keys.fullKey ? { security: SessionsOpenApiDocument.requirements(SessionsOpenApiDocument.FullKeySchemes) } : {}),
            paths,
            components: {
                ...(keys.fullKey ? { securitySchemes: SessionsOpenApiDocument.securitySchemes(keys) } : {}),
                schemas: SessionsOpenApiSchemas.components(SessionsOpenApiErrors.codes(refusals))
            }
        };
    }

    private static operation(baseRoute: string, command: SessionsCommand, refusals: SessionsCommandRefusal[], keys: SessionsOpenApiKeys): Json {
        const name = command.getName();
        const contract = command.getContract();
        const reply = SessionsOpenApiSchemas.replyOf(contract.reply);
        const responses: Json = {};
        if (reply != null) {
            const examples: Json = {};
            for (const example of contract.examples) {
                if (example.reply != null) examples[SessionsOpenApiDocument.key(example.summary)] = { summary: example.summary, value: example.reply };
            }
            responses['200'] = {
                description: 'The result: ' + reply,
                content: { 'application/json': { schema: SessionsOpenApiSchemas.ref(reply), examples } }
            };
        }
        if (reply == null || contract.nullReply != null) {
            responses['204'] = { description: 'No result, no body' + (contract.nullReply != null ? ': ' + contract.nullReply : '') };
        }
        Object.assign(responses, SessionsOpenApiErrors.responses(refusals));
        const requestExamples: Json = {};
        for (const example of contract.examples) {
            requestExamples[SessionsOpenApiDocument.key(example.summary)] = { summary: example.summary, value: example.request };
        }
        const applicationKeyMay = keys.applicationKey && SessionsOpenApiDocument.applicationKeyMayCall(name);
        return {
            tags: [baseRoute],
            operationId: name,
            summary: contract.summary,
            description: SessionsOpenApiDocument.description(command, keys),
            parameters: [{
                name: 'correlation_id', in: 'query', required: false, schema: { type: 'string' },
                description: 'Traces the call through logs (a correlation_id header does the same)'
            }],
            requestBody: {
                content: {
                    'application/json': { schema: SessionsOpenApiSchemas.argumentsOf(command.getSchema()), examples: requestExamples }
                }
            },
            responses,
            ...(applicationKeyMay
                ? { security: SessionsOpenApiDocument.requirements([...SessionsOpenApiDocument.FullKeySchemes, ...SessionsOpenApiDocument.ApplicationKeySchemes]) }
                : {})
        };
    }

    /** The contract's description, then the timeouts, the conflicts and the key it needs. */
    private static description(command: SessionsCommand, keys: SessionsOpenApiKeys): string {
        const contract = command.getContract();
        const parts = [contract.description];
        if (contract.timeouts != null && contract.timeouts.length > 0) {
            parts.push('Timeouts: ' + contract.timeouts.map(timeout => TIMEOUT_TEXT[timeout]).join('; ') + '.');
        }
        for (const refusal of contract.refusals ?? []) {
            if (refusal.status === 409) parts.push('409 ' + refusal.code + ': ' + refusal.when);
        }
        if (keys.applicationKey) {
            const name = command.getName();
            parts.push(SessionsApplicationKeyScope.Commands.includes(name)
                ? 'Key: the full key or the application key.'
                : name === SessionsApplicationKeyScope.OneUserListing
                    ? 'Key: the full key, or the application key with filter.user_id (one user\'s sessions).'
                    : 'Key: the full key only (the application key gets 403 FORBIDDEN_SCOPE).');
        } else if (keys.fullKey) {
            parts.push('Key: the API key.');
        }
        return parts.join('\n\n');
    }

    /** The common refusals, the key's, and the command's own. */
    private static refusals(command: SessionsCommand, keys: SessionsOpenApiKeys): SessionsCommandRefusal[] {
        const name = command.getName();
        const refusals = [...SessionsOpenApiErrors.Common, ...(command.getContract().refusals ?? [])];
        if (keys.fullKey) refusals.push(SessionsOpenApiErrors.Unauthorized);
        if (keys.applicationKey && !SessionsApplicationKeyScope.Commands.includes(name)) {
            refusals.push(SessionsOpenApiErrors.forbidden(name, name === SessionsApplicationKeyScope.OneUserListing));
        }
        return refusals;
    }

    private static applicationKeyMayCall(command: string): boolean {
        return SessionsApplicationKeyScope.Commands.includes(command) || command === SessionsApplicationKeyScope.OneUserListing;
    }

    private static securitySchemes(keys: SessionsOpenApiKeys): Json {
        const applicationCommands = [...SessionsApplicationKeyScope.Commands].join(', ')
            + ', and ' + SessionsApplicationKeyScope.OneUserListing + ' with filter.user_id';
        return {
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The full key (HTTP_API_KEY): every command' },
            bearer: { type: 'http', scheme: 'bearer', description: 'The full key (HTTP_API_KEY) as Authorization: Bearer <key>' },
            ...(keys.applicationKey
                ? {
                    appApiKey: {
                        type: 'apiKey', in: 'header', name: 'x-api-key',
                        description: 'The application key (APP_API_KEY): ' + applicationCommands
                    },
                    appBearer: {
                        type: 'http', scheme: 'bearer',
                        description: 'The application key (APP_API_KEY) as Authorization: Bearer <key>: ' + applicationCommands
                    }
                }
                : {})
        };
    }

    /** Any one of the schemes will do. */
    private static requirements(schemes: readonly string[]): Json[] {
        return schemes.map(scheme => ({ [scheme]: [] }));
    }

    /** An example's key in its map: its summary as a name. */
    private static key(summary: string): string {
        return summary.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
    }
}
