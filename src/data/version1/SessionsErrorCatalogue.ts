/**
 * Every error code of the service, once: its HTTP status, who raises it and what it
 * means. Code that creates an error takes its code from SessionsErrorCode; the OpenAPI
 * document's error list is checked against this list, and docs/http.md holds the tables
 * markdownTable() makes (both checked by test/data/version1/SessionsErrorCatalogue.test.ts).
 *
 * The codes are wire format: clients branch on them, so none may change.
 */

/** Where a code comes from, and so who can see it. */
export type SessionsErrorSource =
    /** An API's reply (HTTP, Seneca, gRPC, Lambda): the error body's code. */
    | 'api'
    /** GET /ready: details.reason of its 503 NOT_READY, or the reason of "degraded". */
    | 'ready'
    /** The client SDK, raised in the caller's process without a reply of the service. */
    | 'client'
    /** A bad configuration or a failed start: the process prints it and exits 1. */
    | 'start'
    /** A validation rule's result: inside a 400 INVALID_DATA (its message), never a reply's code. */
    | 'rule'
    /** The classes used in process (a store, the controller, the gRPC plumbing): a misuse or a fault. */
    | 'process';

/** The APIs that answer a code (source 'api'). */
export type SessionsApiName = 'HTTP' | 'Seneca' | 'gRPC' | 'Lambda';

export interface SessionsErrorEntry {
    readonly code: string;
    /** The HTTP status (gRPC maps it, SessionsGrpcErrorsV1.statusCode); several for a client error that follows the reply. */
    readonly status: number | readonly number[];
    readonly source: SessionsErrorSource;
    /** For source 'api': the APIs that answer it. */
    readonly apis?: readonly SessionsApiName[];
    /** When it comes, for a reader of the docs (Markdown, one line). */
    readonly meaning: string;
}

const ALL: readonly SessionsApiName[] = ['HTTP', 'Seneca', 'gRPC', 'Lambda'];
const KEYED: readonly SessionsApiName[] = ['HTTP', 'Seneca', 'gRPC'];

