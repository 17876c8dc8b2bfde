import { randomBytes } from 'crypto';

import { ApplicationException, ConnectionException, InternalException } from 'pip-services3-commons-nodex';
import { ILogger } from 'pip-services3-components-nodex';

import { ISenecaInstance, SenecaMessage } from './ISenecaInstance';
import { SessionsSenecaEnvelopeV1, SessionsSenecaReplyV1 } from './SessionsSenecaReplyV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** Where a remote message came from, as seneca-transport's frames and headers tell it. */
export interface SenecaRemoteOrigin {
    /** The message id, `<message>/<transaction>`. */
    id: string;
    /** The sending Seneca instance's id (or an HTTP client's user agent). */
    origin: unknown;
    track: unknown[];
    clientSent: unknown;
}

/**
 * Hands a message received by the Seneca API's own listeners (tcp or http) to Seneca, as
 * seneca-transport does (the fields transport$ and id$ mark it remote and carry its id),
 * and gives back what the caller gets: the envelope of the service's actions, or an
 * error envelope when Seneca itself failed, with a generic text and the detail logged.
 */
export class SessionsSenecaDispatcherV1 {
    /**
     * What replies carry as `accept`: an id of this listener. seneca-transport sends
     * Seneca's instance id there, which holds the process id.
     */
    public readonly acceptId = randomBytes(6).toString('hex') + '/service-sessions';

    private readonly _seneca: ISenecaInstance;
    private readonly _logger: ILogger;

    public constructor(seneca: ISenecaInstance, logger: ILogger) {
        this._seneca = seneca;
        this._logger = logger;
    }

    /** Never rejects: a failure of Seneca's becomes an error envelope. */
    public async dispatch(act: SenecaMessage, from: SenecaRemoteOrigin): Promise<SessionsSenecaEnvelopeV1> {
        act.transport$ = { track: from.track, origin: from.origin, time: { client_sent: from.clientSent } };
        act.id$ = from.id;
        const correlationId = typeof act.correlation_id === 'string' && act.correlation_id !== '' ? act.correlation_id : null;
        return await new Promise<SessionsSenecaEnvelopeV1>((resolve) => {
            try {
                this._seneca.act(act, (err, out) => {
                    if (err != null) resolve(this.failure(err, correlationId));
                    else resolve(out as SessionsSenecaEnvelopeV1);
                });
            } catch (err) {
                resolve(this.failure(err, correlationId));
            }
        });
    }

    /** The envelope of a message the listener refused before Seneca saw it. */
    public static refusal(error: ApplicationException): SessionsSenecaEnvelopeV1 {
        return SessionsSenecaReplyV1.error(error, null);
    }

    private failure(err: unknown, correlationId: string | null): SessionsSenecaEnvelopeV1 {
        // Only the code: Seneca's messages quote the message they failed on (session data).
        const code = (err as { code?: unknown } | null)?.code;
        const name = typeof code === 'string' ? code.slice(0, 100) : 'an error without a code';
        this._logger.warn(correlationId ?? '', 'Seneca could not run a remote message: %s', name);
        const error = code === 'action_timeout'
            ? new ConnectionException(undefined, SessionsErrorCode.ACTION_TIMEOUT, 'Seneca timed out running the message').withStatus(503)
            : new InternalException(undefined, SessionsErrorCode.SENECA_FAILED, 'Seneca failed to run the message');
        return SessionsSenecaReplyV1.error(error, correlationId);
    }
}
