import { BenchOp, BenchScenario } from './BenchOptions';
import { BenchSessions } from './BenchSessions';

/**
 * The request bodies of one cell, made before it runs and cycled through: on two cores the
 * load generator shares the machine with the service, and building JSON per request made
 * it the bottleneck rather than the service under test.
 */
export class BenchRequests {
    /** Bodies per run, cycled. */
    public static readonly Count = 4096;
    private static _counter = 0;

    /** The command a bench operation calls. */
    public static command(op: BenchOp | 'bare'): string {
        return op === 'validate_touching' ? 'validate_session' : op;
    }

    /** Whether the cell makes sense: spread needs sessions to spread over; opens and closes are only spread. */
    public static applies(op: BenchOp, scenario: BenchScenario, size: number): boolean {
        const spreadOnly = op === 'open_session' || op === 'close_session' || op === 'get_sessions';
        const needsSessions = scenario === 'spread' && op !== 'open_session';
        return (!spreadOnly || scenario === 'spread') && (!needsSessions || size > 0);
    }

    public static bodies(op: BenchOp | 'bare', scenario: BenchScenario, sessions: BenchSessions): string[] {
        return Array.from({ length: BenchRequests.Count }, () => BenchRequests.body(op, scenario, sessions, BenchRequests._counter++));
    }

    private static body(op: BenchOp | 'bare', scenario: BenchScenario, sessions: BenchSessions, counter: number): string {
        const sessionId = scenario === 'hot' ? sessions.hotId : sessions.randomId();
        switch (op) {
            case 'open_session':
                // New users signing in: opening sessions for the preloaded users would grow
                // their pages and skew the later get_sessions runs.
                return JSON.stringify({ user_id: 'new' + counter, user_name: 'Bench User', address: '127.0.0.1', client: 'bench', data: { n: counter } });
            case 'bare':
            case 'get_session_by_id':
            case 'validate_session':
            case 'validate_touching':
                return JSON.stringify({ session_id: sessionId });
            case 'close_session':
                return JSON.stringify({ session_id: sessions.toClose.length > 0 ? sessions.toClose[counter % sessions.toClose.length] : sessionId });
            case 'store_session_data':
                return JSON.stringify({ session_id: sessionId, data: { n: counter, cart: ['a', 'b'] } });
            case 'update_session_user':
                return JSON.stringify({ session_id: sessionId, user: { id: 'u' + (counter % 100), roles: ['user'], n: counter } });
            case 'get_sessions':
                return JSON.stringify({ filter: { user_id: sessions.randomUser() }, paging: { skip: 0, take: 10 } });
        }
    }
}
