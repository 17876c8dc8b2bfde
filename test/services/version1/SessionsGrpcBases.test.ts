import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

import { expect } from 'chai';
import { ConfigParams, ConnectionException, Descriptor, IReferences } from 'pip-services3-commons-nodex';

// Modules only, not the package index: this file runs without the HTTP services, so on
// any Node version the gRPC stack loads on (restify, under the HTTP services, does not
// load on Node 24).
import { SessionsCommandableGrpcClientV1 } from '../../../src/clients/version1/SessionsCommandableGrpcClientV1';
import { SessionsGrpcClientV1 } from '../../../src/clients/version1/SessionsGrpcClientV1';
import { SessionsController } from '../../../src/logic/SessionsController';
import { SessionsMemoryPersistence } from '../../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionsCommandableGrpcServiceV1 } from '../../../src/services/version1/SessionsCommandableGrpcServiceV1';
import { SessionsGrpcEndpoint } from '../../../src/services/version1/SessionsGrpcEndpoint';
import { SessionsGrpcServiceV1 } from '../../../src/services/version1/SessionsGrpcServiceV1';
import { rejection } from '../../fixtures/Rejection';
import { TEST_AUDIT_KEY } from '../../fixtures/TestAuditKey';

type Commons = typeof import('pip-services3-commons-nodex');

/**
 * A second copy of pip-services3-commons-nodex, as an application with its own copy has:
 * the package's files copied to a node_modules of their own and loaded from there, so its
 * Descriptor and References are other classes than ours. (The directory is inside obj/ so
 * that the copy finds its own dependency, uuid, in the project's node_modules.)
 */
function secondCommons(directory: string): Commons {
    const source = path.dirname(require.resolve('pip-services3-commons-nodex/package.json'));
    const target = path.join(directory, 'node_modules', 'pip-services3-commons-nodex');
    fs.cpSync(source, target, { recursive: true });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(target) as Commons;
}

async function freePort(): Promise<number> {
    return await new Promise<number>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** References of the other copy: the memory store and the controller, plus the given components. */
function foreignReferences(commons: Commons, ...tuples: unknown[]): IReferences {
    const persistence = new SessionsMemoryPersistence();
    const controller = new SessionsController();
    controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
    const references = commons.References.fromTuples(
        new commons.Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence,
        new commons.Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller,
        ...tuples);
    controller.setReferences(references);
    return references;
}

function grpcConfig(port: number): ConfigParams {
    return ConfigParams.fromTuples('connection.protocol', 'http', 'connection.host', '127.0.0.1', 'connection.port', port);
}

describe('gRPC services and clients on their own bases (no HTTP stack)', () => {
    let directory: string;
    let commons: Commons;

    before(() => {
        directory = fs.mkdtempSync(path.join(path.resolve(__dirname, '..', '..', '..'), '.second-commons-'));
        commons = secondCommons(directory);
        expect(new commons.Descriptor('a', 'b', 'c', 'd', '1.0')).to.not.be.instanceOf(Descriptor, 'really another copy');
    });

    after(() => {
        fs.rmSync(directory, { recursive: true, force: true });
    });

    it('serves both APIs from a shared endpoint found in references of another copy of commons-nodex', async () => {
        const port = await freePort();
        const endpoint = new SessionsGrpcEndpoint();
        const plain = new SessionsGrpcServiceV1();
        const commandable = new SessionsCommandableGrpcServiceV1();
        const references = foreignReferences(commons,
            new commons.Descriptor('pip-services', 'endpoint', 'grpc', 'default', '1.0'), endpoint,
            new commons.Descriptor('service-sessions', 'service', 'grpc', 'default', '1.0'), plain,
            new commons.Descriptor('service-sessions', 'service', 'commandable-grpc', 'default', '1.0'), commandable);
        endpoint.configure(grpcConfig(port));
        endpoint.setReferences(references);
        for (const service of [plain, commandable]) {
            service.configure(new ConfigParams());
            service.setReferences(references);
        }
        await endpoint.open('test');
        await plain.open('test');
        await commandable.open('test');
        const plainClient = new SessionsGrpcClientV1(grpcConfig(port));
        const commandableClient = new SessionsCommandableGrpcClientV1(grpcConfig(port));
        try {
            await plainClient.open(null);
            await commandableClient.open(null);
            expect(plainClient.isOpen()).to.equal(true);
            const opened = await plainClient.openSession('c1', 'u-shared', 'Ann');
            expect((await commandableClient.getSessionById('c2', opened.id))!.user_name).to.equal('Ann');
            expect((await commandableClient.closeSession('c3', opened.id))!.active).to.equal(false);
            expect((await plainClient.getSessionById('c4', opened.id))!.active).to.equal(false);
            expect(plain.isOpen()).to.equal(true);
        } finally {
            await plainClient.close(null);
            await commandableClient.close(null);
            await commandable.close('test');
            await plain.close('test');
            expect(endpoint.isOpen(), 'a shared endpoint is not the services\' to close').to.equal(true);
            await endpoint.close('test');
        }
        expect(plainClient.isOpen()).to.equal(false);
        expect(plain.isOpen()).to.equal(false);
        expect(commandable.isOpen()).to.equal(false);
    });

    it('opens and closes an endpoint of its own with references of another copy of commons-nodex', async () => {
        const plainPort = await freePort();
        const commandablePort = await freePort();
        const plain = new SessionsGrpcServiceV1();
        const commandable = new SessionsCommandableGrpcServiceV1();
        const references = foreignReferences(commons);
        plain.configure(grpcConfig(plainPort));
        commandable.configure(grpcConfig(commandablePort));
        plain.setReferences(references);
        commandable.setReferences(references);
        await plain.open('test');
        await commandable.open('test');
        const plainClient = new SessionsGrpcClientV1(grpcConfig(plainPort));
        const commandableClient = new SessionsCommandableGrpcClientV1(grpcConfig(commandablePort));
        await plainClient.open(null);
        await commandableClient.open(null);
        try {
            const opened = await plainClient.openSession('c1', 'u-own');
            expect((await commandableClient.getSessionById('c2', opened.id))!.user_id).to.equal('u-own');
            expect(plain.isOpen()).to.equal(true);
        } finally {
            await plain.close('test');
            await commandable.close('test');
        }
        try {
            expect(plain.isOpen()).to.equal(false);
            const refused = await rejection(plainClient.getSessionById('c3', 's1'));
            expect(refused, 'its endpoint closed with it').to.be.instanceOf(ConnectionException);
            expect(refused.code).to.equal('CONNECTION_FAILED');
            expect((await rejection(commandableClient.getSessionById('c4', 's1'))).code).to.equal('CONNECTION_FAILED');
        } finally {
            await plainClient.close(null);
            await commandableClient.close(null);
        }
    });

    it('fails open with REF_ERROR when the references hold no controller', async () => {
        const service = new SessionsGrpcServiceV1();
        service.configure(grpcConfig(await freePort()));
        service.setReferences(new commons.References());
        const error = await rejection(service.open('test'));
        expect(error.code).to.equal('REF_ERROR');
        expect(service.isOpen()).to.equal(false);
    });
});
