import * as grpc from '@grpc/grpc-js';
import {
    ConfigParams, DependencyResolver, IConfigurable, InvalidStateException, IOpenable, IReferenceable, IReferences, IUnreferenceable,
    Schema
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionsApiAccess } from '../SessionsApiAccess';
import { IGrpcEndpoint } from './IGrpcEndpoint';
import { IGrpcRegisterable } from './IGrpcRegisterable';
import { SessionsGrpcEndpoint } from './SessionsGrpcEndpoint';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** A unary method as a service writes it: the call in, the reply out; what it throws is the call's error. */
export type GrpcUnaryAction<Request, Reply> = (call: grpc.ServerUnaryCall<Request, Reply>) => Promise<Reply>;

/**
 * The base of the gRPC services: the life cycle and registration of the toolkit's GrpcService,
 * ours because that module pulls restify, which does not load on Node 24. It adds its methods to
 * the endpoint in its references each time that opens, else to an endpoint of its own; the
 * references are used as given, so they may come from another copy of the toolkit.
 * Subclasses implement register(): registerMethod() for each method of the service definition.
 */
export abstract class SessionsGrpcServiceBase implements IConfigurable, IReferenceable, IUnreferenceable, IOpenable {
    private static readonly _defaultConfig = ConfigParams.fromTuples(
        'dependencies.endpoint', '*:endpoint:grpc:*:1.0',
        'dependencies.access', 'service-sessions:access:*:*:1.0'
    );

    protected readonly _dependencyResolver = new DependencyResolver(SessionsGrpcServiceBase._defaultConfig);
    protected readonly _logger = new CompositeLogger();
    /** The endpoint the service registers with: the shared one, or its own. */
    protected _endpoint: IGrpcEndpoint | null = null;
    /** Who may call (see SessionsApiAccess): resolved with the references. */
    protected _access = new SessionsApiAccess();

    private readonly _service: grpc.ServiceDefinition | null;
    private readonly _registration: IGrpcRegisterable = { register: () => this.registerService() };
    private _config: ConfigParams | null = null;
    private _references: IReferences | null = null;
    private _ownEndpoint: SessionsGrpcEndpoint | null = null;
    /** The methods being registered, only while register() runs. */
    private _implementation: grpc.UntypedServiceImplementation | null = null;
    private _opened = false;

    protected constructor(service: grpc.ServiceDefinition | null) {
        this._service = service;
    }

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsGrpcServiceBase._defaultConfig);
        this._config = config;
        this._dependencyResolver.configure(config);
    }

    public setReferences(references: IReferences): void {
        this.unsetReferences();
        this._references = references;
        this._logger.setReferences(references);
        this._dependencyResolver.setReferences(references);
        this._access = SessionsApiAccess.forService(this._config, this._dependencyResolver.getOneOptional<SessionsApiAccess>('access'));
        const shared = this._dependencyResolver.getOneOptional<IGrpcEndpoint>('endpoint');
        this._ownEndpoint = shared == null ? this.createEndpoint() : null;
        this._endpoint = shared ?? this._ownEndpoint;
        this._endpoint?.register(this._registration);
    }

    public unsetReferences(): void {
        this._endpoint?.unregister(this._registration);
        this._endpoint = null;
        this._ownEndpoint = null;
    }

    public isOpen(): boolean {
        return this._opened;
    }

    /** Opens the service's own endpoint, if it has one; a shared endpoint opens by itself. */
    public async open(correlationId: string): Promise<void> {
        if (this._opened) return;
        if (this._endpoint == null) {
            this._ownEndpoint = this.createEndpoint();
            this._endpoint = this._ownEndpoint;
            this._endpoint.register(this._registration);
        }
        await this._ownEndpoint?.open(correlationId);
        this._opened = true;
    }

    /** Closes the service's own endpoint, if it has one. */
    public async close(correlationId: string): Promise<void> {
        if (!this._opened) return;
        await this._ownEndpoint?.close(correlationId);
        this._opened = false;
    }

    /** Registers the service's methods: called by the endpoint each time it opens. */
    public abstract register(): void;

    /**
     * Adds a unary method of the service definition, from register(). With a schema, the
     * request is validated first (a ValidationException is the call's error).
     */
    protected registerMethod<Request, Reply>(name: string, schema: Schema | null, action: GrpcUnaryAction<Request, Reply>): void {
        if (this._implementation == null) {
            throw new InvalidStateException(undefined, SessionsErrorCode.NOT_REGISTERING, 'gRPC methods can only be added from register()');
        }
        this._implementation[name] = (call: grpc.ServerUnaryCall<Request, Reply>, callback: grpc.sendUnaryData<Reply>) => {
            this.execute(schema, action, call).then(
                reply => callback(null, reply),
                // grpc-js sends the error's code, details and metadata: the services throw a
                // grpc.ServerErrorResponse; anything else goes out as UNKNOWN with its message.
                (err: unknown) => callback(err as grpc.ServerErrorResponse, null));
        };
    }

    /** The endpoint the service would open when none is shared: a SessionsGrpcEndpoint configured like the service. */
    protected createEndpoint(): SessionsGrpcEndpoint {
        const endpoint = new SessionsGrpcEndpoint();
        endpoint.configure(this._config ?? new ConfigParams());
        if (this._references != null) endpoint.setReferences(this._references);
        return endpoint;
    }

    private async execute<Request, Reply>(schema: Schema | null, action: GrpcUnaryAction<Request, Reply>,
        call: grpc.ServerUnaryCall<Request, Reply>): Promise<Reply> {
        if (schema != null) {
            const correlationId = (call.request as { correlation_id?: string } | null)?.correlation_id ?? null;
            const error = schema.validateAndReturnException(correlationId as string, call.request, false);
            if (error != null) throw error;
        }
        return await action(call);
    }

    private registerService(): void {
        const endpoint = this._endpoint;
        if (endpoint == null) return;
        this._implementation = {};
        try {
            this.register();
            if (this._service != null) endpoint.registerService(this._service, this._implementation);
        } finally {
            this._implementation = null;
        }
    }
}
