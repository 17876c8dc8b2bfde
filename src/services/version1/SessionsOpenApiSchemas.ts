import { DataPage, IValidationRule, ObjectSchema, PropertySchema, TypeCode } from 'pip-services3-commons-nodex';

import { SessionCloseReasonV1 } from '../../data/version1/SessionCloseReasonV1';
import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionV1Schema } from '../../data/version1/SessionV1Schema';
import { SessionV1Wire } from '../../data/version1/SessionV1Wire';
import { NonEmptyStringRule } from '../../logic/NonEmptyStringRule';
import { SessionsReplyKind } from '../../logic/SessionsCommandContract';
import { SessionsFilterRule } from '../../logic/SessionsFilterRule';
import { SessionsFilter } from '../../persistence/SessionsFilter';

type Json = Record<string, unknown>;

/** What each field of a session means, for a caller. */
const SESSION_FIELDS: Readonly<Record<string, string>> = {
    id: 'The session id: 32 lowercase hexadecimal characters (128 random bits)',
    user_id: 'The user the session belongs to',
    user_name: 'The user\'s name as given to open_session',
    active: 'Whether the session is open (false once closed, by a call or by expiry)',
    open_time: 'When the session was opened',
    close_time: 'When the session was closed; null while it is active',
    close_reason: 'Why the session was closed: logout (close_session), idle (idle_timeout), absolute (absolute_timeout), '
        + 'revoked (close_user_sessions), evicted (max_sessions_per_user); null while it is active, and for sessions closed '
        + 'before this field existed',
    request_time: 'The last recorded activity',
    expires_at: 'When an active session expires unless used again: the earlier of request_time + idle_timeout and '
        + 'open_time + absolute_timeout; null when both are 0',
    address: 'The client\'s address as given to open_session',
    client: 'The client application as given to open_session',
    user: 'The cached user object: any JSON value, opaque to the service (left out in get_sessions pages)',
    data: 'The session data: any JSON value, opaque to the service (left out in get_sessions pages)'
};

/** What a filter field of get_sessions takes, by its kind in SessionsFilter. */
const FILTER_KINDS: Readonly<Record<'string' | 'boolean' | 'date', Json>> = {
    string: { type: 'string', nullable: true },
    boolean: { type: 'boolean', nullable: true, description: 'true or false (the strings "true" and "false" are read too)' },
    date: { type: 'string', format: 'date-time', nullable: true }
};

/**
 * The schemas of the OpenAPI document: the session, the page and the other replies, and
 * the arguments of each command, converted from the schemas the service validates with
 * (SessionV1Schema, the commands' ObjectSchemas) and from what SessionV1Wire sends.
 */
export class SessionsOpenApiSchemas {
    public static readonly Session = 'SessionV1';
    public static readonly Page = 'SessionsPageV1';
    public static readonly ClosedCount = 'ClosedSessionsV1';
    public static readonly Error = 'Error';
    public static readonly ErrorCode = 'ErrorCode';

    public static ref(name: string): Json {
        return { $ref: '#/components/schemas/' + name };
    }

    /** The schema name of a reply kind; null for a command that answers nothing. */
    public static replyOf(kind: SessionsReplyKind): string | null {
        switch (kind) {
            case 'session': return SessionsOpenApiSchemas.Session;
            case 'page': return SessionsOpenApiSchemas.Page;
            case 'closed_count': return SessionsOpenApiSchemas.ClosedCount;
            case 'none': return null;
        }
    }

