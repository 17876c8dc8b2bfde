import * as grpc from '@grpc/grpc-js';
import { BadRequestException, DataPage, Descriptor, ICommandable, InvalidStateException, IReferences } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionsCommand } from '../../logic/SessionsCommand';
import { SessionsMetrics } from '../../logic/SessionsMetrics';
import { HttpErrorBody } from '../HttpErrorBody';
import { SessionsApiAccess } from '../SessionsApiAccess';
import {
    SessionCloseUserReplyMessage, SessionCloseUserRequestMessage, SessionEmptyReplyMessage, SessionIdRequestMessage, SessionObjectReplyMessage, SessionOpenRequestMessage, SessionPageReplyMessage,
    SessionPageRequestMessage, SessionRequestMessage, SessionsProtoV1, SessionStoreDataRequestMessage, SessionUpdateUserRequestMessage
} from '../../protos/SessionsProtoV1';
import { SessionsCommandArgs, SessionsGrpcConverterV1 } from './SessionsGrpcConverterV1';
import { SessionsGrpcErrorsV1 } from './SessionsGrpcErrorsV1';
import { SessionsGrpcServiceBase } from './SessionsGrpcServiceBase';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsCommandSet } from '../../logic/SessionsCommandSet';

/**
 * sessions_v1.Sessions, the original's plain gRPC API (src/protos/sessions_v1.proto). Each method
 * runs the command of the same name, so arguments are validated as over HTTP; a failure is a gRPC
 * status with the HTTP error body in the trailer error-description-bin (docs/grpc.md#errors).
 */
export class SessionsGrpcServiceV1 extends SessionsGrpcServiceBase {
    private _metrics: SessionsMetrics | null = null;
    private _commands = new Map<string, SessionsCommand>();

    public constructor() {
        super(SessionsProtoV1.tolerant(SessionsProtoV1.sessions().service));
        this._dependencyResolver.put('controller', new Descriptor('service-sessions', 'controller', 'default', '*', '1.0'));
        this._dependencyResolver.put('metrics', new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    public setReferences(references: IReferences): void {
        super.setReferences(references);
        // Resolved once here, not per request.
        this._metrics = this._dependencyResolver.getOneOptional<SessionsMetrics>('metrics');
    }

    public register(): void {
        const controller = this._dependencyResolver.getOneRequired<ICommandable>('controller');
        this._commands = new Map(SessionsCommandSet.of(controller).getCommands()
            .map(command => [command.getName(), command]));

        this.unary<SessionPageRequestMessage, SessionPageReplyMessage>('get_sessions', SessionsGrpcConverterV1.pageArgs,
            result => ({ error: null, page: SessionsGrpcConverterV1.fromPage(result as DataPage<SessionV1>) }));
        this.unary<SessionIdRequestMessage, SessionObjectReplyMessage>('get_session_by_id',
            SessionsGrpcConverterV1.idArgs, SessionsGrpcServiceV1.sessionReply);
        this.unary<SessionOpenRequestMessage, SessionObjectReplyMessage>('open_session',
            SessionsGrpcConverterV1.openArgs, SessionsGrpcServiceV1.sessionReply);
        this.unary<SessionStoreDataRequestMessage, SessionObjectReplyMessage>('store_session_data',
            SessionsGrpcConverterV1.storeDataArgs, SessionsGrpcServiceV1.sessionReply);
        this.unary<SessionUpdateUserRequestMessage, SessionObjectReplyMessage>('update_session_user',
            SessionsGrpcConverterV1.updateUserArgs, SessionsGrpcServiceV1.sessionReply);
        this.unary<SessionIdRequestMessage, SessionObjectReplyMessage>('close_session',
            SessionsGrpcConverterV1.idArgs, SessionsGrpcServiceV1.sessionReply);
        this.unary<SessionRequestMessage, SessionEmptyReplyMessage>('close_expired_sessions',
            SessionsGrpcConverterV1.emptyArgs, () => ({ error: null }));
        this.unary<SessionIdRequestMessage, SessionObjectReplyMessage>('delete_session_by_id',
            SessionsGrpcConverterV1.idArgs, SessionsGrpcServiceV1.sessionReply);
        this.unary<SessionCloseUserRequestMessage, SessionCloseUserReplyMessage>('close_user_sessions',
            SessionsGrpcConverterV1.closeUserArgs, result => ({ error: null, closed: (result as { closed: number }).closed }));
        this.unary<SessionIdRequestMessage, SessionObjectReplyMessage>('validate_session',
            SessionsGrpcConverterV1.idArgs, SessionsGrpcServiceV1.sessionReply);
    }

    /** A session, or no session for "no such session". */
    private static sessionReply(result: unknown): SessionObjectReplyMessage {
        return { error: null, session: result == null ? null : SessionsGrpcConverterV1.fromSession(result as SessionV1) };
    }

    /** Registers the method that runs the command of the same name. */
    private unary<Request extends SessionRequestMessage, Reply>(name: string,
        toArgs: (request: Request) => SessionsCommandArgs, toReply: (result: unknown) => Reply): void {
        this.registerMethod(name, null,
            (call: grpc.ServerUnaryCall<Request, Reply>) => this.run(name, call, toArgs, toReply));
    }

    private async run<Request extends SessionRequestMessage, Reply>(name: string,
        call: grpc.ServerUnaryCall<Request, Reply>, toArgs: (request: Request) => SessionsCommandArgs,
        toReply: (result: unknown) => Reply): Promise<Reply> {
        const correlationId = call.request.correlation_id || null;
        const metrics = this._metrics;
        const started = performance.now();
        try {
            const presented = SessionsApiAccess.fromMetadata(call.metadata);
            // A missing or wrong key is refused first, whatever the request holds.
            this._access.authenticate(correlationId, presented);
            if (SessionsProtoV1.isUndecodable(call.request)) {
                throw new BadRequestException(correlationId ?? undefined, SessionsErrorCode.INVALID_MESSAGE,
                    'The request is not a valid message of the ' + name + ' method');
            }
            const command = this._commands.get(name);
            if (command == null) throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.NO_COMMAND, 'The controller has no command ' + name);
            const args = toArgs(call.request);
            this._access.authorize(correlationId, presented, name, args);
            const result = await command.executeArguments(correlationId, args);
            metrics?.recordRequest('grpc', name, result == null ? 204 : 200, (performance.now() - started) / 1000);
            return toReply(result);
        } catch (err) {
            SessionsGrpcErrorsV1.log(this._logger, correlationId, name, err);
            metrics?.recordRequest('grpc', name, HttpErrorBody.fromError(err).status, (performance.now() - started) / 1000);
            throw SessionsGrpcErrorsV1.toStatus(err, correlationId);
        }
    }
}
