import { expect } from 'chai';
import { Descriptor } from 'pip-services3-commons-nodex';

import {
    SessionsClientFactory, SessionsCommandableGrpcServiceV1, SessionsGrpcClientV1, SessionsGrpcEndpoint, SessionsGrpcServiceV1,
    SessionsServiceFactory
} from '../../src';

describe('Factories: gRPC components', () => {
    it('build the gRPC services and endpoint from the original config\'s descriptors', () => {
        const factory = new SessionsServiceFactory();
        const expected: Array<[string, new () => object]> = [
            ['service-sessions:service:grpc:default:1.0', SessionsGrpcServiceV1],
            ['service-sessions:service:commandable-grpc:default:1.0', SessionsCommandableGrpcServiceV1],
            // The toolkit's own descriptor: configs written for the original get our endpoint.
            ['pip-services:endpoint:grpc:default:1.0', SessionsGrpcEndpoint]
        ];
        for (const [descriptor, type] of expected) {
            expect(factory.create(Descriptor.fromString(descriptor)), descriptor).to.be.instanceOf(type);
        }
    });

    it('build the plain gRPC client', () => {
        const client = new SessionsClientFactory().create(Descriptor.fromString('service-sessions:client:grpc:default:1.0'));
        expect(client).to.be.instanceOf(SessionsGrpcClientV1);
    });
});
