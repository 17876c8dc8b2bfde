import { ISenecaInstance, SenecaMessage, SenecaReply } from './ISenecaInstance';
import { SessionsSenecaActionsV1 } from './SessionsSenecaActionsV1';
import { SessionsSenecaReplyV1 } from './SessionsSenecaReplyV1';

/** Where the service listens; any other seneca-transport client option is passed on. */
export interface SessionsSenecaClientPluginOptions {
    type?: 'tcp' | 'http';
    host?: string;
    port?: number;
    /** The service's full key (HTTP_API_KEY) or application key (APP_API_KEY), sent as api_key with every message. */
    api_key?: string;
    [option: string]: unknown;
}

/**
 * For a Seneca application that calls the sessions service's Seneca API remotely:
 *
 *     seneca.use(SessionsSenecaClientPlugin, { type: 'tcp', host: 'sessions', port: 8807 })
 *
 * sends `role:sessions,version:1,...` messages to the service (seneca.client with that
 * pin) and unwraps its envelopes, so callers get what a local caller of the patterns
 * gets: the result as the HTTP API returns it (null for "not found"), or a typed
 * ApplicationException with the service's code, status and message (also when the
 * service refuses a message before running it, such as a body over its size limit over
 * http). Seneca's own failures (timeouts, no connection) come through as Seneca reports them.
 */
export function SessionsSenecaClientPlugin(this: ISenecaInstance, options: SessionsSenecaClientPluginOptions): void {
    const pin = SessionsSenecaActionsV1.pattern();
    const { api_key: apiKey, ...transport } = options;
    this.client({ type: 'tcp', host: '127.0.0.1', port: 8807, ...transport, pin });
    // Added after the client's action for the same pin, so it runs first and calls it as prior.
    this.add(pin, function (this: ISenecaInstance, msg: SenecaMessage, reply: SenecaReply) {
        this.prior(apiKey != null ? { ...msg, api_key: apiKey } : msg, (err, envelope) => {
            if (err != null) {
                reply(SessionsSenecaReplyV1.fromTransportError(err) ?? err);
                return;
            }
            let result: unknown;
            try {
                result = SessionsSenecaReplyV1.unwrap(envelope);
            } catch (unwrapped) {
                reply(unwrapped as Error);
                return;
            }
            reply(null, result);
        });
    });
}