/** The codes, by name: `SessionsErrorCode.SESSION_CLOSED` is `'SESSION_CLOSED'`. */
export const SessionsErrorCode = {
    // Replies of the APIs
    INVALID_DATA: 'INVALID_DATA',
    INVALID_JSON: 'INVALID_JSON',
    INVALID_FRAME: 'INVALID_FRAME',
    INVALID_MESSAGE: 'INVALID_MESSAGE',
    BAD_REQUEST: 'BAD_REQUEST',
    NO_COMMAND: 'NO_COMMAND',
    NO_ACTION: 'NO_ACTION',
    CMD_NOT_FOUND: 'CMD_NOT_FOUND',
    UNAUTHORIZED: 'UNAUTHORIZED',
    FORBIDDEN_SCOPE: 'FORBIDDEN_SCOPE',
    RESOURCE_NOT_FOUND: 'RESOURCE_NOT_FOUND',
    METHOD_NOT_FOUND: 'METHOD_NOT_FOUND',
    METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
    REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
    SESSION_CLOSED: 'SESSION_CLOSED',
    SESSION_LIMIT_REACHED: 'SESSION_LIMIT_REACHED',
    SESSION_ALREADY_EXISTS: 'SESSION_ALREADY_EXISTS',
    PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
    DATA_TOO_LARGE: 'DATA_TOO_LARGE',
    UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
    HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
    INTERNAL_ERROR: 'INTERNAL_ERROR',
    CORRUPT_SESSION: 'CORRUPT_SESSION',
    NOT_OPEN: 'NOT_OPEN',
    SENECA_FAILED: 'SENECA_FAILED',
    ACTION_TIMEOUT: 'ACTION_TIMEOUT',
    DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
    STORE_NOT_WRITABLE: 'STORE_NOT_WRITABLE',
    // GET /ready
    NOT_READY: 'NOT_READY',
    JOURNAL_BROKEN: 'JOURNAL_BROKEN',
    STORE_NOT_OPEN: 'STORE_NOT_OPEN',
    READY_TIMEOUT: 'READY_TIMEOUT',
    STORE_FAILED: 'STORE_FAILED',
    COMPACTION_FAILED: 'COMPACTION_FAILED',
    // The client SDK
    CONNECTION_FAILED: 'CONNECTION_FAILED',
    CONNECTION_LOST: 'CONNECTION_LOST',
    SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
    UNEXPECTED_REPLY: 'UNEXPECTED_REPLY',
    INVALID_REPLY: 'INVALID_REPLY',
    NOT_OPENED: 'NOT_OPENED',
    CANNOT_CONNECT: 'CANNOT_CONNECT',
    UNKNOWN_METHOD: 'UNKNOWN_METHOD',
    UNSUPPORTED_METHOD: 'UNSUPPORTED_METHOD',
    WRONG_URI: 'WRONG_URI',
    WRONG_PROTOCOL: 'WRONG_PROTOCOL',
    NO_CONTROLLER: 'NO_CONTROLLER',
    WRONG_CONTROLLER: 'WRONG_CONTROLLER',
    // Configuration and start
    BAD_SETTING: 'BAD_SETTING',
    NO_API: 'NO_API',
    TWO_STORES: 'TWO_STORES',
    NO_PATH: 'NO_PATH',
    NO_HOST: 'NO_HOST',
    BAD_HTTP_LIMITS: 'BAD_HTTP_LIMITS',
    INVALID_BASE_ROUTE: 'INVALID_BASE_ROUTE',
    API_KEY_TOO_SHORT: 'API_KEY_TOO_SHORT',
    APP_API_KEY_WITHOUT_API_KEY: 'APP_API_KEY_WITHOUT_API_KEY',
    APP_API_KEY_SAME_AS_API_KEY: 'APP_API_KEY_SAME_AS_API_KEY',
    AUDIT_KEY_TOO_SHORT: 'AUDIT_KEY_TOO_SHORT',
    WRONG_PERSISTENCE: 'WRONG_PERSISTENCE',
    CANNOT_LISTEN: 'CANNOT_LISTEN',
    CORRUPT_FILE: 'CORRUPT_FILE',
    CORRUPT_JOURNAL: 'CORRUPT_JOURNAL',
    READ_FAILED: 'READ_FAILED',
    ALREADY_OPENED: 'ALREADY_OPENED',
    // Validation rules
    VALUE_IS_EMPTY: 'VALUE_IS_EMPTY',
    VALUE_TOO_DEEP: 'VALUE_TOO_DEEP',
    MALFORMED_VALUE: 'MALFORMED_VALUE',
    INVALID_FILTER_VALUE: 'INVALID_FILTER_VALUE',
    // In process
    INVALID_SESSION: 'INVALID_SESSION',
    JOURNAL_CLOSED: 'JOURNAL_CLOSED',
    NO_PERSISTENCE: 'NO_PERSISTENCE',
    NO_ENDPOINT: 'NO_ENDPOINT',
    NOT_OPENING: 'NOT_OPENING',
    NOT_REGISTERING: 'NOT_REGISTERING'
} as const;

export type SessionsErrorCodeName = typeof SessionsErrorCode[keyof typeof SessionsErrorCode];

const C = SessionsErrorCode;

