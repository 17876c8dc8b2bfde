import * as net from 'net';

import { ApplicationException, BadRequestException } from 'pip-services3-commons-nodex';
import { ILogger } from 'pip-services3-components-nodex';

import { ByteSize } from '../../logic/ByteSize';
import { ISessionsSenecaListener } from './ISessionsSenecaListener';
import { SenecaMessage } from './ISenecaInstance';
import { SessionsSenecaListening } from './SessionsSenecaListening';
import { SessionsSenecaDispatcherV1 } from './SessionsSenecaDispatcherV1';
import { SessionsSenecaActionsV1 } from './SessionsSenecaActionsV1';
import { SessionsSenecaLineSplitter } from './SessionsSenecaLineSplitter';
import { SessionsSenecaEnvelopeV1 } from './SessionsSenecaReplyV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** Messages of one connection run at once; past that its lines wait, and it is not read. */
const MAX_IN_FLIGHT = 32;
/**
 * A line over the size limit is skipped up to this many times the limit, the connection
 * kept: a Seneca client sends every call over one connection, and cutting it would lose
 * the replies of the others (and race its next call into a 22 s timeout).
 */
const SKIP_FACTOR = 4;
/** How long a cut connection stays half-open, unread, before it is destroyed (the client sees the end at once). */
const LINGER_MS = 1000;

/**
 * seneca-transport's tcp wire format (one JSON frame per line) on Node's net, so Seneca clients talk
 * to it unchanged. Ours because seneca-transport's cannot be bounded from outside: here a line is
 * cut at maxLineSize and answered 413 (docs/seneca.md#the-listener).
 */
export class SessionsSenecaTcpListenerV1 implements ISessionsSenecaListener {
    private readonly _dispatcher: SessionsSenecaDispatcherV1;
    private readonly _logger: ILogger;
    private readonly _maxLineSize: number;
    private readonly _connections = new Set<net.Socket>();
    private _server: net.Server | null = null;
    private _inFlight = 0;
    private _closing = false;

    public constructor(dispatcher: SessionsSenecaDispatcherV1, logger: ILogger, maxLineSize: number) {
        this._dispatcher = dispatcher;
        this._logger = logger;
        this._maxLineSize = maxLineSize;
    }

    public get connectionCount(): number {
        return this._connections.size;
    }

    public async listen(host: string, port: number): Promise<number> {
        const server = net.createServer(socket => this.accept(socket));
        const bound = await SessionsSenecaListening.start(server, host, port, this._logger, 'tcp');
        this._server = server;
        return bound;
    }

