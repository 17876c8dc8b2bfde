import * as net from 'net';

/**
 * One raw tcp connection to a Seneca listener, speaking seneca-transport's framing by
 * hand: lines out, reply lines in, in order of arrival. Every wait is time-limited.
 */
export class SenecaTcpLines {
    /** Bytes handed to the socket so far. */
    public written = 0;
    /** Set once the server ended or closed the connection. */
    public ended = false;
    private readonly _socket: net.Socket;
    private readonly _replies: string[] = [];
    private _received = '';
    private _notify: (() => void) | null = null;

    private constructor(socket: net.Socket) {
        this._socket = socket;
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
            this._received += chunk;
            let end = this._received.indexOf('\n');
            while (end >= 0) {
                this._replies.push(this._received.slice(0, end));
                this._received = this._received.slice(end + 1);
                end = this._received.indexOf('\n');
            }
            this._notify?.();
        });
        const finished = (): void => {
            this.ended = true;
            this._notify?.();
        };
        socket.on('end', finished);
        socket.on('close', finished);
        socket.on('error', finished);
    }

    public static async connect(port: number): Promise<SenecaTcpLines> {
        return await new Promise<SenecaTcpLines>((resolve, reject) => {
            const socket = net.connect(port, '127.0.0.1', () => {
                socket.off('error', reject);
                resolve(new SenecaTcpLines(socket));
            });
            socket.once('error', reject);
        });
    }

    /** Writes text and waits until the socket took it (or failed). */
    public async write(text: string | Buffer): Promise<void> {
        await new Promise<void>((resolve) => {
            if (this._socket.destroyed || !this._socket.writable) {
                resolve();
                return;
            }
            this._socket.write(text, () => resolve());
        });
        this.written += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    }

    /** The next reply line, or null if none came within timeoutMs or the connection ended first. */
    public async nextReply(timeoutMs = 3000): Promise<string | null> {
        const deadline = Date.now() + timeoutMs;
        while (this._replies.length === 0 && !this.ended && Date.now() < deadline) await this.waitForEvent(deadline - Date.now());
        return this._replies.shift() ?? null;
    }

    /** Waits until the server ends the connection; false if it did not within timeoutMs. */
    public async waitForEnd(timeoutMs: number): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        while (!this.ended && Date.now() < deadline) await this.waitForEvent(deadline - Date.now());
        return this.ended;
    }

    public destroy(): void {
        this._socket.destroy();
    }

    private async waitForEvent(timeoutMs: number): Promise<void> {
        await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
                this._notify = null;
                resolve();
            }, Math.max(1, timeoutMs));
            this._notify = () => {
                clearTimeout(timer);
                this._notify = null;
                resolve();
            };
        });
    }
}
