import * as grpc from '@grpc/grpc-js';
import { BadRequestException, Descriptor, ICommandable, InvalidStateException, IReferences } from 'pip-services3-commons-nodex';

import { SessionsCommand } from '../../logic/SessionsCommand';
import { SessionsMetrics } from '../../logic/SessionsMetrics';
import { HttpErrorBody } from '../HttpErrorBody';
import { SessionsApiAccess } from '../SessionsApiAccess';
import { InvokeReplyMessage, InvokeRequestMessage } from '../../protos/SessionsProtoV1';
import { SessionsGrpcErrorsV1 } from './SessionsGrpcErrorsV1';
import { SessionsGrpcServiceBase } from './SessionsGrpcServiceBase';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsJsonParser } from '../SessionsJsonParser';
import { SessionsCommandSet } from '../../logic/SessionsCommandSet';

/**
 * The commands over the toolkit's commandable gRPC contract (commandable.Commandable/invoke), as the
 * original's SessionsCommandableGrpcClientV1 calls them. Errors go in the reply's error field, as the
 * contract requires, except a refused key: a call status, as on the plain API (docs/grpc.md#errors).
 */
export class SessionsCommandableGrpcServiceV1 extends SessionsGrpcServiceBase {
    private static readonly _baseName = 'v1/sessions';

    private _metrics: SessionsMetrics | null = null;

    public constructor() {
        // No service definition of its own: its methods go to the endpoint's commandable.Commandable.
        super(null);
        this._dependencyResolver.put('controller', new Descriptor('service-sessions', 'controller', 'default', '*', '1.0'));
        this._dependencyResolver.put('metrics', new Descriptor('service-sessions', 'metrics', '*', '*', '1.0'));
    }

    public setReferences(references: IReferences): void {
        super.setReferences(references);
        // Resolved once here, not per request.
        this._metrics = this._dependencyResolver.getOneOptional<SessionsMetrics>('metrics');
    }

    public register(): void {
        const endpoint = this._endpoint;
        if (endpoint == null) throw new InvalidStateException(undefined, SessionsErrorCode.NO_ENDPOINT, 'The commandable gRPC service has no endpoint');
        const controller = this._dependencyResolver.getOneRequired<ICommandable>('controller');
        for (const command of SessionsCommandSet.of(controller).getCommands()) {
            const method = SessionsCommandableGrpcServiceV1._baseName + '.' + command.getName();
            endpoint.registerCommadableMethod(method, null,
                (call: grpc.ServerUnaryCall<InvokeRequestMessage, InvokeReplyMessage>) => this.invoke(method, command, call));
        }
    }

    private async invoke(method: string, command: SessionsCommand,
        call: grpc.ServerUnaryCall<InvokeRequestMessage, InvokeReplyMessage>): Promise<InvokeReplyMessage> {
        const request = call.request;
        const correlationId = request.correlation_id || null;
        const name = command.getName();
        const started = performance.now();
        const presented = SessionsApiAccess.fromMetadata(call.metadata);
        try {
            this._access.authenticate(correlationId, presented);
        } catch (err) {
            throw this.refused(correlationId, name, err, started);
        }
        let args: Record<string, unknown>;
        try {
            args = SessionsCommandableGrpcServiceV1.parseArgs(request);
        } catch (err) {
            return this.failed(correlationId, name, err, started);
        }
        try {
            this._access.authorize(correlationId, presented, name, args);
        } catch (err) {
            throw this.refused(correlationId, name, err, started);
        }
        try {
            const result = await command.executeArguments(correlationId, args);
            this._metrics?.recordRequest('commandable-grpc', name, result == null ? 204 : 200, (performance.now() - started) / 1000);
            return result == null
                ? { error: null, result_empty: true, result_json: '' }
                : { error: null, result_empty: false, result_json: JSON.stringify(result) };
        } catch (err) {
            return this.failed(correlationId, name, err, started);
        }
    }

    /**
     * A key refused (401 UNAUTHENTICATED, 403 PERMISSION_DENIED) is a status of the call,
     * not a reply: nothing ran, as on the plain gRPC API.
     */
    private refused(correlationId: string | null, name: string, err: unknown, started: number): grpc.ServerErrorResponse {
        SessionsGrpcErrorsV1.log(this._logger, correlationId, name, err);
        this._metrics?.recordRequest('commandable-grpc', name, HttpErrorBody.fromError(err).status, (performance.now() - started) / 1000);
        return SessionsGrpcErrorsV1.toStatus(err, correlationId);
    }

    /** Any other failure travels in the reply's error field, as the commandable contract requires. */
    private failed(correlationId: string | null, name: string, err: unknown, started: number): InvokeReplyMessage {
        SessionsGrpcErrorsV1.log(this._logger, correlationId, name, err);
        this._metrics?.recordRequest('commandable-grpc', name, HttpErrorBody.fromError(err).status, (performance.now() - started) / 1000);
        return { error: SessionsGrpcErrorsV1.toDescription(err, correlationId), result_empty: true, result_json: '' };
    }

    /** No arguments, or a JSON object of them, as the body of the HTTP API. */
    private static parseArgs(request: InvokeRequestMessage): Record<string, unknown> {
        if (request.args_empty || request.args_json === '') return {};
        let parsed: unknown;
        try {
            parsed = SessionsJsonParser.parse(request.args_json);
        } catch (err) {
            const forbidden = SessionsJsonParser.isForbiddenKey(err);
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_JSON, forbidden
                ? 'The arguments must not contain __proto__ or constructor.prototype keys'
                : 'The arguments are not valid JSON');
        }
        if (parsed === null) return {};
        if (typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw new BadRequestException(undefined, SessionsErrorCode.INVALID_DATA, 'The arguments must be a JSON object');
        }
        return parsed as Record<string, unknown>;
    }
}
