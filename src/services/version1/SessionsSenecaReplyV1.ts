import {
    ApplicationException, ApplicationExceptionFactory, ErrorDescription, InvocationException
} from 'pip-services3-commons-nodex';

import { HttpErrorBody, HttpErrorJson } from '../HttpErrorBody';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * What a remote caller of the Seneca API receives: exactly one of
 * - `{ result }`: the command's result as the HTTP API returns it (null for "not found");
 * - `{ error }`: the HTTP API's error body (category, status, code, message, details?,
 *   correlation_id?), never a stack.
 */
export type SessionsSenecaEnvelopeV1 = { result: unknown } | { error: HttpErrorJson };

/**
 * The Seneca API's replies, both ways. Remote replies are results carrying an envelope, because
 * seneca-transport turns an action's error into a generic act_execute error (docs/seneca.md#replies-over-the-wire);
 * local callers, and SessionsSenecaClientPlugin, get a typed ApplicationException instead.
 */
export class SessionsSenecaReplyV1 {
    public static result(value: unknown): SessionsSenecaEnvelopeV1 {
        // Through JSON, as the HTTP API answers: Dates become ISO strings, undefined null.
        return { result: value == null ? null : JSON.parse(JSON.stringify(value)) };
    }

    public static error(err: unknown, correlationId: string | null): SessionsSenecaEnvelopeV1 {
        return { error: HttpErrorBody.fromError(err, correlationId) };
    }

    /** The result of an envelope, or its error thrown as an ApplicationException. */
    public static unwrap(reply: unknown): unknown {
        if (reply != null && typeof reply === 'object' && !Array.isArray(reply)) {
            const envelope = reply as Record<string, unknown>;
            if (SessionsSenecaReplyV1.isErrorJson(envelope.error)) throw SessionsSenecaReplyV1.toException(envelope.error);
            if ('result' in envelope) return envelope.result ?? null;
        }
        throw SessionsSenecaReplyV1.markForSeneca(new InvocationException(undefined, SessionsErrorCode.INVALID_REPLY,
            'The sessions service did not answer with a result or an error'));
    }

    /**
     * The service's error inside a failure of seneca-transport's http client, or null. A
     * message the service's listener refuses before Seneca sees it (a body over its size
     * limit) is answered with that status and the error envelope; the client fails with
     * an error holding the response (its data.payload), which Seneca wraps (as orig).
     */
    public static fromTransportError(err: unknown): ApplicationException | null {
        type TransportError = { data?: { payload?: unknown }; orig?: { data?: { payload?: unknown } } };
        const failure = err as TransportError | null;
        for (const payload of [failure?.data?.payload, failure?.orig?.data?.payload]) {
            const error = payload != null && typeof payload === 'object' ? (payload as Record<string, unknown>).error : undefined;
            if (SessionsSenecaReplyV1.isErrorJson(error)) return SessionsSenecaReplyV1.toException(error);
        }
        return null;
    }

    /** The error a Seneca caller gets: the toolkit's exception for the category, with the service's status. */
    public static toException(json: HttpErrorJson): ApplicationException {
        // The factory picks the class by category but leaves the status at the class default.
        const error = ApplicationExceptionFactory.create(json as ErrorDescription).withStatus(json.status);
        return SessionsSenecaReplyV1.markForSeneca(error);
    }

    /**
     * Makes Seneca hand the error to the caller as it is. Seneca wraps any error it did
     * not make itself into an act_execute error whose code and message are Seneca's; its
     * own errors carry a `seneca` flag and pass through. The stack is cut to its first
     * line: our frames tell a caller nothing, and Seneca would copy the first one (a
     * file path) into the error as its callpoint.
     */
    private static markForSeneca<T extends ApplicationException>(error: T): T {
        SessionsSenecaReplyV1.hide(error, 'seneca', true);
        error.stack = error.name + ': ' + error.message;
        // Seneca's default (legacy) error handling then sets details.plugin and a
        // callpoint where they are missing; present but hidden, they stay out of the
        // error's fields (and of JSON.stringify(error.details)).
        SessionsSenecaReplyV1.hide(error, 'callpoint', '');
        const details = (error.details ?? {}) as unknown as Record<string, unknown>;
        SessionsSenecaReplyV1.hide(details, 'plugin', {});
        error.details = details as unknown as T['details'];
        return error;
    }

    private static hide(target: object, key: string, value: unknown): void {
        Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
    }

    private static isErrorJson(value: unknown): value is HttpErrorJson {
        const json = value as HttpErrorJson | null | undefined;
        return json != null && typeof json === 'object' && typeof json.code === 'string'
            && typeof json.category === 'string' && typeof json.status === 'number' && typeof json.message === 'string';
    }
}
