import * as http from 'http';
import * as net from 'net';

/** A request as bytes and headers, exactly as it is to go on the wire. */
export interface RawHttpRequest {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: Buffer | null;
}

/** What came back; status 0 with `failure` set when no response arrived. */
export interface RawHttpResponse {
    status: number;
    contentType: string;
    text: string;
    failure?: string;
}

/**
 * HTTP requests to one local port with full control of method, path, headers and body
 * bytes (fetch would add, check or rewrite some of them), over kept-alive connections
 * (one unless asked for more), and raw socket writes for what no HTTP client would send.
 */
export class RawHttpClient {
    private readonly _port: number;
    private readonly _timeoutMs: number;
    private readonly _agent: http.Agent;

    /** connections: how many requests may be in flight at once (each on its own kept-alive connection). */
    public constructor(port: number, timeoutMs = 30000, connections = 1) {
        this._port = port;
        this._timeoutMs = timeoutMs;
        this._agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    }

    public close(): void {
        this._agent.destroy();
    }

    public async send(request: RawHttpRequest): Promise<RawHttpResponse> {
        const headers: Record<string, string> = { ...request.headers };
        if (request.body != null && !Object.keys(headers).some(name => name.toLowerCase() === 'content-length')) {
            headers['Content-Length'] = String(request.body.length);
        }
        return await new Promise<RawHttpResponse>((resolve) => {
            let settled = false;
            const finish = (response: RawHttpResponse): void => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                resolve(response);
            };
            const req = http.request({
                host: '127.0.0.1', port: this._port, method: request.method, path: request.path, headers, agent: this._agent
            }, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (chunk: Buffer) => chunks.push(chunk));
                res.on('end', () => finish({
                    status: res.statusCode ?? 0,
                    contentType: String(res.headers['content-type'] ?? ''),
                    text: Buffer.concat(chunks).toString('utf8')
                }));
                res.on('error', (err) => finish({ status: 0, contentType: '', text: '', failure: 'response: ' + err.message }));
            });
            const timer = setTimeout(() => {
                req.destroy();
                finish({ status: 0, contentType: '', text: '', failure: 'no response within ' + this._timeoutMs + ' ms' });
            }, this._timeoutMs);
            // The service may answer (413, 415) and close before it has read the whole body;
            // the response still arrives, a write error after it does not matter.
            req.on('error', (err) => {
                setTimeout(() => finish({ status: 0, contentType: '', text: '', failure: 'request: ' + err.message }), 200);
            });
            req.end(request.body ?? undefined);
        });
    }

    /**
     * Writes bytes to a fresh connection and reads until the service closes it; returns
     * the status line's code (0 for none) and the body, with `failure` set if the
     * connection was still open after waitMs.
     * Optionally cuts the connection right after writing, as a client that dies mid-request.
     */
    public async sendBytes(bytes: Buffer, waitMs: number, abort = false): Promise<RawHttpResponse> {
        return await new Promise<RawHttpResponse>((resolve) => {
            const chunks: Buffer[] = [];
            let settled = false;
            const socket = net.connect(this._port, '127.0.0.1', () => {
                socket.write(bytes, () => { if (abort) socket.destroy(); });
            });
            const finish = (failure?: string): void => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                socket.destroy();
                const text = Buffer.concat(chunks).toString('utf8');
                const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
                const headerEnd = text.indexOf('\r\n\r\n');
                const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(text)?.[1] ?? '';
                resolve({
                    status: match != null ? Number(match[1]) : 0,
                    contentType,
                    text: headerEnd >= 0 ? text.slice(headerEnd + 4) : text,
                    failure
                });
            };
            const timer = setTimeout(() => finish('the connection neither answered nor closed within ' + waitMs + ' ms'), waitMs);
            socket.on('data', (chunk: Buffer) => chunks.push(chunk));
            socket.on('close', () => finish());
            // A reset is how a server may drop a connection it will not serve: closed, not hung.
            socket.on('error', () => finish());
        });
    }
}
