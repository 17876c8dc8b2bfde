import { ConfigParams, IConfigurable, IReferenceable, IReferences } from 'pip-services3-commons-nodex';
// Deep import: the package's index loads restify, which does not load on Node 24.
import { HttpConnectionResolver } from 'pip-services3-rpc-nodex/obj/src/connect/HttpConnectionResolver';

/**
 * Where an endpoint listens: the toolkit's HttpConnectionResolver (the connection from config
 * or discovery, https credentials, its checks), but with port 0, "any free port", allowed: the
 * toolkit takes 0 for "no port" and refuses it (NO_PORT). The endpoint reports the port it got.
 */
export class SessionsListenResolver implements IConfigurable, IReferenceable {
    /** Stands in for port 0 in the toolkit's checks only; never listened on. */
    private static readonly _standInPort = 1;

    private readonly _resolver = new HttpConnectionResolver();
    private _anyPort = false;

    public configure(config: ConfigParams): void {
        this._anyPort = config.getAsNullableString('connection.uri') == null && config.getAsNullableString('connection.discovery_key') == null
            && config.getAsNullableInteger('connection.port') === 0;
        this._resolver.configure(this._anyPort
            ? config.override(ConfigParams.fromTuples('connection.port', SessionsListenResolver._standInPort)) : config);
    }

    public setReferences(references: IReferences): void {
        this._resolver.setReferences(references);
    }

    /** protocol, host, port (0: any free port) and, for https, the credential's files. */
    public async resolve(correlationId: string): Promise<ConfigParams> {
        const connection = await this._resolver.resolve(correlationId);
        if (!this._anyPort) return connection;
        connection.setAsObject('port', 0);
        connection.setAsObject('uri', connection.getAsString('protocol') + '://' + connection.getAsString('host') + ':0');
        return connection;
    }
}
