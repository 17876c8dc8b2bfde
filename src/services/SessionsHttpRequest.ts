import { IncomingMessage } from 'http';

/**
 * The endpoint's request class (given to http.createServer): the parsed JSON body and
 * query string, in the places the toolkit's REST services look for them.
 */
export class SessionsHttpRequest extends IncomingMessage {
    public body: unknown = undefined;
    public query: Record<string, string> = {};
    public params: Record<string, string> = {};
    public pathname = '/';

    public path(): string {
        return this.pathname;
    }
}