    /** components.schemas, with every error code any command may answer (ErrorCode). */
    public static components(errorCodes: readonly string[]): Json {
        const ref = SessionsOpenApiSchemas.ref;
        return {
            [SessionsOpenApiSchemas.Session]: SessionsOpenApiSchemas.session(),
            [SessionsOpenApiSchemas.Page]: {
                type: 'object',
                description: 'A page of sessions, newest request_time first; its sessions carry no user and data',
                required: ['data', 'total'],
                properties: {
                    data: { type: 'array', items: ref(SessionsOpenApiSchemas.Session) },
                    total: { type: 'integer', nullable: true, description: 'The count of all matches with paging.total: true, else null' }
                }
            },
            [SessionsOpenApiSchemas.ClosedCount]: {
                type: 'object',
                required: ['closed'],
                properties: { closed: { type: 'integer', minimum: 0, description: 'How many sessions were closed' } }
            },
            [SessionsOpenApiSchemas.ErrorCode]: {
                type: 'string',
                enum: [...errorCodes],
                description: 'The codes the commands answer with; a 500 may also carry the code of the failing component'
            },
            [SessionsOpenApiSchemas.Error]: {
                type: 'object',
                description: 'Every error reply: never a stack trace, cause or file path',
                required: ['category', 'status', 'code', 'message'],
                properties: {
                    category: { type: 'string', description: 'The kind of error (BadRequest, Unauthorized, Conflict, ...)' },
                    status: { type: 'integer', description: 'The HTTP status' },
                    code: { type: 'string', description: 'What went wrong, for programs: one of ErrorCode, or a failing component\'s own code in a 500' },
                    message: { type: 'string', description: 'What went wrong, for people' },
                    details: {
                        type: 'object', additionalProperties: { type: 'string' },
                        description: 'Particulars as strings: field (the first bad argument), command, max_sessions_per_user, ...'
                    },
                    correlation_id: { type: 'string', description: 'The correlation_id of the request, when it gave one' }
                }
            }
        };
    }

    /**
     * SessionV1 as every reply carries it: its fields and types from SessionV1Schema; which
     * are always sent (required) and which may be null from what SessionV1Wire sends for a
     * session with nothing optional set.
     */
    public static session(): Json {
        const bare = new SessionV1('0', '0');
        const sent = SessionV1Wire.session(bare) as unknown as Json;
        const listed = SessionV1Wire.page(new DataPage<SessionV1>([bare])).data[0] as unknown as Json;
        const properties: Json = {};
        const required: string[] = [];
        for (const property of new SessionV1Schema().getProperties() ?? []) {
            const name = property.getName();
            const schema: Json = { ...SessionsOpenApiSchemas.valueType(property.getType()) };
            if (sent[name] === null && schema.type != null) schema.nullable = true;
            if (name === 'close_reason') schema.enum = [...SessionCloseReasonV1.Values, null];
            const description = SESSION_FIELDS[name];
            if (description != null) schema.description = description;
            properties[name] = schema;
            if (Object.prototype.hasOwnProperty.call(listed, name)) required.push(name);
        }
        return { type: 'object', description: 'A user session', required, properties };
    }

    /** A command's arguments: its ObjectSchema, with null accepted for every optional argument as the service does. */
    public static argumentsOf(schema: ObjectSchema): Json {
        const properties: Json = {};
        const required: string[] = [];
        for (const property of schema.getProperties() ?? []) {
            const value = SessionsOpenApiSchemas.argument(property);
            if (property.isRequired()) required.push(property.getName());
            else if (value.type != null) value.nullable = true;
            properties[property.getName()] = value;
        }
        const result: Json = { type: 'object', properties };
        if (required.length > 0) result.required = required;
        return result;
    }

    private static argument(property: PropertySchema): Json {
        const rules: IValidationRule[] = property.getRules() ?? [];
        if (rules.some(rule => rule instanceof SessionsFilterRule)) return SessionsOpenApiSchemas.filter();
        const type: unknown = property.getType();
        const result = type instanceof ObjectSchema ? SessionsOpenApiSchemas.argumentsOf(type) : SessionsOpenApiSchemas.valueType(type);
        if (rules.some(rule => rule instanceof NonEmptyStringRule)) result.minLength = 1;
        return result;
    }

    /** get_sessions' filter: the fields SessionsFilter reads, each of its kind. */
    private static filter(): Json {
        const properties: Json = {};
        for (const field of SessionsFilter.Fields) {
            const kind = SessionsFilter.kindOf(field);
            if (kind != null) properties[field] = { ...FILTER_KINDS[kind] };
        }
        return { type: 'object', properties, description: 'Every field is optional; null and "" set no condition' };
    }

    private static valueType(type: unknown): Json {
        switch (type) {
            case TypeCode.String: return { type: 'string' };
            case TypeCode.Boolean: return { type: 'boolean' };
            case TypeCode.Integer: case TypeCode.Long: return { type: 'integer' };
            case TypeCode.Float: case TypeCode.Double: return { type: 'number' };
            case TypeCode.DateTime: return { type: 'string', format: 'date-time' };
            default: return { description: 'any JSON value' };
        }
    }
}