    /** Stops accepting and reading, lets the messages running answer (up to graceMs), then drops every connection. */
    public async close(graceMs = 10000): Promise<void> {
        const server = this._server;
        if (server == null) return;
        this._server = null;
        this._closing = true;
        const closed = new Promise<void>(resolve => server.close(() => resolve()));
        for (const socket of this._connections) socket.pause();
        const deadline = Date.now() + graceMs;
        while (this._inFlight > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10));
        for (const socket of this._connections) socket.destroy();
        await closed;
    }

    private accept(socket: net.Socket): void {
        if (this._closing) {
            socket.destroy();
            return;
        }
        this._connections.add(socket);
        socket.once('close', () => this._connections.delete(socket));
        socket.setNoDelay(true);
        socket.on('error', (err: NodeJS.ErrnoException) => {
            this._logger.debug('', 'Seneca tcp connection failed: %s', err.code ?? err.message);
        });

        const splitter = new SessionsSenecaLineSplitter(this._maxLineSize, this.maxSkipSize);
        let lines: string[] = [];
        let next = 0;
        let running = 0;
        let cut = false;
        const pump = (): void => {
            while (next < lines.length && running < MAX_IN_FLIGHT && !cut && !this._closing) {
                const line = lines[next++];
                running++;
                this._inFlight++;
                this.answer(line)
                    .then((reply) => {
                        if (reply != null && socket.writable && !cut) socket.write(reply);
                    })
                    .catch((err: unknown) => this._logger.error('', err as Error, 'Answering a Seneca tcp line failed'))
                    .finally(() => {
                        running--;
                        this._inFlight--;
                        pump();
                    });
            }
            if (next >= lines.length) {
                lines = [];
                next = 0;
            }
            if (cut || this._closing) return;
            // Read on only while this connection's messages run, wait and reply within bounds.
            if (next < lines.length || running >= MAX_IN_FLIGHT || socket.writableNeedDrain) socket.pause();
            else socket.resume();
        };
        socket.on('drain', pump);
        socket.on('data', (chunk: Buffer) => {
            if (cut) return;
            const framed = splitter.push(chunk, (line) => {
                if (line.trim() !== '') lines.push(line);
            }, head => this.refuseOversized(socket, head));
            if (!framed) {
                cut = true;
                lines = [];
                this.cut(socket);
                return;
            }
            pump();
        });
    }

    /** The reply line for one line, or null when the frame asked for none (sync false). */
    private async answer(line: string): Promise<string | null> {
        const listenRecv = Date.now();
        let parsed: unknown;
        try {
            parsed = JSON.parse(line);
        } catch {
            this._logger.debug('', 'Refused a Seneca tcp line of %d characters: not JSON', line.length);
            return this.replyLine({}, null, listenRecv, SessionsSenecaDispatcherV1.refusal(
                new BadRequestException(undefined, SessionsErrorCode.INVALID_JSON, 'The line is not valid JSON')));
        }
        if (!SessionsSenecaTcpListenerV1.isObject(parsed)) {
            this._logger.debug('', 'Refused a Seneca tcp line: not a JSON object');
            return this.replyLine({}, null, listenRecv, SessionsSenecaDispatcherV1.refusal(
                SessionsSenecaTcpListenerV1.invalidFrame('a frame must be a JSON object')));
        }
        const frame = parsed;
        // seneca-transport replies only to frames that ask for it; a caller that sent sync false waits for nothing.
        const noReply = frame.sync != null && !frame.sync;
        const id = typeof frame.id === 'string' && frame.id !== '' ? frame.id : null;
        const problem = frame.kind !== 'act' ? 'kind must be "act"'
            : id == null ? 'id must be a non-empty string'
                : !SessionsSenecaTcpListenerV1.isObject(frame.act) ? 'act (the message) must be a JSON object' : null;
        if (problem != null) {
            this._logger.debug('', 'Refused a Seneca tcp frame: %s', problem);
            return noReply ? null : this.replyLine(frame, id, listenRecv,
                SessionsSenecaDispatcherV1.refusal(SessionsSenecaTcpListenerV1.invalidFrame(problem)));
        }
        const time = SessionsSenecaTcpListenerV1.isObject(frame.time) ? frame.time : {};
        const envelope = await this._dispatcher.dispatch(frame.act as SenecaMessage, {
            id: id!, origin: frame.origin, track: Array.isArray(frame.track) ? frame.track : [], clientSent: time.client_sent ?? 0
        });
        return noReply ? null : this.replyLine(frame, id, listenRecv, envelope);
    }

    /**
     * Answers a line over the size limit with 413 as soon as it passes the limit, when its
     * start names the frame's id (seneca-transport writes id and origin first), so that
     * a client can match it; the splitter skips the rest of the line.
     */
    private refuseOversized(socket: net.Socket, head: Buffer): void {
        this._logger.warn('', 'Refused a Seneca tcp line over %d bytes', this._maxLineSize);
        const start = head.toString('utf8');
        const id = SessionsSenecaTcpListenerV1.leadingString(start, 'id');
        if (id == null || !socket.writable) return;
        const origin = SessionsSenecaTcpListenerV1.leadingString(start, 'origin');
        socket.write(this.replyLine({ origin: origin ?? undefined, sync: true }, id, Date.now(),
            SessionsSenecaDispatcherV1.refusal(new BadRequestException(undefined, SessionsErrorCode.PAYLOAD_TOO_LARGE,
                'Message larger than ' + ByteSize.describe(this._maxLineSize, SessionsSenecaActionsV1.LimitSetting)).withStatus(413))));
    }

    /** Closes a connection whose line passed the skip limit, reading none of the rest. */
    private cut(socket: net.Socket): void {
        this._logger.warn('', 'Closed a Seneca tcp connection: a line passed %d bytes', this.maxSkipSize);
        socket.pause();
        socket.end();
        const timer = setTimeout(() => socket.destroy(), LINGER_MS);
        socket.once('close', () => clearTimeout(timer));
    }

    /** The longest line skipped before the connection is cut. */
    private get maxSkipSize(): number {
        return this._maxLineSize * SKIP_FACTOR;
    }

    private replyLine(frame: Record<string, unknown>, id: string | null, listenRecv: number, envelope: SessionsSenecaEnvelopeV1): string {
        const time = SessionsSenecaTcpListenerV1.isObject(frame.time) ? frame.time : {};
        return JSON.stringify({
            id, kind: 'res', origin: frame.origin, accept: this._dispatcher.acceptId, track: frame.track,
            time: { client_sent: time.client_sent ?? 0, listen_recv: listenRecv, listen_sent: Date.now() },
            sync: frame.sync, res: envelope
        }) + '\n';
    }

    /** A string field near the start of a JSON text cut short, before its act (an id inside the message is not the frame's). */
    private static leadingString(start: string, field: string): string | null {
        const actAt = start.search(/"act"\s*:/);
        const before = actAt >= 0 ? start.slice(0, actAt) : start;
        const match = new RegExp('[{,]\\s*"' + field + '"\\s*:\\s*("(?:[^"\\\\]|\\\\.){1,256}")').exec(before);
        if (match == null) return null;
        try {
            return JSON.parse(match[1]) as string;
        } catch {
            return null;
        }
    }

    private static invalidFrame(problem: string): ApplicationException {
        return new BadRequestException(undefined, SessionsErrorCode.INVALID_FRAME, 'Not a Seneca act frame: ' + problem);
    }

    private static isObject(value: unknown): value is Record<string, unknown> {
        return value != null && typeof value === 'object' && !Array.isArray(value);
    }
}
