import { randomBytes } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { Duplex } from 'stream';

import { ApplicationException, BadRequestException, NotFoundException } from 'pip-services3-commons-nodex';
import { ILogger } from 'pip-services3-components-nodex';

import { ByteSize } from '../../logic/ByteSize';
import { ISessionsSenecaListener } from './ISessionsSenecaListener';
import { SenecaMessage } from './ISenecaInstance';
import { SessionsSenecaListening } from './SessionsSenecaListening';
import { SenecaRemoteOrigin, SessionsSenecaDispatcherV1 } from './SessionsSenecaDispatcherV1';
import { SessionsSenecaActionsV1 } from './SessionsSenecaActionsV1';
import { SessionsSenecaEnvelopeV1 } from './SessionsSenecaReplyV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** How long a connection cut for an oversized body stays open, unread, so the client reads its 413 before the reset. */
const LINGER_MS = 1000;
/** The longest seneca-* header value echoed back. */
const MAX_HEADER_TEXT = 256;

/**
 * seneca-transport's http wire format (a message POSTed to /act, seneca-* headers) on Node's http,
 * so Seneca clients and curl work unchanged. Ours because seneca-transport's reads a body of any
 * size and leaks a file path and the process id (docs/seneca.md#the-listener).
 */
export class SessionsSenecaHttpListenerV1 implements ISessionsSenecaListener {
    private readonly _dispatcher: SessionsSenecaDispatcherV1;
    private readonly _logger: ILogger;
    private readonly _maxBodySize: number;
    private readonly _path: string;
    private readonly _connections = new Set<net.Socket>();
    private _server: http.Server | null = null;
    private _inFlight = 0;
    private _closing = false;

    public constructor(dispatcher: SessionsSenecaDispatcherV1, logger: ILogger, maxBodySize: number, path = '/act') {
        this._dispatcher = dispatcher;
        this._logger = logger;
        this._maxBodySize = maxBodySize;
        this._path = path;
    }

    public get connectionCount(): number {
        return this._connections.size;
    }

