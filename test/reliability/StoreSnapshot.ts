import { RawHttpClient } from './RawHttpClient';

const PAGE = 100;

/**
 * Every session in the store as JSON text (get_session_by_id, byte for byte), and the
 * store's total (get_sessions). A snapshot taken before some requests, with the results
 * of the accepted ones applied to it (apply()), must equal one taken after them: then
 * no rejected request changed anything.
 */
export class StoreSnapshot {
    public readonly sessions: Map<string, string>;
    public total: number;

    private constructor(sessions: Map<string, string>, total: number) {
        this.sessions = sessions;
        this.total = total;
    }

    /** lanes: how many sessions to read at once (the client needs as many connections). */
    public static async take(http: RawHttpClient, lanes = 1): Promise<StoreSnapshot> {
        const ids: string[] = [];
        let total = 0;
        // Bounded: the tests keep their stores to a few thousand sessions.
        for (let skip = 0, page = 0; page < 100; page++, skip += PAGE) {
            const reply = await StoreSnapshot.call(http, 'get_sessions', { paging: { skip, take: PAGE, total: true } });
            const body = JSON.parse(reply) as { total: number; data: Array<{ id: string }> };
            total = body.total;
            for (const item of body.data) ids.push(item.id);
            if (body.data.length < PAGE || ids.length >= total) break;
        }
        const texts = new Map<string, string>();
        const pending = ids.slice();
        await Promise.all(Array.from({ length: lanes }, async () => {
            for (let id = pending.pop(); id != null; id = pending.pop()) {
                texts.set(id, StoreSnapshot.normalize(await StoreSnapshot.call(http, 'get_session_by_id', { session_id: id })));
            }
        }));
        const sessions = new Map<string, string>();
        for (const id of ids.sort()) sessions.set(id, texts.get(id)!);
        return new StoreSnapshot(sessions, total);
    }

    public copy(): StoreSnapshot {
        return new StoreSnapshot(new Map(this.sessions), this.total);
    }

    /** What an accepted call's result says changed (the result is the session as stored, or the one deleted). */
    public apply(command: string, resultText: string): void {
        if (resultText === '' || resultText === 'null') return;
        const session = JSON.parse(resultText) as { id?: unknown };
        if (typeof session?.id !== 'string') return;
        switch (command) {
            case 'open_session':
                if (!this.sessions.has(session.id)) this.total++;
                this.sessions.set(session.id, StoreSnapshot.normalize(resultText));
                break;
            case 'store_session_data':
            case 'update_session_user':
            case 'close_session':
                this.sessions.set(session.id, StoreSnapshot.normalize(resultText));
                break;
            case 'delete_session_by_id':
                if (this.sessions.delete(session.id)) this.total--;
                break;
            default:
                // Reads change nothing; close_expired_sessions closes nothing (the expiry is a day).
                break;
        }
    }

    /** How actual differs from this expected snapshot; empty when byte-identical. */
    public differences(actual: StoreSnapshot): string[] {
        const found: string[] = [];
        if (actual.total !== this.total) found.push('total ' + actual.total + ', expected ' + this.total);
        for (const [id, text] of this.sessions) {
            const other = actual.sessions.get(id);
            if (other == null) found.push('session ' + id.slice(0, 8) + '... is gone');
            else if (other !== text) found.push('session ' + id.slice(0, 8) + '... changed: ' + StoreSnapshot.firstDifference(text, other));
        }
        for (const id of actual.sessions.keys()) {
            if (!this.sessions.has(id)) found.push('session ' + id.slice(0, 8) + '... appeared: ' + actual.sessions.get(id)!.slice(0, 200));
        }
        return found;
    }

    public static normalize(text: string): string {
        return JSON.stringify(JSON.parse(text));
    }

    private static firstDifference(expected: string, actual: string): string {
        let index = 0;
        while (index < expected.length && expected[index] === actual[index]) index++;
        const from = Math.max(0, index - 40);
        return 'expected ...' + expected.slice(from, index + 80) + '... found ...' + actual.slice(from, index + 80) + '...';
    }

    private static async call(http: RawHttpClient, command: string, args: unknown): Promise<string> {
        const reply = await http.send({
            method: 'POST', path: '/v1/sessions/' + command, headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(args))
        });
        if (reply.status !== 200) {
            throw new Error('Reading the store: ' + command + ' answered ' + reply.status + ' ' + (reply.failure ?? reply.text.slice(0, 300)));
        }
        return reply.text;
    }
}
