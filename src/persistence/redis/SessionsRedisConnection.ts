import {
    CommandParser, createClient, createCluster, defineScript, ErrorReply, RedisArgument, RedisClientOptions, RedisClientType, RedisClusterType,
    RedisScripts
} from '@redis/client';

import { SessionsRedisSettings } from './SessionsRedisSettings';

/** A reply as the store reads it (RESP2): strings, integers, nil and arrays of them. */
export type SessionsRedisReply = string | number | null | SessionsRedisReply[];

type Client = RedisClientType<{}, {}, RedisScripts, 2>;
type Cluster = RedisClusterType<{}, {}, RedisScripts, 2>;
type ScriptCall = (key: string, ...args: string[]) => Promise<SessionsRedisReply>;

/**
 * The store's one connection to Redis or a Redis Cluster, on node-redis (@redis/client):
 * commands by their first key (a cluster routes by it), and the store's Lua scripts by
 * name (EVALSHA, EVAL when the server lacks one). What it does when the server is away is
 * set here once: commands are never queued while it is down nor sent again after a
 * reconnect (a write answered with a failure must not land later), and every command,
 * sent or not, fails after options.connect_timeout.
 */
export class SessionsRedisConnection {
    private readonly _client: Client | null;
    private readonly _cluster: Cluster | null;

    /** scripts: each script's Lua by name; every script takes one key (a bucket's, or a session's pointer), then its arguments. */
    public constructor(settings: SessionsRedisSettings, scripts: Record<string, string>) {
        const defined: RedisScripts = {};
        for (const [name, lua] of Object.entries(scripts)) {
            defined[name] = defineScript({
                SCRIPT: lua,
                NUMBER_OF_KEYS: 1,
                parseCommand(parser: CommandParser, key: RedisArgument, ...args: RedisArgument[]) {
                    parser.pushKey(key);
                    parser.push(...args);
                },
                transformReply: (reply: unknown) => reply
            // Its type wants a command of fixed arguments; these take a key and any number after it.
            } as unknown as Parameters<typeof defineScript>[0]);
        }
        const options = SessionsRedisConnection.nodeOptions(settings);
        if (settings.cluster) {
            this._client = null;
            this._cluster = createCluster({
                rootNodes: [{ socket: options.socket }],
                defaults: options,
                RESP: 2,
                scripts: defined
            }) as unknown as Cluster;
        } else {
            this._cluster = null;
            this._client = createClient({ ...options, database: settings.database, scripts: defined }) as unknown as Client;
        }
    }

    /** Each node's client options: one timeout for connecting and for every command, no offline queue, reconnects for ever. */
    private static nodeOptions(settings: SessionsRedisSettings): RedisClientOptions<{}, {}, {}, 2> {
        const timeout = Math.max(1, settings.connectTimeout);
        return {
            RESP: 2,
            username: settings.username,
            password: settings.password,
            socket: {
                host: settings.node.host,
                port: settings.node.port,
                connectTimeout: timeout,
                // A little less eagerly each time, up to a second apart.
                reconnectStrategy: (retries: number) => Math.min((retries + 1) * 50, 1000),
                ...(settings.tls != null ? { tls: true as const, ...settings.tls } : {})
            },
            disableOfflineQueue: true,
            commandOptions: { timeout, rejectInFlight: true }
        } as RedisClientOptions<{}, {}, {}, 2>;
    }

    /** Listens for the connection's (or any cluster node's) errors and its return. */
    public onState(error: (err: Error) => void, ready: () => void): void {
        if (this._cluster != null) {
            this._cluster.on('error', error).on('node-error', error).on('node-ready', ready);
        } else {
            this._client!.on('error', error).on('ready', ready);
        }
    }

    /** Resolves once connected and ready; rejects after timeout ms (or at once if it cannot connect). */
    public async connect(timeout: number): Promise<void> {
        let timer: NodeJS.Timeout | undefined;
        try {
            await Promise.race([
                this._cluster != null ? this._cluster.connect() : this._client!.connect(),
                new Promise<never>((_, reject) => {
                    timer = setTimeout(() => reject(new Error('Could not connect to Redis within ' + timeout + ' ms')), Math.max(1, timeout));
                })
            ]);
        } finally {
            clearTimeout(timer);
        }
    }

    /** A command on one key (its first argument), routed by that key on a cluster. */
    public async command(name: string, key: string, ...args: Array<string | number>): Promise<SessionsRedisReply> {
        const argv = [name, key, ...args.map(String)];
        if (this._cluster != null) return await this._cluster.sendCommand(key, false, argv);
        return await this._client!.sendCommand(argv);
    }

    /** PING, on the node that holds key on a cluster. */
    public async ping(key: string): Promise<void> {
        if (this._cluster != null) await this._cluster.sendCommand(key, false, ['PING']);
        else await this._client!.sendCommand(['PING']);
    }

    /** One of the scripts given at construction, on key's node. */
    public async script(name: string, key: string, args: string[]): Promise<SessionsRedisReply> {
        const target = (this._cluster ?? this._client!) as unknown as Record<string, ScriptCall>;
        return await target[name].call(target, key, ...args);
    }

    /** Sends args to every master (a cluster's, or the one server): what SCAN needs. */
    public async masters(): Promise<Array<(...args: string[]) => Promise<SessionsRedisReply>>> {
        if (this._cluster == null) {
            const client = this._client!;
            return [async (...args: string[]) => await client.sendCommand(args)];
        }
        const cluster = this._cluster;
        const clients = await Promise.all(cluster.masters.map(async master => await cluster.nodeClient(master)));
        return clients.map(client => async (...args: string[]) => await client.sendCommand(args) as SessionsRedisReply);
    }

    /** Closes after the replies in flight; drops the connection at once if that fails. */
    public async close(): Promise<void> {
        const target = this._cluster ?? this._client!;
        try {
            await target.close();
        } catch {
            this.destroy();
        }
    }

    public destroy(): void {
        try {
            (this._cluster ?? this._client!).destroy();
        } catch {
            // Already closed.
        }
    }

    /** Whether err is the server's answer (a script's error, a wrong type), not a lost connection or a timeout. */
    public static isServerReply(err: unknown): err is ErrorReply {
        return err instanceof ErrorReply;
    }
}
