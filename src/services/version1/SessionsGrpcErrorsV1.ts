import * as grpc from '@grpc/grpc-js';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { CommandableErrorMessage, SessionsProtoV1 } from '../../protos/SessionsProtoV1';
import { HttpErrorBody } from '../HttpErrorBody';

/**
 * Errors of the gRPC services in the HTTP API's error shape (HttpErrorBody): never a stack, cause
 * or file path (the toolkit's replies carried them), and only code and a generic message for 5xx.
 */
export class SessionsGrpcErrorsV1 {
    /**
     * The gRPC status of an error for the plain service: the code mapped from the HTTP
     * status, the message as the status details, and the whole error body (the service's
     * code, category, status, details, correlation id) as JSON in the trailing metadata.
     */
    public static toStatus(error: unknown, correlationId: string | null): grpc.ServerErrorResponse {
        const body = HttpErrorBody.fromError(error, correlationId);
        const metadata = new grpc.Metadata();
        metadata.set(SessionsProtoV1.errorMetadataKey, Buffer.from(JSON.stringify(body), 'utf8'));
        // An Error because grpc-js expects one; its stack stays here, only code, details
        // and metadata are sent.
        return Object.assign(new Error(body.message), {
            code: SessionsGrpcErrorsV1.statusCode(body.status),
            details: body.message,
            metadata
        });
    }

    /** The error field of commandable.InvokeReply. */
    public static toDescription(error: unknown, correlationId: string | null): CommandableErrorMessage {
        const body = HttpErrorBody.fromError(error, correlationId);
        return {
            category: body.category,
            code: body.code,
            correlation_id: body.correlation_id ?? '',
            status: body.status,
            message: body.message,
            cause: '',
            stack_trace: '',
            details: body.details ?? {}
        };
    }

    /** The gRPC code for an HTTP status, after the mapping of google.rpc.Code. */
    public static statusCode(status: number): grpc.status {
        switch (status) {
            case 400: return grpc.status.INVALID_ARGUMENT;
            case 401: return grpc.status.UNAUTHENTICATED;
            case 403: return grpc.status.PERMISSION_DENIED;
            case 404: return grpc.status.NOT_FOUND;
            case 405: case 415: case 501: return grpc.status.UNIMPLEMENTED;
            case 409: return grpc.status.ABORTED;
            case 412: return grpc.status.FAILED_PRECONDITION;
            case 413: case 429: return grpc.status.RESOURCE_EXHAUSTED;
            case 499: return grpc.status.CANCELLED;
            case 503: return grpc.status.UNAVAILABLE;
            case 504: return grpc.status.DEADLINE_EXCEEDED;
            default: return status >= 400 && status < 500 ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
        }
    }

    /**
     * Logs a failed call as the HTTP service does: faults of the service with their stack,
     * an unavailable database in one line per call (an outage would otherwise flood the
     * log), a client's mistakes at debug only.
     */
    public static log(logger: CompositeLogger, correlationId: string | null, method: string, error: unknown): void {
        const body = HttpErrorBody.fromError(error, correlationId);
        const message = error instanceof Error ? error.message : String(error);
        if (body.status === 503) logger.warn(correlationId ?? '', '%s failed: %s', method, message);
        else if (body.status >= 500) logger.error(correlationId ?? '', error as Error, '%s failed', method);
        else logger.debug(correlationId ?? '', 'Rejected %s: %s', method, message);
    }
}
