import * as fs from 'fs';

import * as grpc from '@grpc/grpc-js';
import {
    BadRequestException, ConfigParams, ConnectionException, IConfigurable, InvalidStateException, IOpenable, IReferenceable, IReferences,
    NotFoundException, Schema
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { InvokeReplyMessage, InvokeRequestMessage, SessionsProtoV1 } from '../../protos/SessionsProtoV1';
import { CommandableGrpcAction, IGrpcEndpoint } from './IGrpcEndpoint';
import { IGrpcRegisterable } from './IGrpcRegisterable';
import { SessionsGrpcErrorsV1 } from './SessionsGrpcErrorsV1';
import { SessionsSettingReader } from '../../logic/SessionsSettingReader';
import { SessionsListenResolver } from '../SessionsListenResolver';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

export type { CommandableGrpcAction } from './IGrpcEndpoint';

/**
 * The gRPC server the process's gRPC services share, on @grpc/grpc-js. Ours because the toolkit's
 * GrpcEndpoint pulls restify (which does not load on Node 24) and cannot be set up from outside
 * for what it gets wrong (docs/grpc.md#the-grpc-server).
 */
export class SessionsGrpcEndpoint implements IConfigurable, IReferenceable, IOpenable, IGrpcEndpoint {
    private static readonly _endpointDefaults = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', '0.0.0.0',
        'connection.port', 8090,
        'options.request_max_size', 1024 * 1024,
        'options.close_timeout', 5000
    );

    private readonly _resolver = new SessionsListenResolver();
    private readonly _log = new CompositeLogger();
    private readonly _registered: IGrpcRegisterable[] = [];
    private readonly _commandable = new Map<string, CommandableGrpcAction>();
    private _grpcServer: grpc.Server | null = null;
    /** The server being set up while open() runs the registrations. */
    private _building: grpc.Server | null = null;
    private _address: string | null = null;
    private _port: number | null = null;
    private _requestMaxSize = 1024 * 1024;
    private _closeTimeout = 5000;

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsGrpcEndpoint._endpointDefaults);
        const settings = new SessionsSettingReader(config);
        if (config.getAsNullableString('connection.uri') == null) settings.port('connection.port', 8090);
        this._resolver.configure(config);
        this._requestMaxSize = settings.bytes('options.request_max_size', this._requestMaxSize);
        this._closeTimeout = settings.millis('options.close_timeout', this._closeTimeout);
    }

    public setReferences(references: IReferences): void {
        this._log.setReferences(references);
        this._resolver.setReferences(references);
    }

    public isOpen(): boolean {
        return this._grpcServer != null;
    }

    /** host:port once open, with the real port when 0 was asked for. */
    public get address(): string | null {
        return this._address;
    }

    public get port(): number | null {
        return this._port;
    }

    public async open(correlationId: string): Promise<void> {
        if (this._grpcServer != null) return;
        const connection = await this._resolver.resolve(correlationId);
        const host = connection.getAsStringWithDefault('host', '0.0.0.0');
        const port = connection.getAsInteger('port');
        const credentials = connection.getAsStringWithDefault('protocol', 'http') === 'https'
            ? SessionsGrpcEndpoint.sslCredentials(connection)
            : grpc.ServerCredentials.createInsecure();

        const server = new grpc.Server({ 'grpc.max_receive_message_length': this._requestMaxSize });
        this._commandable.clear();
        this._building = server;
        try {
            for (const registration of this._registered) registration.register();
            if (this._commandable.size > 0) this.addCommandableService(server);
        } finally {
            this._building = null;
        }

        let boundPort: number;
        try {
            boundPort = await new Promise<number>((resolve, reject) => {
                server.bindAsync(host + ':' + port, credentials, (err, bound) => err != null ? reject(err) : resolve(bound));
            });
        } catch (err) {
            server.forceShutdown();
            throw new ConnectionException(correlationId, SessionsErrorCode.CANNOT_LISTEN,
                'Cannot listen for gRPC on ' + host + ':' + port + ': ' + (err as Error).message);
        }
        this._grpcServer = server;
        this._port = boundPort;
        this._address = host + ':' + boundPort;
        this._log.info(correlationId, 'gRPC API listening at %s', this._address);
    }

    public async close(correlationId: string): Promise<void> {
        const server = this._grpcServer;
        if (server == null) return;
        this._grpcServer = null;
        this._address = null;
        this._port = null;
        await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
                this._log.warn(correlationId, 'gRPC calls still running after %d ms; cutting them off', this._closeTimeout);
                server.forceShutdown();
                resolve();
            }, this._closeTimeout);
            server.tryShutdown(() => {
                clearTimeout(timer);
                resolve();
            });
        });
        this._log.debug(correlationId, 'gRPC API closed');
    }

    public register(registration: IGrpcRegisterable): void {
        this._registered.push(registration);
    }

    public unregister(registration: IGrpcRegisterable): void {
        const index = this._registered.indexOf(registration);
        if (index >= 0) this._registered.splice(index, 1);
    }

    /** Called by the services while open() runs their registrations. */
    public registerService(service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation): void {
        if (this._building == null) {
            throw new InvalidStateException(undefined, SessionsErrorCode.NOT_OPENING, 'gRPC services can only be added while the endpoint opens');
        }
        this._building.addService(service, implementation);
    }

    /** A method of commandable.Commandable/invoke, by its name (v1/sessions.<command>). */
    public registerCommadableMethod(method: string, schema: Schema | null, action: CommandableGrpcAction): void {
        this._commandable.set(method, action);
    }

    private addCommandableService(server: grpc.Server): void {
        server.addService(SessionsProtoV1.tolerant(SessionsProtoV1.commandable().service), {
            invoke: (call: grpc.ServerUnaryCall<InvokeRequestMessage, InvokeReplyMessage>,
                callback: grpc.sendUnaryData<InvokeReplyMessage>) => {
                this.invoke(call).then(reply => callback(null, reply), (status: grpc.ServiceError) => callback(status));
            }
        });
    }

    private async invoke(call: grpc.ServerUnaryCall<InvokeRequestMessage, InvokeReplyMessage>): Promise<InvokeReplyMessage> {
        const correlationId = call.request.correlation_id || null;
        const action = this._commandable.get(call.request.method);
        try {
            if (SessionsProtoV1.isUndecodable(call.request)) {
                throw new BadRequestException(undefined, SessionsErrorCode.INVALID_MESSAGE, 'The request is not a valid commandable.InvokeRequest message');
            }
            if (action == null) {
                throw new NotFoundException(correlationId ?? undefined, SessionsErrorCode.METHOD_NOT_FOUND,
                    'Method ' + call.request.method + ' was not found. The methods are: ' + [...this._commandable.keys()].join(', '))
                    .withDetails('method', call.request.method);
            }
            return await action(call);
        } catch (err) {
            // An action refusing the call itself (UNAUTHENTICATED) answers with a gRPC status.
            if (SessionsGrpcEndpoint.isStatus(err)) throw err;
            // Actions answer their own errors; this is only a fault of the endpoint itself.
            if (action != null && !SessionsProtoV1.isUndecodable(call.request)) this._log.error(correlationId ?? '', err as Error, 'Method %s failed', call.request.method);
            return { error: SessionsGrpcErrorsV1.toDescription(err, correlationId), result_empty: true, result_json: '' };
        }
    }

    private static isStatus(err: unknown): err is grpc.ServiceError {
        return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number'
            && (err as Partial<grpc.ServiceError>).metadata instanceof grpc.Metadata;
    }

    private static sslCredentials(connection: ConfigParams): grpc.ServerCredentials {
        const caFile = connection.getAsNullableString('ssl_ca_file');
        return grpc.ServerCredentials.createSsl(
            caFile != null ? fs.readFileSync(caFile) : null,
            [{
                private_key: fs.readFileSync(connection.getAsString('ssl_key_file')),
                cert_chain: fs.readFileSync(connection.getAsString('ssl_crt_file'))
            }]);
    }
}
