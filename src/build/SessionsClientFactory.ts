import { Descriptor } from 'pip-services3-commons-nodex';
import { Factory } from 'pip-services3-components-nodex';

import { SessionsCommandableHttpClientV1 } from '../clients/version1/SessionsCommandableHttpClientV1';
import { SessionsDirectClientV1 } from '../clients/version1/SessionsDirectClientV1';
import { SessionsCommandableGrpcClientV1 } from '../clients/version1/SessionsCommandableGrpcClientV1';
import { SessionsGrpcClientV1 } from '../clients/version1/SessionsGrpcClientV1';
import { SessionsMockClientV1 } from '../clients/version1/SessionsMockClientV1';
import { SessionsNullClientV1 } from '../clients/version1/SessionsNullClientV1';

/**
 * Builds the sessions clients from client-sessions-node's descriptors. Its own descriptor says
 * "client": the original's reused the service factory's, so the two could not be told apart.
 */
export class SessionsClientFactory extends Factory {
    public static readonly Descriptor = new Descriptor('service-sessions', 'factory', 'client', 'default', '1.0');
    public static readonly NullClientV1Descriptor = new Descriptor('service-sessions', 'client', 'null', 'default', '1.0');
    public static readonly MockClientV1Descriptor = new Descriptor('service-sessions', 'client', 'mock', 'default', '1.0');
    public static readonly DirectClientV1Descriptor = new Descriptor('service-sessions', 'client', 'direct', 'default', '1.0');
    public static readonly HttpClientV1Descriptor = new Descriptor('service-sessions', 'client', 'commandable-http', 'default', '1.0');
    public static readonly GrpcClientV1Descriptor = new Descriptor('service-sessions', 'client', 'grpc', 'default', '1.0');
    public static readonly CommandableGrpcClientV1Descriptor = new Descriptor('service-sessions', 'client', 'commandable-grpc', 'default', '1.0');

    public constructor() {
        super();
        this.registerAsType(SessionsClientFactory.NullClientV1Descriptor, SessionsNullClientV1);
        this.registerAsType(SessionsClientFactory.MockClientV1Descriptor, SessionsMockClientV1);
        this.registerAsType(SessionsClientFactory.DirectClientV1Descriptor, SessionsDirectClientV1);
        this.registerAsType(SessionsClientFactory.HttpClientV1Descriptor, SessionsCommandableHttpClientV1);
        this.registerAsType(SessionsClientFactory.GrpcClientV1Descriptor, SessionsGrpcClientV1);
        this.registerAsType(SessionsClientFactory.CommandableGrpcClientV1Descriptor, SessionsCommandableGrpcClientV1);
    }
}
