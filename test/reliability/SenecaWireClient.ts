import * as net from 'net';

/** What one raw seneca-transport tcp frame got back. */
export interface SenecaWireReply {
    /** The reply line as sent (empty when there was none). */
    text: string;
    /** The parsed reply frame, when there was one. */
    frame: { res?: unknown; error?: unknown } | null;
    /**
     * 'reply'; 'ignored' (a line the transport answers with nothing); 'closed' (the
     * service dropped the connection); 'silent' (nothing at all within the wait).
     */
    outcome: 'reply' | 'ignored' | 'closed' | 'silent';
}

/**
 * seneca-transport's tcp protocol spoken by hand, as any program can: one JSON line per
 * frame (`{id, kind: 'act', origin, sync: true, act}`), one JSON line back. Frames
 * the test composes as text, so they can hold what JSON.stringify would never write
 * (`__proto__` keys, depth 10,000). Well-formed frames share one kept connection; a
 * malformed line goes on a fresh one, so that whatever it does to its connection (the
 * service answers it with an error envelope; seneca-transport dropped the connection)
 * touches no other frame.
 */
export class SenecaWireClient {
    private readonly _port: number;
    private readonly _timeoutMs: number;
    private _socket: net.Socket | null = null;
    private _received = '';
    // The pending act's callback: a reply line, or null when the connection closed.
    private _waiting: ((line: string | null) => void) | null = null;
    private _frames = 0;

    public constructor(port: number, timeoutMs = 30000) {
        this._port = port;
        this._timeoutMs = timeoutMs;
    }

    /** Frames act (JSON text of the message) as a sync act and waits for its reply line. */
    public async act(actText: string): Promise<SenecaWireReply> {
        const id = 'r' + (++this._frames) + '/reliability';
        const frame = '{"id":"' + id + '","kind":"act","origin":"reliability-test","sync":true,"act":' + actText + '}';
        const socket = await this.connection();
        const outcome = await new Promise<{ line: string } | 'closed' | 'silent'>((resolve) => {
            const timer = setTimeout(() => {
                this._waiting = null;
                resolve('silent');
            }, this._timeoutMs);
            this._waiting = (line) => {
                clearTimeout(timer);
                this._waiting = null;
                resolve(line == null ? 'closed' : { line });
            };
            socket.write(frame + '\n');
        });
        if (typeof outcome === 'string') {
            // Whatever may still arrive on this connection belongs to a frame given up on.
            this.drop();
            return { text: '', frame: null, outcome };
        }
        return { text: outcome.line, frame: JSON.parse(outcome.line) as SenecaWireReply['frame'], outcome: 'reply' };
    }

    /**
     * Sends one line as it is on a fresh connection, followed by a probe (a valid act
     * frame). The probe's reply shows that the line was read and answered or ignored
     * without waiting for a timeout; a connection that closes instead shows as 'closed'
     * (the service only closes one whose line runs past 4 times its size limit). Outcome: 'reply' (the line got its own reply line, in text and
     * frame), 'ignored' (only the probe was answered), 'closed', or 'silent' (neither
     * within waitMs: the connection hangs).
     */
    public async sendLine(line: string, probeActText: string, waitMs: number): Promise<SenecaWireReply> {
        const probeId = 'probe' + (++this._frames) + '/reliability';
        const probe = '{"id":"' + probeId + '","kind":"act","origin":"reliability-test","sync":true,"act":' + probeActText + '}';
        return await new Promise<SenecaWireReply>((resolve) => {
            let received = '';
            let own: string | null = null;
            let settled = false;
            let grace: NodeJS.Timeout | null = null;
            const socket = net.connect(this._port, '127.0.0.1', () => socket.write(line + '\n' + probe + '\n'));
            const finish = (outcome: SenecaWireReply['outcome']): void => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                if (grace != null) clearTimeout(grace);
                socket.destroy();
                let frame: SenecaWireReply['frame'] = null;
                if (own != null) {
                    try {
                        frame = JSON.parse(own) as SenecaWireReply['frame'];
                    } catch {
                        frame = null;
                    }
                }
                resolve({ text: own ?? '', frame, outcome: own != null ? 'reply' : outcome });
            };
            const timer = setTimeout(() => finish('silent'), waitMs);
            // Decoded across chunks: a character may be split between two of them.
            socket.setEncoding('utf8');
            socket.on('data', (chunk: string) => {
                received += chunk;
                let end = received.indexOf('\n');
                while (end >= 0) {
                    const reply = received.slice(0, end);
                    received = received.slice(end + 1);
                    if (reply.includes('"' + probeId + '"')) {
                        // A reply to the line itself may come just after the probe's (both run asynchronously).
                        if (grace == null) grace = setTimeout(() => finish('ignored'), 20);
                    } else {
                        own = reply;
                        if (grace != null) finish('reply');
                    }
                    end = received.indexOf('\n');
                }
            });
            socket.on('close', () => finish('closed'));
            socket.on('error', () => finish('closed'));
        });
    }

    public close(): void {
        this.drop();
    }

    private async connection(): Promise<net.Socket> {
        if (this._socket != null && !this._socket.destroyed) return this._socket;
        const socket = await new Promise<net.Socket>((resolve, reject) => {
            const connecting = net.connect(this._port, '127.0.0.1', () => {
                connecting.off('error', reject);
                resolve(connecting);
            });
            connecting.once('error', reject);
        });
        this._received = '';
        // Decoded across chunks: a character may be split between two of them.
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
            this._received += chunk;
            let end = this._received.indexOf('\n');
            while (end >= 0) {
                const line = this._received.slice(0, end);
                this._received = this._received.slice(end + 1);
                this._waiting?.(line);
                end = this._received.indexOf('\n');
            }
        });
        const closed = (): void => {
            if (this._socket === socket) this._socket = null;
            this._waiting?.(null);
        };
        socket.on('close', closed);
        socket.on('error', closed);
        this._socket = socket;
        return socket;
    }

    private drop(): void {
        this._socket?.destroy();
        this._socket = null;
    }
}
