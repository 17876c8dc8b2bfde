import * as path from 'path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Marks a request that could not be decoded (see SessionsProtoV1.tolerant). */
const UNDECODABLE = Symbol('undecodable request');

/**
 * Where the gRPC contract is and what its messages look like in JavaScript, for the gRPC services
 * and clients. The .proto is read at run time from src/protos (tsc does not copy it into obj/), with
 * the toolkit's loader options: names as written, 64-bit integers as numbers, scalars defaulted, absent messages null.
 */
export class SessionsProtoV1 {
    /** The package root: obj/src/protos/ is three levels below it. */
    private static readonly _packageRoot = path.resolve(__dirname, '..', '..', '..');

    public static readonly sessionsProtoPath = path.join(SessionsProtoV1._packageRoot, 'src', 'protos', 'sessions_v1.proto');
    public static readonly sessionsServiceName = 'sessions_v1.Sessions';

    /** The toolkit's commandable contract (commandable.Commandable/invoke), as shipped with the toolkit. */
    public static readonly commandableProtoPath = path.join(
        path.dirname(require.resolve('pip-services3-grpc-nodex/package.json')), 'src', 'protos', 'commandable.proto');
    public static readonly commandableServiceName = 'commandable.Commandable';

    /**
     * Trailing metadata of a failed call: the error as JSON ({category, status, code,
     * message, details?, correlation_id?}, the HTTP API's error body), so clients get the
     * service's code and details, not only the gRPC status and message.
     */
    public static readonly errorMetadataKey = 'error-description-bin';

    public static readonly loaderOptions: protoLoader.Options = {
        keepCase: true,
        longs: Number,
        enums: Number,
        defaults: true,
        oneofs: true
    };

    private static _sessions: grpc.ServiceClientConstructor | null = null;
    private static _commandable: grpc.ServiceClientConstructor | null = null;

    /**
     * sessions_v1.Sessions, read once: its client constructor, whose .service is the
     * definition a server adds. (Given the .proto path, the toolkit's GrpcService passes
     * the constructor itself to grpc-js, which refuses it.)
     */
    public static sessions(): grpc.ServiceClientConstructor {
        if (SessionsProtoV1._sessions == null) {
            SessionsProtoV1._sessions = SessionsProtoV1.load(SessionsProtoV1.sessionsProtoPath, SessionsProtoV1.sessionsServiceName);
        }
        return SessionsProtoV1._sessions;
    }

    /** commandable.Commandable, read once. */
    public static commandable(): grpc.ServiceClientConstructor {
        if (SessionsProtoV1._commandable == null) {
            SessionsProtoV1._commandable = SessionsProtoV1.load(SessionsProtoV1.commandableProtoPath, SessionsProtoV1.commandableServiceName);
        }
        return SessionsProtoV1._commandable;
    }

    /**
     * The service's definition with request decoding that never throws: a request that is
     * not a valid message becomes a marker (see isUndecodable) the handler answers with
     * INVALID_MESSAGE, where grpc-js would answer INTERNAL, a fault of the service.
     */
    public static tolerant(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
        return Object.fromEntries(Object.entries(service).map(([name, method]) => [name, {
            ...method,
            requestDeserialize: (bytes: Buffer): unknown => {
                try {
                    return method.requestDeserialize(bytes);
                } catch {
                    return { [UNDECODABLE]: true, correlation_id: '' };
                }
            }
        }])) as grpc.ServiceDefinition;
    }

    public static isUndecodable(request: unknown): boolean {
        return request != null && typeof request === 'object' && (request as Record<symbol, unknown>)[UNDECODABLE] === true;
    }

    private static load(protoPath: string, serviceName: string): grpc.ServiceClientConstructor {
        let value: unknown = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, SessionsProtoV1.loaderOptions));
        for (const name of serviceName.split('.')) value = (value as Record<string, unknown>)[name];
        if (typeof value !== 'function') throw new Error(protoPath + ' defines no service ' + serviceName);
        return value as grpc.ServiceClientConstructor;
    }
}

/** sessions_v1.PagingParams */
export interface PagingParamsMessage {
    skip: number;
    take: number;
    total: boolean;
}

/** sessions_v1.Session: times as ISO strings, user and data as JSON text, "" for none. */
export interface SessionMessage {
    id: string;
    user_id: string;
    user_name: string;
    active: boolean;
    open_time: string;
    close_time: string;
    request_time: string;
    address: string;
    client: string;
    user: string;
    data: string;
    close_reason: string;
    expires_at: string;
}

/** sessions_v1.SessionPage */
export interface SessionPageMessage {
    total: number;
    data: SessionMessage[];
}

/** sessions_v1.ErrorDescription: in the contract, never filled by this service. */
export interface ErrorDescriptionMessage {
    type: string;
    category: string;
    code: string;
    correlation_id: string;
    status: string;
    message: string;
    cause: string;
    stack_trace: string;
    details: Record<string, string>;
}

/** Every request carries a correlation id ("" for none). */
export interface SessionRequestMessage {
    correlation_id: string;
}

export interface SessionPageRequestMessage extends SessionRequestMessage {
    filter: Record<string, string>;
    paging: PagingParamsMessage | null;
}

export interface SessionIdRequestMessage extends SessionRequestMessage {
    session_id: string;
}

export interface SessionOpenRequestMessage extends SessionRequestMessage {
    user_id: string;
    user_name: string;
    address: string;
    client: string;
    user: string;
    data: string;
}

export interface SessionStoreDataRequestMessage extends SessionRequestMessage {
    session_id: string;
    data: string;
}

export interface SessionUpdateUserRequestMessage extends SessionRequestMessage {
    session_id: string;
    user: string;
}

export interface SessionPageReplyMessage {
    error: ErrorDescriptionMessage | null;
    page: SessionPageMessage | null;
}

export interface SessionObjectReplyMessage {
    error: ErrorDescriptionMessage | null;
    session: SessionMessage | null;
}

export interface SessionCloseUserRequestMessage extends SessionRequestMessage {
    user_id: string;
    except_session_id: string;
}

export interface SessionCloseUserReplyMessage {
    error: ErrorDescriptionMessage | null;
    closed: number;
}

export interface SessionEmptyReplyMessage {
    error: ErrorDescriptionMessage | null;
}

/** commandable.InvokeRequest */
export interface InvokeRequestMessage {
    method: string;
    correlation_id: string;
    args_empty: boolean;
    args_json: string;
}

/** commandable.ErrorDescription (status is a number here, a string in sessions_v1's). */
export interface CommandableErrorMessage {
    category: string;
    code: string;
    correlation_id: string;
    status: number;
    message: string;
    cause: string;
    stack_trace: string;
    details: Record<string, string>;
}

/** commandable.InvokeReply */
export interface InvokeReplyMessage {
    error: CommandableErrorMessage | null;
    result_empty: boolean;
    result_json: string;
}