export class SessionsErrorCatalogue {
    /** Every code; a code raised in two places with different statuses (REQUEST_TIMEOUT) is listed once per source. */
    public static readonly Entries: readonly SessionsErrorEntry[] = [
        // --- Replies of the APIs, in order of status
        { code: C.INVALID_DATA, status: 400, source: 'api', apis: ALL,
            meaning: 'a missing, empty (`user_id`) or wrong-typed argument; `details.field` names the first bad one (`filter.from_time`, `paging.skip`, ...); `user`, `data`, `filter` or `paging` nested deeper than 64 levels; a body that is JSON but not an object' },
        { code: C.INVALID_JSON, status: 400, source: 'api', apis: ALL,
            meaning: 'the body is not JSON, or holds `__proto__` / `constructor.prototype` keys (gRPC: `user` or `data` not JSON; Lambda: an event with such keys)' },
        { code: C.INVALID_FRAME, status: 400, source: 'api', apis: ['Seneca'],
            meaning: 'a Seneca tcp line that is JSON but not an act frame (`kind: "act"`, a string `id`, an object `act`); the connection stays open' },
        { code: C.INVALID_MESSAGE, status: 400, source: 'api', apis: ['gRPC'],
            meaning: 'bytes that are not the gRPC method\'s message' },
        { code: C.BAD_REQUEST, status: 400, source: 'api', apis: ['HTTP', 'Seneca'],
            meaning: 'the request is not valid HTTP (also the code of a 4xx error that has none)' },
        { code: C.NO_COMMAND, status: 400, source: 'api', apis: ['Lambda'],
            meaning: 'a Lambda event without `cmd`, or not a JSON object (the original\'s code)' },
        { code: C.NO_ACTION, status: 400, source: 'api', apis: ['Lambda'],
            meaning: 'a Lambda event whose `cmd` is not a command (the original\'s code)' },
        { code: C.UNAUTHORIZED, status: 401, source: 'api', apis: KEYED,
            meaning: 'the [API key](#api-key) is on and the request lacks it (HTTP: answered before the body is read, with `WWW-Authenticate: Bearer`)' },
        { code: C.FORBIDDEN_SCOPE, status: 403, source: 'api', apis: KEYED,
            meaning: 'the [application key](#api-key) called a command out of its scope (`details.command`), or `/metrics` / `/status`' },
        { code: C.RESOURCE_NOT_FOUND, status: 404, source: 'api', apis: ['HTTP', 'Seneca'],
            meaning: 'an unknown command or route; for a mistyped command the message lists the commands (`Unknown route: POST /v1/sessions/no_such. The commands at /v1/sessions/ are: open_session, ...`); Seneca: another pattern, or an unknown `cmd`' },
        { code: C.METHOD_NOT_FOUND, status: 404, source: 'api', apis: ['gRPC'],
            meaning: 'an unknown commandable gRPC method; the message lists the methods (`Method v1/sessions.no_such was not found. The methods are: v1/sessions.get_sessions, ...`)' },
        { code: C.METHOD_NOT_ALLOWED, status: 405, source: 'api', apis: ['HTTP'],
            meaning: 'e.g. `GET` on a command, or `CONNECT`' },
        { code: C.REQUEST_TIMEOUT, status: 408, source: 'api', apis: ['HTTP'],
            meaning: 'the headers took longer than `HTTP_HEADERS_TIMEOUT` (10 s), or the whole request longer than `HTTP_REQUEST_TIMEOUT` (30 s); the connection is closed' },
        { code: C.SESSION_CLOSED, status: 409, source: 'api', apis: ALL,
            meaning: '`store_session_data` or `update_session_user` on a closed or expired session' },
        { code: C.SESSION_LIMIT_REACHED, status: 409, source: 'api', apis: ALL,
            meaning: '`open_session` for a user at `max_sessions_per_user` under the `reject` policy; `details.max_sessions_per_user`' },
        { code: C.PAYLOAD_TOO_LARGE, status: 413, source: 'api', apis: ['HTTP', 'Seneca'],
            meaning: 'a body over `options.request_max_size` (1 MB): `Request body larger than 1048576 bytes (1 MiB, HTTP_REQUEST_MAX_SIZE)`' },
        { code: C.DATA_TOO_LARGE, status: 413, source: 'api', apis: ALL,
            meaning: '`user` or `data` of `open_session`, `store_session_data` or `update_session_user` over `max_data_size` (1 MB) as JSON (`data is 1048600 bytes as JSON; the limit is 1048576 bytes (1 MiB, MAX_DATA_SIZE, options.max_data_size)`); `details.field`, `details.size`, `details.max_data_size` (bytes); nothing is stored' },
        { code: C.UNSUPPORTED_MEDIA_TYPE, status: 415, source: 'api', apis: ['HTTP'],
            meaning: 'a compressed body (`Content-Encoding` other than `identity`)' },
        { code: C.HEADERS_TOO_LARGE, status: 431, source: 'api', apis: ['HTTP', 'Seneca'],
            meaning: 'request headers over Node\'s limit (16 KB)' },
        { code: C.INTERNAL_ERROR, status: 500, source: 'api', apis: ALL,
            meaning: 'a fault of the service; the details go to its log only. A 500 may carry the failing component\'s code instead (below)' },
        { code: C.CORRUPT_SESSION, status: 500, source: 'api', apis: ALL,
            meaning: 'the [file store](file-store.md) holds a session whose line in the snapshot is damaged' },
        { code: C.NOT_OPEN, status: 500, source: 'api', apis: ALL,
            meaning: 'a write reached the file store while it was not open (before its open, after its close); the process serves only once its store is open, so only in-process use sees it' },
        { code: C.SENECA_FAILED, status: 500, source: 'api', apis: ['Seneca'],
            meaning: 'Seneca failed to run the message' },
        { code: C.ACTION_TIMEOUT, status: 503, source: 'api', apis: ['Seneca'],
            meaning: 'Seneca timed out running the message (`action_timeout`)' },
        { code: C.DATABASE_UNAVAILABLE, status: 503, source: 'api', apis: ALL,
            meaning: 'the MongoDB or Redis store cannot reach its server (see [MongoDB](mongodb.md), [Redis](redis.md))' },
        { code: C.STORE_NOT_WRITABLE, status: 503, source: 'api', apis: ALL,
            meaning: 'the [file store](file-store.md) cannot make a write durable (a full or failing disk); reads still work, and nothing of the refused write is kept' },

        // --- GET /ready
        { code: C.NOT_READY, status: 503, source: 'ready',
            meaning: '`/ready` while the store cannot serve; `details.reason` is one of the codes below, or `DATABASE_UNAVAILABLE` / `STORE_NOT_WRITABLE`' },
        { code: C.JOURNAL_BROKEN, status: 503, source: 'ready',
            meaning: 'the file store\'s journal could not be reopened after a failed write' },
        { code: C.STORE_NOT_OPEN, status: 503, source: 'ready',
            meaning: 'the store is not open (before its open, after its close): the store\'s readiness check, as opposed to `NOT_OPEN` (a write to a closed file store) and `NOT_OPENED` (a client)' },
        { code: C.READY_TIMEOUT, status: 503, source: 'ready',
            meaning: 'the store did not answer the readiness check within 2 s' },
        { code: C.STORE_FAILED, status: 503, source: 'ready',
            meaning: 'the readiness check failed with an error that has no code' },
        { code: C.COMPACTION_FAILED, status: 200, source: 'ready',
            meaning: '`{"status":"degraded"}`: the file store serves and loses nothing, but cannot fold its journal into the snapshot; also the log\'s code of a failed fold' },

        // --- The client SDK
        { code: C.CONNECTION_FAILED, status: 503, source: 'client',
            meaning: 'no connection could be made, after the retries' },
        { code: C.REQUEST_TIMEOUT, status: 504, source: 'client',
            meaning: 'connected, but no answer within `options.timeout`; the command may have run' },
        { code: C.CONNECTION_LOST, status: 502, source: 'client',
            meaning: 'the connection broke during the call; the command may have run' },
        { code: C.SERVICE_UNAVAILABLE, status: [502, 503, 504], source: 'client',
            meaning: 'that status without the service\'s error body (a proxy in front of a stopped service)' },
        { code: C.PAYLOAD_TOO_LARGE, status: 413, source: 'client',
            meaning: 'the gRPC clients: a message over the server\'s `GRPC_REQUEST_MAX_SIZE` (gRPC\'s `RESOURCE_EXHAUSTED`)' },
        { code: C.UNEXPECTED_REPLY, status: 500, source: 'client',
            meaning: 'a reply that is not the service\'s (another status, or a gRPC status without the error body)' },
        { code: C.INVALID_REPLY, status: 500, source: 'client',
            meaning: 'a reply that is not what the command answers (not JSON, not a session; Seneca: neither `result` nor `error`)' },
        { code: C.NOT_OPENED, status: 500, source: 'client',
            meaning: 'a call before `open()` or after `close()` (also the Lambda function called after its `close()`)' },
        { code: C.CANNOT_CONNECT, status: 500, source: 'client',
            meaning: 'a gRPC client could not be set up at `open()`; `details.url`' },
        { code: C.UNKNOWN_METHOD, status: 500, source: 'client',
            meaning: 'a gRPC client called a method its contract does not have (a bug)' },
        { code: C.UNSUPPORTED_METHOD, status: 500, source: 'client',
            meaning: 'the HTTP client base was asked for an HTTP method it does not send' },
        { code: C.WRONG_URI, status: 500, source: 'client',
            meaning: '`connection.uri` is not a URL' },
        { code: C.WRONG_PROTOCOL, status: 500, source: 'client',
            meaning: '`connection.uri` is neither `http:` nor `https:`' },
        { code: C.NO_CONTROLLER, status: 500, source: 'client',
            meaning: 'the direct client found no controller in its references' },

        // --- Configuration and start
        { code: C.BAD_SETTING, status: 500, source: 'start',
            meaning: 'a setting (environment variable or config key) has a value that is not allowed; the line names it, its value and what is allowed' },
        { code: C.NO_API, status: 500, source: 'start',
            meaning: 'no API is enabled (`HTTP_ENABLED`, `SENECA_ENABLED`, `GRPC_ENABLED`)' },
        { code: C.TWO_STORES, status: 500, source: 'start',
            meaning: 'more than one store is enabled' },
        { code: C.NO_PATH, status: 500, source: 'start',
            meaning: 'the file store\'s path is empty' },
        { code: C.NO_HOST, status: 500, source: 'start',
            meaning: 'the Seneca API has no host to listen on' },
        { code: C.BAD_HTTP_LIMITS, status: 500, source: 'start',
            meaning: 'the HTTP endpoint\'s limits contradict each other (`options.max_connections`, `headers_timeout`, `request_timeout`)' },
        { code: C.INVALID_BASE_ROUTE, status: 500, source: 'start',
            meaning: 'the Swagger UI\'s `base_route` is not a plain path' },
        { code: C.API_KEY_TOO_SHORT, status: 500, source: 'start',
            meaning: '`HTTP_API_KEY` or `APP_API_KEY` shorter than 16 characters' },
        { code: C.APP_API_KEY_WITHOUT_API_KEY, status: 500, source: 'start',
            meaning: '`APP_API_KEY` set without `HTTP_API_KEY`' },
        { code: C.APP_API_KEY_SAME_AS_API_KEY, status: 500, source: 'start',
            meaning: '`APP_API_KEY` equals `HTTP_API_KEY`' },
        { code: C.AUDIT_KEY_TOO_SHORT, status: 500, source: 'start',
            meaning: '`AUDIT_KEY` shorter than 16 characters' },
        { code: C.WRONG_CONTROLLER, status: 500, source: 'start',
            meaning: 'a service\'s referenced controller has a command set that is not service-sessions\' own (`SessionsCommandSet`)' },
        { code: C.WRONG_PERSISTENCE, status: 500, source: 'start',
            meaning: 'the Seneca plugin\'s `persistence.type` is not `memory`, `file`, `mongodb` or `redis`' },
        { code: C.CANNOT_LISTEN, status: 500, source: 'start',
            meaning: 'an API cannot listen on its port (in use, not allowed)' },
        { code: C.CORRUPT_FILE, status: 500, source: 'start',
            meaning: 'the file store\'s snapshot is not valid JSON, cut short, or holds fewer sessions than its journal\'s mark (see `FILE_RECOVER`)' },
        { code: C.CORRUPT_JOURNAL, status: 500, source: 'start',
            meaning: 'a record of the file store\'s journal does not read or fails its CRC-32 (see `FILE_RECOVER`)' },
        { code: C.READ_FAILED, status: 500, source: 'start',
            meaning: 'the file store\'s snapshot or journal cannot be read' },
        { code: C.ALREADY_OPENED, status: 500, source: 'start',
            meaning: '`SessionsProcess.open()` called twice' },

        // --- Validation rules (their results make up the message of a 400 INVALID_DATA)
        { code: C.VALUE_IS_EMPTY, status: 400, source: 'rule', meaning: 'a string argument that must not be empty is empty (`user_id`)' },
        { code: C.VALUE_TOO_DEEP, status: 400, source: 'rule', meaning: 'a value nested deeper than 64 levels' },
        { code: C.MALFORMED_VALUE, status: 400, source: 'rule', meaning: 'a value that cannot be read as its type (a date that is no date)' },
        { code: C.INVALID_FILTER_VALUE, status: 400, source: 'rule', meaning: 'a `get_sessions` filter field of the wrong type' },

        // --- In process
        { code: C.CMD_NOT_FOUND, status: 400, source: 'process',
            meaning: '`SessionsCommandSet.execute()` with an unknown command name (the APIs answer `RESOURCE_NOT_FOUND` / `METHOD_NOT_FOUND` / `NO_ACTION` before)' },
        { code: C.SESSION_ALREADY_EXISTS, status: 409, source: 'process',
            meaning: 'a store\'s `create()` with the id of a stored session (`open_session` always draws a new id)' },
        { code: C.INVALID_SESSION, status: 400, source: 'process',
            meaning: 'JSON read as a session (a stored line, a client\'s reply) is not one: not an object, no string id, a date that is no date' },
        { code: C.JOURNAL_CLOSED, status: 500, source: 'process',
            meaning: 'a write reached the file store\'s journal after its close' },
        { code: C.NO_PERSISTENCE, status: 500, source: 'process',
            meaning: 'the controller was used before `setReferences()` gave it a store' },
        { code: C.NO_ENDPOINT, status: 500, source: 'process',
            meaning: 'the commandable gRPC service was opened without its endpoint' },
        { code: C.NOT_OPENING, status: 500, source: 'process',
            meaning: 'a gRPC service was added to the endpoint outside its open' },
        { code: C.NOT_REGISTERING, status: 500, source: 'process',
            meaning: 'a gRPC method was added outside `register()`' }
    ];

