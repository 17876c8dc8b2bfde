import * as http from 'http';
import * as https from 'https';
import * as net from 'net';

import { SessionsHttpFailureV1 } from './SessionsHttpErrorsV1';

/** One request as the HTTP client sends it. */
export interface SessionsHttpRequestV1 {
    agent: http.Agent;
    target: URL;
    method: string;
    /** Path and query string. */
    path: string;
    headers: http.OutgoingHttpHeaders;
    body: Buffer | null;
    /** ms to wait for a connection (0: no limit). */
    connectTimeout: number;
    /** ms to wait for the whole answer once connected (0: no limit). */
    timeout: number;
}

/** What one attempt came to: a reply read whole, or how it failed. */
export type SessionsHttpOutcomeV1 =
    | { kind: 'reply'; status: number; text: string }
    | { kind: 'failed'; failure: SessionsHttpFailureV1; error: Error; reusedSocket: boolean };

/**
 * Sends one request on Node's http/https (restify-clients comes with restify, which does not load on
 * Node 24) and reads the whole reply, telling a failure before the connection was made (safe to
 * retry) from one after it (the command may have run).
 */
export class SessionsHttpAttemptV1 {
    public static async send(request: SessionsHttpRequestV1): Promise<SessionsHttpOutcomeV1> {
        return await new Promise<SessionsHttpOutcomeV1>(resolve => {
            const secure = request.target.protocol === 'https:';
            let connected = false;
            let settled = false;
            let timer: NodeJS.Timeout | null = null;

            const setTimer = (ms: number, onTimeout: () => void): void => {
                if (timer != null) clearTimeout(timer);
                timer = ms > 0 ? setTimeout(onTimeout, ms) : null;
            };
            const finish = (outcome: SessionsHttpOutcomeV1): void => {
                if (settled) return;
                settled = true;
                if (timer != null) clearTimeout(timer);
                resolve(outcome);
            };
            const fail = (error: Error, failure?: SessionsHttpFailureV1): void => {
                finish({
                    kind: 'failed', failure: failure ?? (connected ? 'lost' : 'connect'), error,
                    reusedSocket: req.reusedSocket === true
                });
                // Frees the socket: the agent does not reuse a destroyed one.
                req.destroy();
            };
            const onConnected = (): void => {
                connected = true;
                setTimer(request.timeout, () => fail(new Error('no answer within ' + request.timeout + ' ms'), 'timeout'));
            };

            const req = (secure ? https : http).request({
                agent: request.agent,
                protocol: request.target.protocol,
                // URL keeps the brackets of an IPv6 address; Node wants it bare.
                hostname: request.target.hostname.replace(/^\[(.*)\]$/, '$1'),
                port: request.target.port,
                method: request.method,
                path: request.path,
                headers: request.headers
            });
            setTimer(request.connectTimeout, () => fail(new Error('no connection within ' + request.connectTimeout + ' ms'), 'connect'));

            req.once('socket', (socket: net.Socket) => {
                // A kept-alive socket is connected already; a new one once its TCP (and TLS) handshake is done.
                if (!socket.connecting) onConnected();
                else socket.once(secure ? 'secureConnect' : 'connect', onConnected);
            });
            req.on('error', error => fail(error));
            req.on('response', (response: http.IncomingMessage) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('end', () => finish({
                    kind: 'reply', status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')
                }));
                response.on('error', error => fail(error, 'lost'));
                response.on('close', () => {
                    if (!response.complete) fail(new Error('the connection closed before the reply was complete'), 'lost');
                });
            });
            if (request.body != null) req.end(request.body);
            else req.end();
        });
    }
}
