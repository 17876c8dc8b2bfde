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
 * For a Seneca application that calls the service's Seneca API remotely,
 * `seneca.use(SessionsSenecaClientPlugin, { type: 'tcp', host: 'sessions', port: 8807 })`: it unwraps
 * the envelopes, so callers get results and typed exceptions as a local caller does
 * (docs/seneca.md#from-a-seneca-application).
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