    /** The entry of a code answered by the APIs. */
    public static reply(code: string): SessionsErrorEntry | null {
        return SessionsErrorCatalogue.Entries.find(entry => entry.code === code && entry.source === 'api') ?? null;
    }

    /** The HTTP status the APIs answer a code with; throws for a code that is not a reply's. */
    public static replyStatus(code: string): number {
        const entry = SessionsErrorCatalogue.reply(code);
        if (entry == null || typeof entry.status !== 'number') throw new Error(code + ' is not a code the APIs answer with');
        return entry.status;
    }

    /** A refusal of a command (its OpenAPI response): the status is the catalogue's. */
    public static refusal(code: SessionsErrorCodeName, when: string, message: string): { status: number; code: string; when: string; message: string } {
        return { status: SessionsErrorCatalogue.replyStatus(code), code, when, message };
    }

    /** Every code, once. */
    public static codes(): Set<string> {
        return new Set(SessionsErrorCatalogue.Entries.map(entry => entry.code));
    }

    /**
     * A Markdown table of the catalogue. 'api': the codes of the APIs' replies (docs/http.md,
     * "Errors"); any other source list: those codes, with their source.
     */
    public static markdownTable(sources: readonly SessionsErrorSource[]): string {
        const entries = SessionsErrorCatalogue.Entries.filter(entry => sources.includes(entry.source));
        const status = (entry: SessionsErrorEntry) => typeof entry.status === 'number' ? String(entry.status) : entry.status.join(', ');
        if (sources.length === 1 && sources[0] === 'api') {
            return ['| status | code | APIs | when |', '|---|---|---|---|',
                ...entries.map(entry => '| ' + status(entry) + ' | `' + entry.code + '` | '
                    + (entry.apis?.length === ALL.length ? 'all' : (entry.apis ?? []).join(', ')) + ' | ' + entry.meaning + ' |')
            ].join('\n');
        }
        return ['| code | status | from | when |', '|---|---|---|---|',
            ...entries.map(entry => '| `' + entry.code + '` | ' + status(entry) + ' | ' + SOURCE_TEXT[entry.source] + ' | ' + entry.meaning + ' |')
        ].join('\n');
    }
}

const SOURCE_TEXT: Readonly<Record<SessionsErrorSource, string>> = {
    api: 'a reply', ready: '`/ready`', client: 'the client SDK', start: 'the start', rule: 'a validation rule', process: 'in process'
};
