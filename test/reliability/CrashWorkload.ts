import { RawHttpClient } from './RawHttpClient';
import { SeededRandom } from './SeededRandom';
import { StoreSnapshot } from './StoreSnapshot';
import { SessionWrite, TrackedSession } from './TrackedSession';

/** An open_session sent and not acknowledged: the session may exist after the crash, under its unique user_id. */
interface PendingOpen {
    readonly owner: number;
    readonly args: Record<string, unknown>;
}

/** What the clients did in one round. */
export interface LoadResult {
    acknowledged: number;
    inFlightAtKill: number;
    failures: string[];
}

/** How the store compared with the acknowledged writes after a restart. */
export interface StoreCheck {
    sessions: number;
    asAcknowledged: number;
    inFlightApplied: number;
    inFlightNotApplied: number;
    problems: string[];
}

/** Requests per client per round at most: the kill comes long before. */
const MAX_REQUESTS = 5000;

/**
 * The crash test's load: clients that open sessions and write to them over HTTP
 * (store_session_data, update_session_user, close_session), each client writing only
 * its own sessions and one request at a time, so that every session has at most one
 * write in flight when the service is killed. It remembers every acknowledged reply
 * and every unacknowledged request, and checks the restarted store against them.
 */
export class CrashWorkload {
    public readonly sessions = new Map<string, TrackedSession>();
    private readonly _clients: number;
    private readonly _random: SeededRandom;
    private _pendingOpens: PendingOpen[] = [];
    private _writes = 0;

    public constructor(clients: number, random: SeededRandom) {
        this._clients = clients;
        this._random = random;
    }

    /** Runs every client until the service stops answering (it is killed); resolves once all have stopped. */
    public async run(http: RawHttpClient, round: number, killed: () => boolean): Promise<LoadResult> {
        const result: LoadResult = { acknowledged: 0, inFlightAtKill: 0, failures: [] };
        await Promise.all(Array.from({ length: this._clients }, (_, index) => this.client(http, round, index, killed, result)));
        result.inFlightAtKill = this._pendingOpens.length
            + [...this.sessions.values()].filter(session => session.inFlight != null).length;
        return result;
    }

    /** Compares the restarted store with what was acknowledged; settles every write that was in flight. */
    public check(snapshot: StoreSnapshot): StoreCheck {
        const result: StoreCheck = { sessions: snapshot.sessions.size, asAcknowledged: 0, inFlightApplied: 0, inFlightNotApplied: 0, problems: [] };
        const known = new Set<string>();
        for (const session of this.sessions.values()) {
            known.add(session.id);
            const checked = session.check(snapshot.sessions.get(session.id));
            switch (checked.outcome) {
                case 'as acknowledged': result.asAcknowledged++; break;
                case 'in-flight write applied': result.inFlightApplied++; break;
                case 'in-flight write not applied': result.inFlightNotApplied++; break;
                default: result.problems.push('session ' + session.id.slice(0, 8) + '...: ' + checked.problem);
            }
        }
        for (const open of this._pendingOpens) {
            const found = [...snapshot.sessions].filter(([id, text]) =>
                !known.has(id) && (JSON.parse(text) as { user_id: string }).user_id === open.args.user_id);
            if (found.length === 0) {
                result.inFlightNotApplied++;
                continue;
            }
            const [id, text] = found[0];
            const session = JSON.parse(text) as Record<string, unknown>;
            const mismatched = Object.keys(open.args).filter(key => JSON.stringify(session[key]) !== JSON.stringify(open.args[key]));
            if (found.length > 1) result.problems.push('an unacknowledged open_session made ' + found.length + ' sessions');
            else if (mismatched.length > 0 || session.active !== true) {
                result.problems.push('an unacknowledged open_session is half applied (' + mismatched.join(', ') + '): ' + text.slice(0, 300));
            } else {
                result.inFlightApplied++;
            }
            known.add(id);
            this.sessions.set(id, new TrackedSession(text, open.owner));
        }
        this._pendingOpens = [];
        for (const [id, text] of snapshot.sessions) {
            if (!known.has(id)) result.problems.push('a session nobody opened: ' + text.slice(0, 300));
        }
        if (snapshot.total !== snapshot.sessions.size) {
            result.problems.push('get_sessions counts ' + snapshot.total + ' sessions but lists ' + snapshot.sessions.size);
        }
        return result;
    }

    private async client(http: RawHttpClient, round: number, index: number, killed: () => boolean, result: LoadResult): Promise<void> {
        for (let request = 0; request < MAX_REQUESTS; request++) {
            const mine = [...this.sessions.values()].filter(session => session.owner === index && !session.closed);
            const chance = this._random.next();
            let command: string;
            let args: Record<string, unknown>;
            let session: TrackedSession | null = null;
            let open: PendingOpen | null = null;
            if (mine.length < 2 || chance < 0.08) {
                command = 'open_session';
                args = {
                    user_id: 'crash-r' + round + '-c' + index + '-' + (++this._writes), user_name: 'Client ' + index,
                    address: '10.1.0.' + index, client: 'crash-test', user: this.user(), data: this.data(round, index)
                };
                open = { owner: index, args };
                this._pendingOpens.push(open);
            } else {
                session = this._random.pick(mine);
                const write: SessionWrite = chance < 0.55 ? { kind: 'store', data: this.data(round, index) }
                    : chance < 0.95 ? { kind: 'update', user: this.user() } : { kind: 'close' };
                session.send(write);
                command = write.kind === 'store' ? 'store_session_data' : write.kind === 'update' ? 'update_session_user' : 'close_session';
                args = write.kind === 'store' ? { session_id: session.id, data: write.data }
                    : write.kind === 'update' ? { session_id: session.id, user: write.user } : { session_id: session.id };
            }
            const reply = await http.send({
                method: 'POST', path: '/v1/sessions/' + command, headers: { 'Content-Type': 'application/json' },
                body: Buffer.from(JSON.stringify(args))
            });
            if (reply.status === 0) {
                // The service is gone: this request stays unacknowledged, and the client stops.
                if (!killed()) result.failures.push('client ' + index + ': ' + command + ' failed before the kill: ' + reply.failure);
                return;
            }
            if (reply.status !== 200) {
                result.failures.push('client ' + index + ': ' + command + ' answered ' + reply.status + ' ' + reply.text.slice(0, 200));
                return;
            }
            if (open != null) {
                this._pendingOpens.splice(this._pendingOpens.indexOf(open), 1);
                const opened = new TrackedSession(reply.text, index);
                this.sessions.set(opened.id, opened);
            } else {
                session!.acknowledge(reply.text);
            }
            result.acknowledged++;
        }
    }

    /** Session data of a few hundred bytes, unique per write, so the journal grows and compacts. */
    private data(round: number, client: number): Record<string, unknown> {
        const write = ++this._writes;
        return { write, round, client, items: [write % 7, 'v' + write], note: 'n'.repeat(this._random.integer(50, 600)) };
    }

    private user(): Record<string, unknown> {
        const write = ++this._writes;
        return { name: 'user-' + write, roles: ['role-' + (write % 3)], write };
    }
}
