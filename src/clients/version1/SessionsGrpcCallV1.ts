import * as grpc from '@grpc/grpc-js';
import { ApplicationException, ApplicationExceptionFactory, BadRequestException, ConfigParams, ConnectionException, ErrorDescription, InvalidStateException, InvocationException } from 'pip-services3-commons-nodex';

import { SessionsProtoV1 } from '../../protos/SessionsProtoV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** An error as the service describes it: the HTTP API's error body, or the commandable reply's error. */
export interface ServiceErrorDescription {
    category: string;
    code: string;
    status: number | string;
    message: string;
    details?: Record<string, string> | null;
    correlation_id?: string | null;
}

type UnaryCallback = (error: grpc.ServiceError | null, reply?: unknown) => void;
type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: UnaryCallback) => grpc.ClientUnaryCall;

/**
 * One unary call on the stub SessionsGrpcClientBase opened, for both gRPC clients. Ours
 * because the toolkit's GrpcClient.call set no deadline and rejected with grpc-js's raw
 * error (the errors it maps to: docs/grpc.md#clients).
 */
export class SessionsGrpcCallV1 {
    /** The defaults both gRPC clients start from: the service's default port and a 10 s deadline. */
    public static readonly clientDefaults = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', 'localhost',
        'connection.port', 8090,
        'options.timeout', 10000
    );

    public static async invoke<T>(stub: grpc.Client | null, method: string, request: unknown, timeout: number,
        correlationId: string | null, address: string, metadata = new grpc.Metadata()): Promise<T> {
        if (stub == null) {
            throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.NOT_OPENED, 'The sessions client is not open: call open() first');
        }
        const unary = (stub as unknown as Record<string, unknown>)[method];
        if (typeof unary !== 'function') {
            throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.UNKNOWN_METHOD, 'The gRPC contract has no method ' + method);
        }
        return await new Promise<T>((resolve, reject) => {
            (unary as UnaryMethod).call(stub, request, metadata, { deadline: Date.now() + timeout }, (error, reply) => {
                if (error != null) reject(SessionsGrpcCallV1.toException(error, correlationId, address, timeout));
                else resolve(reply as T);
            });
        });
    }

    /** The typed exception for the service's error description (an error reply, or the plain service's trailer). */
    public static fromDescription(description: ServiceErrorDescription, correlationId: string | null): ApplicationException {
        const full = Object.assign(new ErrorDescription(), {
            category: description.category,
            code: description.code,
            status: Number(description.status) || 500,
            message: description.message,
            details: description.details ?? null,
            correlation_id: description.correlation_id || correlationId || undefined
        });
        // The factory picks the class by category but leaves the status at the class default.
        return ApplicationExceptionFactory.create(full).withStatus(full.status);
    }

    public static toException(error: grpc.ServiceError, correlationId: string | null, address: string,
        timeout: number): ApplicationException {
        const description = SessionsGrpcCallV1.serviceError(error);
        if (description != null) return SessionsGrpcCallV1.fromDescription(description, correlationId);

        const cid = correlationId ?? undefined;
        let result: ApplicationException;
        switch (error.code) {
            case grpc.status.DEADLINE_EXCEEDED:
                result = new ConnectionException(cid, SessionsErrorCode.REQUEST_TIMEOUT, 'The sessions service at ' + address
                    + ' did not answer within ' + timeout + ' ms; the command may or may not have run').withStatus(504);
                break;
            case grpc.status.UNAVAILABLE:
                result = /No connection established|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(error.details)
                    ? new ConnectionException(cid, SessionsErrorCode.CONNECTION_FAILED,
                        'Cannot connect to the sessions service at ' + address + ': ' + error.details).withStatus(503)
                    : new ConnectionException(cid, SessionsErrorCode.CONNECTION_LOST, 'The connection to the sessions service at ' + address
                        + ' failed during the call (' + error.details + '); the command may or may not have run').withStatus(502);
                break;
            case grpc.status.CANCELLED:
                result = new ConnectionException(cid, SessionsErrorCode.CONNECTION_LOST, 'The call to the sessions service at ' + address
                    + ' was cancelled (' + error.details + '); the command may or may not have run').withStatus(502);
                break;
            case grpc.status.RESOURCE_EXHAUSTED:
                result = new BadRequestException(cid, SessionsErrorCode.PAYLOAD_TOO_LARGE, 'The sessions service at ' + address
                    + ' refused the request: ' + error.details).withStatus(413);
                break;
            default:
                result = new InvocationException(cid, SessionsErrorCode.UNEXPECTED_REPLY, 'The sessions service at ' + address
                    + ' answered with gRPC status ' + (grpc.status[error.code] ?? error.code) + ': ' + error.details)
                    .withStatus(500);
        }
        return result.withDetails('url', address).withDetails('grpc_code', error.code);
    }

    /** The service's error from the trailer of a failed call, if it sent one. */
    private static serviceError(error: grpc.ServiceError): ServiceErrorDescription | null {
        const value = error.metadata?.get(SessionsProtoV1.errorMetadataKey)[0];
        if (value == null) return null;
        try {
            const description = JSON.parse(Buffer.isBuffer(value) ? value.toString('utf8') : value) as ServiceErrorDescription | null;
            return description != null && typeof description === 'object'
                && typeof description.code === 'string' && typeof description.category === 'string' ? description : null;
        } catch {
            return null;
        }
    }
}
