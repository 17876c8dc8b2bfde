import { isDeepStrictEqual } from 'util';

import { MongoServiceProcess, SessionJson, TimedReply, replyJson } from './MongoServiceProcess';

export type OutageCommand = 'open_session' | 'store_session_data' | 'get_session_by_id';

export interface OutageExchange extends TimedReply {
    readonly command: OutageCommand;
}

/** The data a client writes: unique per write, so a stored value names the write it came from. */
export interface OutageData {
    client: number;
    user_id: string;
    seq: number;
}

/** What a client knows of one session: its last acknowledged data, and the writes sent after it that got a 503. */
export interface OutageSession {
    readonly id: string;
    readonly userId: string;
    acknowledged: OutageData;
    unacknowledged: OutageData[];
}

const MAX_REQUESTS = 30000;
const STORES_PER_SESSION = 3;
/**
 * A client's pause after a 503, as a real client backs off: at full speed the fast 503s of
 * a 10 s outage reached MAX_REQUESTS before the server came back, and the load stopped
 * before it could see the recovery.
 */
const BACKOFF_AFTER_503_MS = 20;

/**
 * Load on one service while its database goes away: clients that open sessions (each with a
 * unique user_id), store data in them and read them back, one request at a time each, and a
 * prober on /heartbeat and /ready. It records every exchange, every acknowledged write and
 * every write that got a 503 (its outcome unknown), and what the clients saw that they
 * should not have.
 */
export class OutageLoad {
    /** How often /heartbeat and /ready are probed, between answers. */
    public static readonly ProbeIntervalMs = 250;
    public readonly exchanges: OutageExchange[] = [];
    public readonly probes: Array<{ route: string } & TimedReply> = [];
    public readonly sessions: OutageSession[] = [];
    public readonly unacknowledgedOpens: OutageData[] = [];
    public readonly violations: string[] = [];
    private _stop = false;
    private _running: Promise<unknown> | null = null;

    public constructor(private readonly _api: MongoServiceProcess, private readonly _clients: number) {
    }

    public start(): void {
        this._running = Promise.all([...Array.from({ length: this._clients }, (_, client) => this.client(client)), this.probe()]);
    }

    public async stop(): Promise<void> {
        this._stop = true;
        await this._running;
    }

    /** The first success of a request started at or after moment, by when it ended. */
    public firstSuccessAfter(moment: number): OutageExchange | undefined {
        return this.exchanges.filter(item => item.status === 200 && item.started >= moment)
            .sort((a, b) => (a.started + a.latency) - (b.started + b.latency))[0];
    }

    /** The values a session may hold: its last acknowledged data, or a later write that got a 503. */
    public static allowed(session: OutageSession): OutageData[] {
        return [session.acknowledged, ...session.unacknowledged];
    }

    private async send(command: OutageCommand, args: Record<string, unknown>): Promise<OutageExchange> {
        const reply = { command, ...await this._api.call(command, args) };
        this.exchanges.push(reply);
        if (reply.status === 503) await new Promise(resolve => setTimeout(resolve, BACKOFF_AFTER_503_MS));
        return reply;
    }

    private async client(client: number): Promise<void> {
        for (let round = 0; !this._stop && this.exchanges.length < MAX_REQUESTS; round++) {
            const userId = 'load-' + client + '-' + round;
            const first: OutageData = { client, user_id: userId, seq: 0 };
            const opened = await this.send('open_session', { user_id: userId, data: first });
            if (opened.status !== 200) {
                if (opened.status === 503) this.unacknowledgedOpens.push(first);
                continue;
            }
            const session: OutageSession = { id: replyJson<SessionJson>(opened).id, userId, acknowledged: first, unacknowledged: [] };
            this.sessions.push(session);
            for (let seq = 1; seq <= STORES_PER_SESSION && !this._stop; seq++) {
                const data: OutageData = { client, user_id: userId, seq };
                const stored = await this.send('store_session_data', { session_id: session.id, data });
                if (stored.status === 200) {
                    if (!isDeepStrictEqual(replyJson<SessionJson>(stored).data, data)) {
                        this.violations.push('store_session_data answered other data than it stored: ' + stored.text);
                    }
                    session.acknowledged = data;
                    session.unacknowledged = [];
                } else if (stored.status === 503) {
                    session.unacknowledged.push(data);
                } else if (stored.status === 204) {
                    this.violations.push('store_session_data found no session ' + userId + ' (opened and acknowledged)');
                }
                const read = await this.send('get_session_by_id', { session_id: session.id });
                if (read.status === 200) {
                    const seen = replyJson<SessionJson>(read).data;
                    if (!OutageLoad.allowed(session).some(value => isDeepStrictEqual(seen, value))) {
                        this.violations.push('get_session_by_id read ' + JSON.stringify(seen) + ' for ' + userId
                            + ', acknowledged ' + JSON.stringify(session.acknowledged));
                    }
                } else if (read.status === 204) {
                    this.violations.push('get_session_by_id found no session ' + userId + ' (opened and acknowledged)');
                }
            }
        }
    }

    private async probe(): Promise<void> {
        while (!this._stop) {
            const [heartbeat, ready] = await Promise.all([this._api.get('/heartbeat'), this._api.get('/ready')]);
            this.probes.push({ route: '/heartbeat', ...heartbeat }, { route: '/ready', ...ready });
            await new Promise(resolve => setTimeout(resolve, OutageLoad.ProbeIntervalMs));
        }
    }
}
