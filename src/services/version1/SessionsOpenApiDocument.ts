import { ObjectSchema, PropertySchema, TypeCode } from 'pip-services3-commons-nodex';

import { SessionsCommand } from '../../logic/SessionsCommand';
import { SessionsApplicationKeyScope } from '../SessionsApplicationKeyScope';

type Json = Record<string, unknown>;

/** The commands that refuse a closed session with 409. */
const WRITES_TO_OPEN_SESSIONS = new Set(['store_session_data', 'update_session_user']);

/**
 * The OpenAPI 3 description of the commandable HTTP API, built from the command schemas
 * so it cannot drift from what the service validates. The toolkit's generator marks
 * every argument required (it tests a method reference instead of calling it).
 */
export class SessionsOpenApiDocument {
    /**
     * With requireApiKey, every command declares the API key schemes (Swagger UI's "Authorize"),
     * and those out of the application key's scope its 403.
     */
    public static create(baseRoute: string, commands: SessionsCommand[], requireApiKey = false): Json {
        const paths: Json = {};
        for (const command of commands) {
            paths['/' + baseRoute + '/' + command.getName()] = {
                post: {
                    tags: [baseRoute],
                    operationId: command.getName(),
                    parameters: [{
                        name: 'correlation_id', in: 'query', required: false, schema: { type: 'string' },
                        description: 'Traces the call through logs'
                    }],
                    requestBody: {
                        content: { 'application/json': { schema: SessionsOpenApiDocument.objectSchema(command.getSchema()) } }
                    },
                    responses: {
                        200: { description: 'The result', content: { 'application/json': { schema: { type: 'object' } } } },
                        204: { description: 'No result (unknown session id, or a command without a result)' },
                        400: { description: 'Invalid arguments or body', content: SessionsOpenApiDocument.errorContent() },
                        ...(requireApiKey
                            ? { 401: { description: 'Missing or wrong API key', content: SessionsOpenApiDocument.errorContent() } }
                            : {}),
                        ...(requireApiKey && !SessionsApplicationKeyScope.Commands.includes(command.getName())
                            ? { 403: { description: SessionsOpenApiDocument.scopeRefusal(command.getName()), content: SessionsOpenApiDocument.errorContent() } }
                            : {}),
                        ...(WRITES_TO_OPEN_SESSIONS.has(command.getName())
                            ? { 409: { description: 'The session is closed (SESSION_CLOSED)', content: SessionsOpenApiDocument.errorContent() } }
                            : {}),
                        413: { description: 'Request body too large', content: SessionsOpenApiDocument.errorContent() },
                        500: { description: 'Internal error', content: SessionsOpenApiDocument.errorContent() },
                        503: { description: 'The store is unavailable; try again later', content: SessionsOpenApiDocument.errorContent() }
                    }
                }
            };
        }
        const securitySchemes: Json = {
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
            bearer: { type: 'http', scheme: 'bearer' }
        };
        return {
            openapi: '3.0.3',
            info: { title: 'service-sessions', version: '1', description: 'User sessions microservice, commandable HTTP API v1' },
            ...(requireApiKey ? { security: [{ apiKey: [] }, { bearer: [] }] } : {}),
            paths,
            components: {
                ...(requireApiKey ? { securitySchemes } : {}),
                schemas: {
                    Error: {
                        type: 'object',
                        required: ['category', 'status', 'code', 'message'],
                        properties: {
                            category: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' },
                            message: { type: 'string' }, details: { type: 'object' }, correlation_id: { type: 'string' }
                        }
                    }
                }
            }
        };
    }

    private static scopeRefusal(command: string): string {
        return command === SessionsApplicationKeyScope.OneUserListing
            ? 'The application key without filter.user_id (FORBIDDEN_SCOPE): listing every user needs the full key'
            : 'The application key may not call this (FORBIDDEN_SCOPE): it needs the full key';
    }

    private static errorContent(): Json {
        return { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
    }

    private static objectSchema(schema: ObjectSchema): Json {
        const properties: Json = {};
        const required: string[] = [];
        for (const property of schema.getProperties() ?? []) {
            properties[property.getName()] = SessionsOpenApiDocument.propertyType(property);
            if (property.isRequired()) required.push(property.getName());
        }
        const result: Json = { type: 'object', properties };
        if (required.length > 0) result.required = required;
        return result;
    }

    private static propertyType(property: PropertySchema): Json {
        const type: unknown = property.getType();
        if (type instanceof ObjectSchema) return SessionsOpenApiDocument.objectSchema(type);
        switch (type) {
            case TypeCode.String: return { type: 'string' };
            case TypeCode.Boolean: return { type: 'boolean' };
            case TypeCode.Integer: case TypeCode.Long: return { type: 'integer' };
            case TypeCode.Float: case TypeCode.Double: return { type: 'number' };
            case TypeCode.DateTime: return { type: 'string', format: 'date-time' };
            default: return { type: 'object', description: 'any JSON value' };
        }
    }
}
