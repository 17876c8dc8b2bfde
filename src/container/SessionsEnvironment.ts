import { SessionsConsoleLogger } from './SessionsConsoleLogger';

/** How a variable's value is checked (by the component that reads it, see SessionsSettingReader). */
export type SessionsVariableKind = 'switch' | 'flag' | 'millis' | 'bytes' | 'count' | 'port' | 'remote-port' | 'choice' | 'key' | 'text';

/** One environment variable of the bundled config (config/config.yml). */
export interface SessionsVariable {
    name: string;
    kind: SessionsVariableKind;
    /** The value in force when the variable is not set ('' for none). */
    default: string;
    /** For kind 'count': the least allowed (default 0). */
    min?: number;
    /** For kind 'choice': the words allowed. */
    choices?: readonly string[];
    /** A value that works, for the docs. */
    example: string;
    meaning: string;
    /** The component (the descriptor's type, and kind where several share it) and the key the bundled config sets. */
    target?: { type: string; kind?: string; key: string };
}

/**
 * The environment variables of the bundled config: what the settings table of docs/configuration.md is
 * checked against, and how a refused setting is named in the line a failed start prints.
 */
export class SessionsEnvironment {
    public static readonly Variables: readonly SessionsVariable[] = [
        { name: 'HTTP_ENABLED', kind: 'switch', default: 'true', example: 'false', meaning: 'the HTTP API, /heartbeat, /ready, /status, /metrics and the documents' },
        { name: 'HTTP_HOST', kind: 'text', default: '0.0.0.0', example: '127.0.0.1', meaning: 'address the HTTP API listens on', target: { type: 'endpoint', kind: 'http', key: 'connection.host' } },
        { name: 'HTTP_PORT', kind: 'port', default: '8080', example: '3000', meaning: 'port of the HTTP API; 0: a free port the system picks, named in the start-up line', target: { type: 'endpoint', kind: 'http', key: 'connection.port' } },
        { name: 'HTTP_REQUEST_MAX_SIZE', kind: 'bytes', default: '1048576', example: '65536', meaning: 'largest request body (413 past it)', target: { type: 'endpoint', kind: 'http', key: 'options.request_max_size' } },
        { name: 'HTTP_MAX_CONNECTIONS', kind: 'count', min: 1, default: '4096', example: '1000', meaning: 'open HTTP connections at most; more are closed at once', target: { type: 'endpoint', kind: 'http', key: 'options.max_connections' } },
        { name: 'HTTP_HEADERS_TIMEOUT', kind: 'millis', default: '10000', example: '5000', meaning: 'time a client may take to send its headers (408 past it)', target: { type: 'endpoint', kind: 'http', key: 'options.headers_timeout' } },
        { name: 'HTTP_REQUEST_TIMEOUT', kind: 'millis', default: '30000', example: '20000', meaning: 'time a client may take to send a whole request (408 past it)', target: { type: 'endpoint', kind: 'http', key: 'options.request_timeout' } },
        { name: 'CONSOLE_ENABLED', kind: 'switch', default: 'true', example: 'false', meaning: 'the operator console at /console (needs HTTP_ENABLED; see Operator console)' },
        { name: 'HTTP_API_KEY', kind: 'key', default: '', example: '$(openssl rand -hex 32)', meaning: 'the key every command on every API needs; unset: no key (see API key)', target: { type: 'access', key: 'auth.api_key' } },
        { name: 'APP_API_KEY', kind: 'key', default: '', example: '$(openssl rand -hex 32)', meaning: "the application key: the per-user commands only (needs HTTP_API_KEY; see API key)", target: { type: 'access', key: 'auth.app_api_key' } },
        { name: 'OPERATIONS_WITHOUT_KEY', kind: 'flag', default: 'false', example: 'true', meaning: 'leaves /metrics and /status open when a key is set', target: { type: 'access', key: 'options.operations_without_key' } },
        { name: 'MEMORY_ENABLED', kind: 'switch', default: 'false', example: 'true', meaning: 'the memory store (lost at stop)' },
        { name: 'FILE_ENABLED', kind: 'switch', default: 'true when no store is set', example: 'true', meaning: 'the file store' },
        { name: 'FILE_PATH', kind: 'text', default: './data/sessions.json', example: '/var/lib/sessions/sessions.json', meaning: "the file store's snapshot (the journal is beside it)", target: { type: 'persistence', kind: 'file', key: 'path' } },
        { name: 'FILE_RECOVER', kind: 'flag', default: 'false', example: 'true', meaning: 'start from what can be read of a damaged snapshot or journal, keeping the damaged files aside', target: { type: 'persistence', kind: 'file', key: 'options.recover' } },
        { name: 'MONGO_ENABLED', kind: 'switch', default: 'false', example: 'true', meaning: 'the MongoDB store' },
        { name: 'MONGO_SERVICE_URI', kind: 'text', default: '', example: 'mongodb://db:27017/app', meaning: 'MongoDB connection string; when set, host, port and database are ignored', target: { type: 'persistence', kind: 'mongodb', key: 'connection.uri' } },
        { name: 'MONGO_SERVICE_HOST', kind: 'text', default: 'localhost', example: 'db', meaning: 'MongoDB host', target: { type: 'persistence', kind: 'mongodb', key: 'connection.host' } },
        { name: 'MONGO_SERVICE_PORT', kind: 'remote-port', default: '27017', example: '27018', meaning: 'MongoDB port', target: { type: 'persistence', kind: 'mongodb', key: 'connection.port' } },
        { name: 'MONGO_DB', kind: 'text', default: 'app', example: 'sessions', meaning: 'MongoDB database', target: { type: 'persistence', kind: 'mongodb', key: 'connection.database' } },
        { name: 'MONGO_COLLECTION', kind: 'text', default: 'sessions', example: 'user_sessions', meaning: 'MongoDB collection', target: { type: 'persistence', kind: 'mongodb', key: 'collection' } },
        { name: 'MONGO_USER', kind: 'text', default: '', example: 'sessions', meaning: 'MongoDB user', target: { type: 'persistence', kind: 'mongodb', key: 'credential.username' } },
        { name: 'MONGO_PASS', kind: 'text', default: '', example: 'p@ss:word', meaning: 'MongoDB password (any characters)', target: { type: 'persistence', kind: 'mongodb', key: 'credential.password' } },
        { name: 'MONGO_CONNECT_TIMEOUT', kind: 'millis', default: '5000', example: '2000', meaning: 'time to wait for an unreachable database before answering 503', target: { type: 'persistence', kind: 'mongodb', key: 'options.connect_timeout' } },
        { name: 'REDIS_ENABLED', kind: 'switch', default: 'false', example: 'true', meaning: 'the Redis store (see Redis)' },
        { name: 'REDIS_SERVICE_URI', kind: 'text', default: '', example: 'rediss://:secret@cache:6380/0', meaning: 'Redis URI (redis:// or rediss://); when set, host, port, database and password are read from it', target: { type: 'persistence', kind: 'redis', key: 'connection.uri' } },
        { name: 'REDIS_SERVICE_HOST', kind: 'text', default: 'localhost', example: 'cache', meaning: 'Redis host (a cluster: any one of its nodes)', target: { type: 'persistence', kind: 'redis', key: 'connection.host' } },
        { name: 'REDIS_SERVICE_PORT', kind: 'remote-port', default: '6379', example: '6380', meaning: 'Redis port', target: { type: 'persistence', kind: 'redis', key: 'connection.port' } },
        { name: 'REDIS_DB', kind: 'count', default: '0', example: '2', meaning: 'Redis database number (0 on a cluster)', target: { type: 'persistence', kind: 'redis', key: 'connection.database' } },
        { name: 'REDIS_CLUSTER', kind: 'flag', default: 'false', example: 'true', meaning: 'the server is a Redis Cluster node; the others are found from it', target: { type: 'persistence', kind: 'redis', key: 'connection.cluster' } },
        { name: 'REDIS_USER', kind: 'text', default: '', example: 'sessions', meaning: 'Redis ACL user (default: the default user)', target: { type: 'persistence', kind: 'redis', key: 'credential.username' } },
        { name: 'REDIS_PASS', kind: 'text', default: '', example: 'p@ss:word', meaning: 'Redis password (any characters)', target: { type: 'persistence', kind: 'redis', key: 'credential.password' } },
        { name: 'REDIS_KEY_PREFIX', kind: 'text', default: 'sessions:', example: 'app1:sessions:', meaning: 'start of every key the store writes (no { or })', target: { type: 'persistence', kind: 'redis', key: 'options.key_prefix' } },
        { name: 'REDIS_TLS', kind: 'flag', default: 'false', example: 'true', meaning: 'TLS to Redis (also on with a rediss:// URI)', target: { type: 'persistence', kind: 'redis', key: 'tls.enabled' } },
        { name: 'REDIS_TLS_CA_FILE', kind: 'text', default: '', example: '/etc/ssl/redis-ca.pem', meaning: 'CA certificate(s) to trust for Redis TLS', target: { type: 'persistence', kind: 'redis', key: 'tls.ca_file' } },
        { name: 'REDIS_CONNECT_TIMEOUT', kind: 'millis', default: '5000', example: '2000', meaning: 'time a call waits for Redis before answering 503', target: { type: 'persistence', kind: 'redis', key: 'options.connect_timeout' } },
        { name: 'REDIS_BUCKET_CACHE', kind: 'count', default: '100000', example: '1000000', meaning: 'session ids whose Redis bucket a replica remembers, so a read of one skips the pointer (about 100 bytes each; 0: none)', target: { type: 'persistence', kind: 'redis', key: 'options.bucket_cache' } },
        { name: 'MAX_PAGE_SIZE', kind: 'count', min: 1, default: '100', example: '500', meaning: 'largest get_sessions page (1 or more)', target: { type: 'persistence', key: 'options.max_page_size' } },
        { name: 'IDLE_TIMEOUT', kind: 'millis', default: '86400000', example: '1800000', meaning: 'time an active session may stay idle before it expires (0: never)', target: { type: 'controller', key: 'options.idle_timeout' } },
        { name: 'EXPIRE_TIMEOUT', kind: 'millis', default: '86400000', example: '1800000', meaning: "the original's name for IDLE_TIMEOUT, read when that is not set", target: { type: 'controller', key: 'options.expire_timeout' } },
        { name: 'ABSOLUTE_TIMEOUT', kind: 'millis', default: '0', example: '28800000', meaning: 'time after opening at which a session expires however active (0: never)', target: { type: 'controller', key: 'options.absolute_timeout' } },
        { name: 'TOUCH_INTERVAL', kind: 'millis', default: '60000', example: '10000', meaning: 'validate_session records activity at most this often per session', target: { type: 'controller', key: 'options.touch_interval' } },
        { name: 'MAX_SESSIONS_PER_USER', kind: 'count', default: '0', example: '5', meaning: 'most live sessions per user (0: no limit)', target: { type: 'controller', key: 'options.max_sessions_per_user' } },
        { name: 'SESSION_LIMIT_POLICY', kind: 'choice', default: 'evict_oldest', choices: ['evict_oldest', 'reject'], example: 'reject', meaning: 'what a new session does at the limit', target: { type: 'controller', key: 'options.session_limit_policy' } },
        { name: 'RETENTION_PERIOD', kind: 'millis', default: '0', example: '604800000', meaning: 'time closed sessions are kept after close_time (0: for ever)', target: { type: 'controller', key: 'options.retention_period' } },
        { name: 'MAX_DATA_SIZE', kind: 'bytes', default: '1048576', example: '65536', meaning: "most bytes of JSON in a session's user, and in its data (413 DATA_TOO_LARGE past it)", target: { type: 'controller', key: 'options.max_data_size' } },
        { name: 'AUDIT_KEY', kind: 'key', default: '', example: '$(openssl rand -hex 32)', meaning: 'key of the session id hashes in audit lines; unset: random per process', target: { type: 'controller', key: 'options.audit_key' } },
        { name: 'CLEANUP_INTERVAL', kind: 'millis', default: '900000', example: '60000', meaning: 'time between expiry sweeps (0: no sweep)', target: { type: 'controller', key: 'options.cleanup_interval' } },
        { name: 'LOG_LEVEL', kind: 'choice', default: 'info', choices: SessionsConsoleLogger.Levels, example: 'debug', meaning: 'most detailed log lines written', target: { type: 'logger', key: 'level' } },
        { name: 'LOG_FORMAT', kind: 'choice', default: 'text', choices: ['text', 'json'], example: 'json', meaning: 'json: one JSON object per line on stdout, for log shippers', target: { type: 'logger', key: 'format' } },
        { name: 'SENECA_ENABLED', kind: 'switch', default: 'false', example: 'true', meaning: 'the Seneca API' },
        { name: 'SENECA_TYPE', kind: 'choice', default: 'tcp', choices: ['tcp', 'http'], example: 'http', meaning: 'Seneca transport', target: { type: 'service', kind: 'seneca', key: 'connection.protocol' } },
        { name: 'SENECA_HOST', kind: 'text', default: '0.0.0.0', example: '127.0.0.1', meaning: 'address the Seneca API listens on', target: { type: 'service', kind: 'seneca', key: 'connection.host' } },
        { name: 'SENECA_PORT', kind: 'port', default: '8807', example: '9807', meaning: 'port of the Seneca API; 0: a free port the system picks, named in the start-up line', target: { type: 'service', kind: 'seneca', key: 'connection.port' } },
        { name: 'GRPC_ENABLED', kind: 'switch', default: 'false', example: 'true', meaning: 'both gRPC APIs' },
        { name: 'GRPC_HOST', kind: 'text', default: '0.0.0.0', example: '127.0.0.1', meaning: 'address the gRPC APIs listen on', target: { type: 'endpoint', kind: 'grpc', key: 'connection.host' } },
        { name: 'GRPC_PORT', kind: 'port', default: '8090', example: '9090', meaning: 'port of the gRPC APIs; 0: a free port the system picks, named in the start-up line', target: { type: 'endpoint', kind: 'grpc', key: 'connection.port' } },
        { name: 'GRPC_REQUEST_MAX_SIZE', kind: 'bytes', default: '1048576', example: '65536', meaning: 'largest gRPC message (RESOURCE_EXHAUSTED past it)', target: { type: 'endpoint', kind: 'grpc', key: 'options.request_max_size' } }
    ];

