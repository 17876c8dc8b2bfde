import {
    ApplicationException, ApplicationExceptionFactory, ConnectionException, ErrorDescription, InvocationException
} from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * How a request of the HTTP client failed without a reply:
 * - connect: no connection was made (refused, unknown host, connect timeout), so the
 *   command never reached the service and may be retried;
 * - timeout: connected, but no complete answer within options.timeout;
 * - lost: the connection broke after it was made, before a complete answer.
 */
export type SessionsHttpFailureV1 = 'connect' | 'timeout' | 'lost';

/**
 * The exceptions of the sessions HTTP client, for failures of the transport and for
 * error replies: the same codes and statuses whatever broke.
 */
export class SessionsHttpErrorsV1 {
    /** CONNECTION_FAILED (503), REQUEST_TIMEOUT (504) or CONNECTION_LOST (502), naming the URL. */
    public static transport(correlationId: string | null, url: string, failure: SessionsHttpFailureV1,
        cause: Error, timeout: number): ConnectionException {
        let error: ApplicationException;
        if (failure === 'timeout') {
            error = new ConnectionException(correlationId ?? undefined, SessionsErrorCode.REQUEST_TIMEOUT,
                'The sessions service at ' + url + ' did not answer within ' + timeout
                + ' ms; the command may or may not have run').withStatus(504);
        } else if (failure === 'connect') {
            error = new ConnectionException(correlationId ?? undefined, SessionsErrorCode.CONNECTION_FAILED,
                'Cannot connect to the sessions service at ' + url + ': ' + cause.message).withStatus(503);
        } else {
            error = new ConnectionException(correlationId ?? undefined, SessionsErrorCode.CONNECTION_LOST,
                'The connection to the sessions service at ' + url + ' failed during the call (' + cause.message
                + '); the command may or may not have run').withStatus(502);
        }
        return error.withDetails('url', url).withCause(cause) as ConnectionException;
    }

    /**
     * An error reply: the toolkit's typed exception for the service's error body, with its
     * code, message, details and status; without that body, SERVICE_UNAVAILABLE for
     * 502/503/504 (a proxy in front of a stopped service) or UNEXPECTED_REPLY.
     */
    public static reply(correlationId: string | null, url: string, status: number, body: unknown): ApplicationException {
        if (SessionsHttpErrorsV1.isErrorDescription(body)) {
            // The factory picks the class by category but leaves the status at the class default.
            const error = ApplicationExceptionFactory.create(body).withStatus(Number(body.status) || status);
            if (!error.correlation_id && correlationId) error.withCorrelationId(correlationId);
            return error;
        }
        const error = status === 502 || status === 503 || status === 504
            ? new ConnectionException(correlationId ?? undefined, SessionsErrorCode.SERVICE_UNAVAILABLE,
                'The sessions service at ' + url + ' is unavailable: HTTP ' + status + ' without an error description')
            : new InvocationException(correlationId ?? undefined, SessionsErrorCode.UNEXPECTED_REPLY,
                'The sessions service at ' + url + ' answered HTTP ' + status + ' without an error description');
        return error.withStatus(status).withDetails('url', url);
    }

    /** A success reply whose body is not JSON. */
    public static invalidJson(correlationId: string | null, url: string, status: number, cause: Error): InvocationException {
        return new InvocationException(correlationId ?? undefined, SessionsErrorCode.INVALID_REPLY,
            'The sessions service at ' + url + ' answered ' + status + ' with a body that is not JSON')
            .withDetails('url', url).withCause(cause) as InvocationException;
    }

    private static isErrorDescription(body: unknown): body is ErrorDescription {
        const description = body as ErrorDescription | null;
        return description != null && typeof description === 'object'
            && typeof description.code === 'string' && typeof description.category === 'string';
    }
}
