import { createHash } from 'crypto';

import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';

/** One fixed file a page service serves, held in memory with its type and ETag. */
export class SessionsStaticAsset {
    public readonly etag: string;

    public constructor(public readonly body: Buffer, public readonly contentType: string) {
        this.etag = '"' + createHash('sha256').update(body).digest('base64url').slice(0, 27) + '"';
    }

    /** 200 with the body, or 304 when the caller already holds this version. */
    public send(req: SessionsHttpRequest, res: SessionsHttpResponse<SessionsHttpRequest>,
        headers: Readonly<Record<string, string>>): void {
        const common = { ...headers, ETag: this.etag };
        if (req.headers['if-none-match'] === this.etag) {
            res.writeHead(304, common);
            res.end();
            return;
        }
        res.writeHead(200, { ...common, 'Content-Type': this.contentType, 'Content-Length': this.body.length });
        res.end(this.body);
    }
}
