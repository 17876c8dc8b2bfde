import { IncomingMessage, ServerResponse } from 'http';

import { SessionsJsonText } from '../logic/SessionsJsonText';

const NO_STORE = 'no-cache, no-store, must-revalidate';

/**
 * The endpoint's response class (given to http.createServer), with the few helpers the
 * toolkit's REST services call (HttpResponseSender uses status(), json() and
 * send(204)), so they run on a plain Node server without restify.
 */
export class SessionsHttpResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    public status(code: number): this {
        this.statusCode = code;
        return this;
    }

    /** Writes body as JSON with the current status. */
    public json(body: unknown): void {
        this.jsonText(SessionsJsonText.stringify(body));
    }

    /** Writes text, a JSON text, with the current status; headers as one list, the cheapest form Node takes. */
    public jsonText(text: string): void {
        this.writeHead(this.statusCode, ['Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(text)),
            'Cache-Control', NO_STORE]);
        this.end(text);
    }

    /** Writes the status, and body as JSON if there is one. */
    public send(code: number, body?: unknown): void {
        this.statusCode = code;
        if (body === undefined) {
            this.setHeader('Cache-Control', NO_STORE);
            this.end();
        } else {
            this.json(body);
        }
    }
}