    public async listen(host: string, port: number): Promise<number> {
        const server = http.createServer((req, res) => this.handle(req, res));
        server.on('connection', (socket: net.Socket) => {
            this._connections.add(socket);
            socket.once('close', () => this._connections.delete(socket));
        });
        server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => SessionsSenecaHttpListenerV1.answerClientError(err, socket));
        const bound = await SessionsSenecaListening.start(server, host, port, this._logger, 'http');
        this._server = server;
        return bound;
    }

    /** Stops accepting, lets the messages running answer (up to graceMs), then drops every connection. */
    public async close(graceMs = 10000): Promise<void> {
        const server = this._server;
        if (server == null) return;
        this._server = null;
        this._closing = true;
        const closed = new Promise<void>(resolve => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + graceMs;
        while (this._inFlight > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10));
        server.closeAllConnections();
        for (const socket of this._connections) socket.destroy();
        await closed;
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        this._inFlight++;
        res.once('close', () => { this._inFlight--; });
        if (this._closing) res.setHeader('Connection', 'close');
        const listenRecv = Date.now();
        const chunks: Buffer[] = [];
        let size = 0;
        let refused = false;
        // Listening from the start: a request whose body is refused unread must not be drained by Node after the answer.
        req.on('data', (chunk: Buffer) => {
            if (refused) return;
            size += chunk.length;
            if (size > this._maxBodySize) {
                refused = true;
                chunks.length = 0;
                this.tooLarge(req, res);
            } else {
                chunks.push(chunk);
            }
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
            refused = true;
            this._logger.debug('', 'Seneca http request failed: %s', err.code ?? err.message);
        });
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > this._maxBodySize) {
            refused = true;
            this.tooLarge(req, res);
            return;
        }
        req.on('end', () => {
            if (refused) return;
            const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
            this.answer(req, res, body, listenRecv).catch((err: unknown) => {
                this._logger.error('', err as Error, 'Answering a Seneca http request failed');
                if (!res.headersSent) res.destroy();
            });
        });
    }

    private async answer(req: http.IncomingMessage, res: http.ServerResponse, body: string, listenRecv: number): Promise<void> {
        const from = this.originOf(req);
        let url: URL;
        try {
            url = new URL(req.url ?? '/', 'http://localhost');
        } catch {
            this.refuse(res, from, listenRecv, new BadRequestException(undefined, SessionsErrorCode.BAD_REQUEST, 'The request URL is not valid'));
            return;
        }
        if (url.pathname !== this._path) {
            this.refuse(res, from, listenRecv, new NotFoundException(undefined, SessionsErrorCode.RESOURCE_NOT_FOUND,
                'Seneca messages are POSTed to ' + this._path));
            return;
        }
        let message: unknown;
        try {
            message = body.trim() === '' ? {} : JSON.parse(body);
        } catch {
            this.refuse(res, from, listenRecv, new BadRequestException(undefined, SessionsErrorCode.INVALID_JSON, 'The request body is not valid JSON'));
            return;
        }
        if (message === null) message = {};
        if (typeof message !== 'object' || Array.isArray(message)) {
            this.refuse(res, from, listenRecv, new BadRequestException(undefined, SessionsErrorCode.INVALID_DATA,
                'The request body must be a JSON object (the message)'));
            return;
        }
        const act = message as SenecaMessage;
        // As seneca-transport, query fields are message fields too (curl -d '{}' '.../act?role=...'); defined, so that a
        // "__proto__" field stays a field and is refused by the actions.
        for (const [key, value] of url.searchParams) {
            Object.defineProperty(act, key, { value, enumerable: true, writable: true, configurable: true });
        }
        const envelope = await this._dispatcher.dispatch(act, from);
        this.send(res, 200, envelope, from, listenRecv);
    }

    /**
     * Answers 413 and closes the connection without reading the rest of the body. The
     * answer is written on the socket itself: through the response, Node would destroy
     * the socket as soon as it was written, and the reset that a socket with unread
     * bytes sends could reach the client before it read the answer.
     */
    private tooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
        this._logger.warn('', 'Refused a Seneca http request: its body passes %d bytes', this._maxBodySize);
        req.pause();
        const socket = req.socket;
        const error = new BadRequestException(undefined, SessionsErrorCode.PAYLOAD_TOO_LARGE, 'Message larger than ' + ByteSize.describe(this._maxBodySize, SessionsSenecaActionsV1.LimitSetting)).withStatus(413);
        const text = JSON.stringify(SessionsSenecaDispatcherV1.refusal(error));
        const headers = { ...this.headers(this.originOf(req), Date.now(), text), Connection: 'close' };
        if (!res.headersSent && socket.writable) {
            socket.end('HTTP/1.1 413 Payload Too Large\r\n' + Object.entries(headers).map(([name, value]) => name + ': ' + value + '\r\n')
                .join('') + '\r\n' + text);
        }
        const timer = setTimeout(() => socket.destroy(), LINGER_MS);
        socket.once('close', () => clearTimeout(timer));
    }

    private refuse(res: http.ServerResponse, from: SenecaRemoteOrigin, listenRecv: number, error: ApplicationException): void {
        this._logger.debug('', 'Refused a Seneca http request: %s', error.message);
        this.send(res, error.status, SessionsSenecaDispatcherV1.refusal(error), from, listenRecv);
    }

    private send(res: http.ServerResponse, status: number, envelope: SessionsSenecaEnvelopeV1, from: SenecaRemoteOrigin,
        listenRecv: number): void {
        if (res.headersSent || res.destroyed) return;
        const text = JSON.stringify(envelope);
        res.writeHead(status, this.headers(from, listenRecv, text));
        res.end(text);
    }

    /** seneca-transport's response headers; a Seneca client matches the reply to its call by seneca-id and seneca-origin. */
    private headers(from: SenecaRemoteOrigin, listenRecv: number, text: string): Record<string, string> {
        return {
            'Content-Type': 'application/json',
            'Cache-Control': 'private, max-age=0, no-cache, no-store',
            'Content-Length': String(Buffer.byteLength(text)),
            'seneca-id': from.id,
            'seneca-kind': 'res',
            'seneca-origin': SessionsSenecaHttpListenerV1.headerText(from.origin),
            'seneca-accept': this._dispatcher.acceptId,
            'seneca-track': SessionsSenecaHttpListenerV1.headerText(from.track.filter(item => typeof item === 'string').join(',')),
            'seneca-time-client-sent': SessionsSenecaHttpListenerV1.headerText(from.clientSent),
            'seneca-time-listen-recv': String(listenRecv),
            'seneca-time-listen-sent': String(Date.now())
        };
    }

    /** The message's id and origin from a Seneca client's headers; made up for other clients, as seneca-transport does. */
    private originOf(req: http.IncomingMessage): SenecaRemoteOrigin {
        const header = (name: string): string | null => {
            const value = req.headers[name];
            return typeof value === 'string' && value !== '' ? SessionsSenecaHttpListenerV1.headerText(value) : null;
        };
        const id = header('seneca-id');
        if (id == null) {
            return {
                id: randomBytes(6).toString('hex') + '/' + randomBytes(6).toString('hex'),
                origin: header('user-agent') ?? 'UNKNOWN', track: [], clientSent: Date.now()
            };
        }
        let track: unknown = [];
        try {
            track = JSON.parse(header('seneca-track') ?? '[]');
        } catch {
            track = [];
        }
        return { id, origin: header('seneca-origin') ?? 'UNKNOWN', track: Array.isArray(track) ? track : [],
            clientSent: header('seneca-time-client-sent') ?? '0' };
    }

    /** Text fit for a response header: printable ASCII, cut short. */
    private static headerText(value: unknown): string {
        return String(value ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, MAX_HEADER_TEXT);
    }

    /** Requests Node's parser refuses get the error envelope too, where Node sends an empty 400 or 431. */
    private static answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
        const inResponse = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
        if (err.code === 'ECONNRESET' || !socket.writable || inResponse) {
            socket.destroy();
            return;
        }
        const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
        const error = tooLarge
            ? new BadRequestException(undefined, SessionsErrorCode.HEADERS_TOO_LARGE, 'The request headers are too large').withStatus(431)
            : new BadRequestException(undefined, SessionsErrorCode.BAD_REQUEST, 'The request is not valid HTTP');
        const body = JSON.stringify(SessionsSenecaDispatcherV1.refusal(error));
        socket.end('HTTP/1.1 ' + error.status + ' ' + (tooLarge ? 'Request Header Fields Too Large' : 'Bad Request') + '\r\n'
            + 'Content-Type: application/json\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\nConnection: close\r\n\r\n' + body);
    }
}
