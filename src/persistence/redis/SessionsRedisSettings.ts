import { readFileSync } from 'fs';
import { ConnectionOptions } from 'tls';

import { ConfigException, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsSettingReader } from '../../logic/SessionsSettingReader';

/** A node to connect to first: the server, or one node of a cluster. */
export interface SessionsRedisNode {
    host: string;
    port: number;
}

/**
 * The Redis store's configuration, read strictly (a bad value stops the start):
 * - connection.uri (redis:// or rediss://, user, password and database in it), else
 *   connection.host, connection.port and connection.database;
 * - connection.cluster: true for a Redis Cluster, reached through that node (others found from it);
 * - credential.username, credential.password (when the URI names none);
 * - tls.enabled (or a rediss:// URI), and any other tls.<key> passed to Node's TLS: tls.ca_file,
 *   tls.cert_file, tls.key_file are read as files (ca, cert, key), tls.reject_unauthorized,
 *   tls.servername and the like go through as rejectUnauthorized, servername;
 * - options.key_prefix (default "sessions:"), options.connect_timeout (ms, default 5000),
 *   options.max_page_size (default 100), options.bucket_cache (session ids whose bucket a
 *   replica remembers, default 100,000; 0: none).
 */
export class SessionsRedisSettings {
    public readonly node: SessionsRedisNode;
    public readonly cluster: boolean;
    public readonly database: number;
    public readonly username: string | undefined;
    public readonly password: string | undefined;
    public readonly tls: ConnectionOptions | undefined;
    public readonly keyPrefix: string;
    public readonly connectTimeout: number;
    public readonly maxPageSize: number;
    public readonly bucketCache: number;

    public constructor(config: ConfigParams) {
        const settings = new SessionsSettingReader(config);
        const uri = config.getAsNullableString('connection.uri');
        let tlsByScheme = false;
        let username = config.getAsNullableString('credential.username') || undefined;
        let password = config.getAsNullableString('credential.password') || undefined;
        if (uri != null && uri !== '') {
            const url = SessionsRedisSettings.parseUri(uri);
            tlsByScheme = url.protocol === 'rediss:';
            this.node = { host: url.hostname.replace(/^\[|\]$/g, '') || 'localhost', port: url.port === '' ? 6379 : Number(url.port) };
            const path = url.pathname.replace(/^\//, '');
            this.database = path === '' ? 0 : SessionsRedisSettings.databaseNumber(path, 'connection.uri');
            if (url.username !== '') username = decodeURIComponent(url.username);
            if (url.password !== '') password = decodeURIComponent(url.password);
        } else {
            this.node = { host: config.getAsNullableString('connection.host') || 'localhost', port: settings.remotePort('connection.port', 6379) };
            this.database = settings.count('connection.database', 0);
        }
        this.cluster = settings.flag('connection.cluster', false);
        if (this.cluster && this.database !== 0) {
            throw SessionsRedisSettings.refused('connection.database', String(this.database), '0 (a cluster has database 0 only)');
        }
        this.username = username;
        this.password = password;
        this.tls = SessionsRedisSettings.tlsOptions(config, settings.flag('tls.enabled', false) || tlsByScheme);
        this.keyPrefix = config.getAsNullableString('options.key_prefix') ?? 'sessions:';
        if (/[{}]/.test(this.keyPrefix)) {
            throw SessionsRedisSettings.refused('options.key_prefix', this.keyPrefix, 'a prefix without { or } (they would move the hash tag)');
        }
        this.connectTimeout = settings.millis('options.connect_timeout', 5000);
        this.maxPageSize = settings.count('options.max_page_size', 100, 1);
        this.bucketCache = settings.count('options.bucket_cache', 100000);
    }

    /** Where the store is, for the start-up line: never the password. */
    public get location(): string {
        return (this.tls != null ? 'rediss://' : 'redis://') + this.node.host + ':' + this.node.port
            + (this.cluster ? ' (cluster)' : '/' + this.database) + ' prefix ' + JSON.stringify(this.keyPrefix);
    }

    private static tlsOptions(config: ConfigParams, enabled: boolean): ConnectionOptions | undefined {
        if (!enabled) return undefined;
        const options: Record<string, unknown> = {};
        const section = config.getSection('tls');
        for (const key of section.getKeys()) {
            if (key === 'enabled') continue;
            const value = section.getAsNullableString(key);
            if (value == null || value === '') continue;
            const fileOf = /^(.*)_file$/.exec(key);
            if (fileOf != null) {
                options[SessionsRedisSettings.camel(fileOf[1])] = readFileSync(value);
            } else {
                options[SessionsRedisSettings.camel(key)] = value === 'true' ? true : value === 'false' ? false : value;
            }
        }
        return options as ConnectionOptions;
    }

    private static camel(key: string): string {
        return key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    }

    private static parseUri(uri: string): URL {
        let url: URL | null = null;
        try {
            url = new URL(uri);
        } catch {
            url = null;
        }
        if (url == null || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
            // The value may hold a password: it is not repeated.
            throw SessionsRedisSettings.refused('connection.uri', '(not shown)', 'a redis:// or rediss:// URI');
        }
        return url;
    }

    private static databaseNumber(text: string, key: string): number {
        if (!/^\d+$/.test(text)) throw SessionsRedisSettings.refused(key, '(not shown)', 'a URI whose path is a database number');
        return Number(text);
    }

    private static refused(key: string, value: string, allowed: string): ConfigException {
        return new ConfigException(undefined, SessionsErrorCode.BAD_SETTING, key + ' is ' + JSON.stringify(value) + ': allowed is ' + allowed)
            .withDetails('key', key)
            .withDetails('value', value)
            .withDetails('allowed', allowed);
    }
}