    /** The words a switch (*_ENABLED) may be: anything else is refused rather than read as on. */
    public static readonly SwitchOn = ['true', '1', 'yes', 'on'];
    public static readonly SwitchOff = ['false', '0', 'no', 'off', ''];

    /** What the docs say is allowed. */
    public static allowed(variable: SessionsVariable): string {
        switch (variable.kind) {
            case 'switch': case 'flag': return '`true`, `false`';
            case 'millis': return 'ms, 0 or more';
            case 'bytes': return 'bytes, 1 or more';
            case 'count': return (variable.min ?? 0) + ' or more';
            case 'port': return '0-65535';
            case 'remote-port': return '1-65535';
            case 'choice': return (variable.choices ?? []).map(choice => '`' + choice + '`').join(', ');
            case 'key': return '16+ characters';
            case 'text': return 'any';
        }
    }

    /** The settings table of docs/configuration.md, made from the list above. */
    public static markdownTable(): string {
        const code = (value: string) => value === '' ? '' : '`' + value + '`';
        const rows = SessionsEnvironment.Variables.map(variable => '| `' + variable.name + '` | '
            + (variable.default.includes(' ') ? variable.default : code(variable.default)) + ' | '
            + SessionsEnvironment.allowed(variable) + ' | ' + code(variable.example) + ' | ' + variable.meaning + ' |');
        return ['| variable | default | allowed | example | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
    }

    /** The variable the bundled config reads into a component's key, if any. */
    public static forSetting(descriptor: string, key: string): SessionsVariable | null {
        const [, type, kind] = descriptor.split(':');
        return SessionsEnvironment.Variables.find(variable => variable.target != null && variable.target.type === type
            && variable.target.key === key && (variable.target.kind == null || variable.target.kind === kind)) ?? null;
    }
}
