import { SessionsCommandRefusal } from '../../logic/SessionsCommandContract';
import { HttpErrorBody } from '../HttpErrorBody';
import { SessionsOpenApiSchemas } from './SessionsOpenApiSchemas';
import { SessionsErrorCatalogue, SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

type Json = Record<string, unknown>;

/** What the API key refusals need to know of the service's keys. */
export interface SessionsOpenApiKeys {
    /** The full key is on (auth.api_key, HTTP_API_KEY): every command may answer 401. */
    readonly fullKey: boolean;
    /** The application key is on too (auth.app_api_key, APP_API_KEY): commands out of its scope may answer 403. */
    readonly applicationKey: boolean;
}

/** The first line of each status's description. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
    400: 'Invalid arguments or body', 401: 'No valid API key', 403: 'Out of the application key\'s scope',
    408: 'The request took too long to arrive', 409: 'Conflict with the session\'s state', 413: 'Too large',
    415: 'Unsupported body encoding', 500: 'A fault of the service', 503: 'The store is unavailable; try again later'
};

/**
 * The refusals every command can answer over HTTP (the ones particular to a command are
 * in its contract), and the OpenAPI responses for them. Each response lists its codes
 * (the reply's code is one of them) and an example body made by HttpErrorBody as a real
 * reply's is.
 */
export class SessionsOpenApiErrors {
    public static readonly Common: readonly SessionsCommandRefusal[] = [
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.INVALID_DATA,
            'A missing, empty or wrong-typed argument (details.field names the first), user, data, filter or paging '
                + 'nested deeper than 64 levels, or a body that is JSON but not an object.',
            'Invalid arguments for get_session_by_id: session_id type must be string but found long'),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.INVALID_JSON,
            'The body is not JSON, or holds __proto__ or constructor.prototype keys.',
            'The request body is not valid JSON'),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.REQUEST_TIMEOUT,
            'The headers took longer than HTTP_HEADERS_TIMEOUT (10 s), or the request longer than HTTP_REQUEST_TIMEOUT '
                + '(30 s); the connection is closed.',
            'The request was not received in time'),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.PAYLOAD_TOO_LARGE,
            'The body is over HTTP_REQUEST_MAX_SIZE (1 MiB by default).',
            'Request body larger than 1048576 bytes (1 MiB, HTTP_REQUEST_MAX_SIZE)'),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.UNSUPPORTED_MEDIA_TYPE,
            'A compressed body (Content-Encoding other than identity).',
            'Content-Encoding gzip is not supported'),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.INTERNAL_ERROR,
            'A fault of the service; the details go to its log only. The code may be the failing component\'s '
                + '(CORRUPT_SESSION: the file store holds a damaged session).',
            ''),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.DATABASE_UNAVAILABLE,
            'The MongoDB or Redis store cannot reach its server.', ''),
        SessionsErrorCatalogue.refusal(
            SessionsErrorCode.STORE_NOT_WRITABLE,
            'The file store cannot make a write durable (a full or failing disk); reads still work.', '')
    ];

    public static readonly Unauthorized: SessionsCommandRefusal = SessionsErrorCatalogue.refusal(
        SessionsErrorCode.UNAUTHORIZED,
        'The API key is on and the request has no key, or not one of the service\'s (send it as an x-api-key header '
            + 'or as Authorization: Bearer <key>); answered before the body is read, with WWW-Authenticate: Bearer.',
        'A valid API key is required: send it as an x-api-key header or as Authorization: Bearer <key>');

    /** The 403 of a command out of the application key's scope; get_sessions' depends on its filter. */
    public static forbidden(command: string, oneUserOnly: boolean): SessionsCommandRefusal {
        return oneUserOnly
            ? SessionsErrorCatalogue.refusal(
                SessionsErrorCode.FORBIDDEN_SCOPE,
                'The application key without filter.user_id: listing every user\'s sessions needs the full key (details.command).',
                'The application key may call ' + command + ' only with a filter naming a user_id: use the full API key '
                    + 'to list every user\'s sessions')
            : SessionsErrorCatalogue.refusal(
                SessionsErrorCode.FORBIDDEN_SCOPE,
                'The application key may not call ' + command + ': it needs the full key (details.command).',
                'The application key may not call ' + command + ': use the full API key');
    }

    /** Every code the refusals answer with, once each, in order of status. */
    public static codes(refusals: readonly SessionsCommandRefusal[]): string[] {
        const sorted = [...refusals].sort((a, b) => a.status - b.status);
        return [...new Set(sorted.map(refusal => refusal.code))];
    }

    /** The responses for these refusals, one per status. */
    public static responses(refusals: readonly SessionsCommandRefusal[]): Json {
        const byStatus = new Map<number, SessionsCommandRefusal[]>();
        for (const refusal of refusals) byStatus.set(refusal.status, [...(byStatus.get(refusal.status) ?? []), refusal]);
        const responses: Json = {};
        for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
            responses[String(status)] = SessionsOpenApiErrors.response(status, byStatus.get(status) as SessionsCommandRefusal[]);
        }
        return responses;
    }

    private static response(status: number, refusals: SessionsCommandRefusal[]): Json {
        const description = (STATUS_TEXT[status] ?? 'Refused') + '. '
            + refusals.map(refusal => refusal.code + ': ' + refusal.when).join(' ');
        const examples: Json = {};
        for (const refusal of refusals) {
            examples[refusal.code] = {
                summary: refusal.code,
                value: HttpErrorBody.fromError({ category: '', status, code: refusal.code, message: refusal.message })
            };
        }
        // A 500 may carry another component's code, so only its shape is declared.
        const schema = status === 500
            ? SessionsOpenApiSchemas.ref(SessionsOpenApiSchemas.Error)
            : {
                allOf: [
                    SessionsOpenApiSchemas.ref(SessionsOpenApiSchemas.Error),
                    { type: 'object', properties: { code: { type: 'string', enum: refusals.map(refusal => refusal.code) } } }
                ]
            };
        return { description, content: { 'application/json': { schema, examples } } };
    }
}
