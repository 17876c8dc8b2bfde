import * as fs from 'fs';

import * as grpc from '@grpc/grpc-js';
import { ConfigParams, ConnectionException, IConfigurable, IOpenable, IReferenceable, IReferences } from 'pip-services3-commons-nodex';
import { CompositeCounters, CompositeLogger, CompositeTracer } from 'pip-services3-components-nodex';
// Deep imports: the package index loads its HttpEndpoint, which pulls restify (does not load on Node 24).
import { HttpConnectionResolver } from 'pip-services3-rpc-nodex/obj/src/connect/HttpConnectionResolver';
import { InstrumentTiming } from 'pip-services3-rpc-nodex/obj/src/services/InstrumentTiming';

import { SessionsCallInstruments } from './SessionsCallInstruments';
import { SessionsGrpcCallV1 } from './SessionsGrpcCallV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/**
 * The base of the gRPC clients: the configuration, life cycle and instrumentation of the
 * toolkit's GrpcClient, ours because that module pulls restify, which does not load on
 * Node 24. close() closes the channel: the toolkit's left it keeping the process alive.
 */
export abstract class SessionsGrpcClientBase implements IConfigurable, IReferenceable, IOpenable {
    private static readonly _defaultConfig = ConfigParams.fromTuples(
        'connection.protocol', 'http',
        'connection.host', '0.0.0.0',
        'connection.port', 3000,
        'options.timeout', 10000
    );

    protected readonly _connectionResolver = new HttpConnectionResolver();
    protected readonly _logger = new CompositeLogger();
    protected readonly _counters = new CompositeCounters();
    protected readonly _tracer = new CompositeTracer();
    /** ms a call may take, connecting included. */
    protected _timeout = 10000;
    /** The service's full or application key (auth.api_key: HTTP_API_KEY or APP_API_KEY), sent as x-api-key metadata. */
    protected _apiKey: string | null = null;
    /** The stub while open. */
    protected _client: grpc.Client | null = null;
    /** The service's address while open (http://host:port). */
    protected _uri: string | null = null;

    private readonly _clientType: grpc.ServiceClientConstructor;

    protected constructor(clientType: grpc.ServiceClientConstructor) {
        this._clientType = clientType;
    }

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsGrpcClientBase._defaultConfig);
        this._connectionResolver.configure(config);
        this._timeout = config.getAsIntegerWithDefault('options.timeout', this._timeout);
        this._apiKey = config.getAsNullableString('auth.api_key') || null;
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
        this._counters.setReferences(references);
        this._tracer.setReferences(references);
        this._connectionResolver.setReferences(references);
    }

    public isOpen(): boolean {
        return this._client != null;
    }

    public async open(correlationId: string | null): Promise<void> {
        if (this.isOpen()) return;
        const cid = correlationId as string;
        const connection = await this._connectionResolver.resolve(cid);
        const uri = connection.getAsString('uri');
        try {
            const credentials = connection.getAsStringWithDefault('protocol', 'http') === 'https'
                ? SessionsGrpcClientBase.sslCredentials(connection)
                : grpc.credentials.createInsecure();
            this._client = new this._clientType(connection.getAsString('host') + ':' + connection.getAsInteger('port'), credentials);
            this._uri = uri;
        } catch (err) {
            this._client = null;
            throw new ConnectionException(cid, SessionsErrorCode.CANNOT_CONNECT, 'Opening GRPC client failed').wrap(err).withDetails('url', uri);
        }
    }

    public async close(correlationId: string | null): Promise<void> {
        const client = this._client;
        if (client == null) return;
        const uri = this._uri;
        this._client = null;
        this._uri = null;
        client.close();
        this._logger.debug(correlationId as string, 'Closed GRPC service at %s', uri);
    }

    /**
     * Logs, counts (<name>.call_count, <name>.call_time) and traces a call; the timing
     * returned is ended with the call's outcome.
     */
    protected instrument(correlationId: string | null, name: string): InstrumentTiming {
        return SessionsCallInstruments.begin(this._logger, this._counters, this._tracer, correlationId, name);
    }

    /** One unary call of the contract: see SessionsGrpcCallV1. */
    protected async call<T>(method: string, correlationId: string | null, request: unknown = {}): Promise<T> {
        const metadata = new grpc.Metadata();
        if (this._apiKey != null) metadata.set('x-api-key', this._apiKey);
        return await SessionsGrpcCallV1.invoke<T>(this._client, method, request, this._timeout, correlationId, this._uri ?? '', metadata);
    }

    private static sslCredentials(connection: ConfigParams): grpc.ChannelCredentials {
        const read = (key: string): Buffer | null => {
            const file = connection.getAsNullableString(key);
            return file != null ? fs.readFileSync(file) : null;
        };
        return grpc.credentials.createSsl(read('ssl_ca_file'), read('ssl_key_file'), read('ssl_crt_file'));
    }
}
