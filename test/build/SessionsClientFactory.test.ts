import { expect } from 'chai';
import { Descriptor } from 'pip-services3-commons-nodex';

import {
    SessionsClientFactory, SessionsCommandableGrpcClientV1, SessionsCommandableHttpClientV1, SessionsDirectClientV1,
    SessionsGrpcClientV1, SessionsMockClientV1, SessionsNullClientV1, SessionsServiceFactory
} from '../../src';

describe('SessionsClientFactory', () => {
    const factory = new SessionsClientFactory();

    it('creates each client from the descriptor client-sessions-node uses', () => {
        const expected: Array<[string, new () => object]> = [
            ['service-sessions:client:commandable-http:default:1.0', SessionsCommandableHttpClientV1],
            ['service-sessions:client:direct:default:1.0', SessionsDirectClientV1],
            ['service-sessions:client:null:default:1.0', SessionsNullClientV1],
            ['service-sessions:client:mock:default:1.0', SessionsMockClientV1],
            ['service-sessions:client:grpc:default:1.0', SessionsGrpcClientV1],
            ['service-sessions:client:commandable-grpc:default:1.0', SessionsCommandableGrpcClientV1]
        ];
        for (const [descriptor, type] of expected) {
            const locator = Descriptor.fromString(descriptor);
            expect(factory.canCreate(locator), descriptor).to.not.equal(null);
            expect(factory.create(locator), descriptor).to.be.instanceOf(type);
        }
        expect(SessionsClientFactory.HttpClientV1Descriptor.toString()).to.equal('service-sessions:client:commandable-http:default:1.0');
    });

    it('creates nothing else, and can be told apart from the service factory', () => {
        expect(factory.canCreate(Descriptor.fromString('service-sessions:client:lambda:default:1.0'))).to.equal(null);
        expect(factory.canCreate(Descriptor.fromString('service-sessions:controller:default:default:1.0'))).to.equal(null);
        expect(SessionsClientFactory.Descriptor.equals(SessionsServiceFactory.Descriptor)).to.equal(false);
    });
});
