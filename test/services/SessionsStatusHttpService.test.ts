import { expect } from 'chai';
import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';
import { ContextInfo } from 'pip-services3-components-nodex';

import { SessionsHeartbeatHttpService } from '../../src/services/SessionsHeartbeatHttpService';
import { SessionsStatusHttpService } from '../../src/services/SessionsStatusHttpService';
import { HttpReply } from '../fixtures/HttpReply';
import { freePort, TestService } from '../fixtures/TestService';

describe('SessionsHeartbeatHttpService and SessionsStatusHttpService', () => {
    describe('on the process\'s shared endpoint', () => {
        let service: TestService;

        before(async () => { service = await TestService.start({ MEMORY_ENABLED: 'true' }); });
        after(async () => { await service.stop(); });

        it('/heartbeat answers the current time as a JSON string', async () => {
            const before = Date.now();
            const reply = await HttpReply.read(await fetch(service.url + '/heartbeat'));
            expect(reply.status).to.equal(200);
            expect(reply.body).to.be.a('string');
            const time = new Date(reply.body as unknown as string).getTime();
            expect(time).to.be.within(before - 1000, Date.now() + 1000);
        });

        it('/status answers the toolkit\'s shape with the context and the components', async () => {
            const reply = await HttpReply.read(await fetch(service.url + '/status'));
            expect(reply.status).to.equal(200);
            expect(reply.body).to.have.keys('id', 'name', 'description', 'start_time', 'current_time', 'uptime', 'properties', 'components');
            expect(reply.body.name).to.equal('service-sessions');
            expect(reply.body.description).to.equal('User sessions microservice');
            expect(reply.body.uptime).to.be.a('number').and.to.be.at.least(0);
            expect(new Date(reply.body.current_time).getTime()).to.be.at.least(new Date(reply.body.start_time).getTime());
            expect(reply.body.components).to.include('service-sessions:controller:default:default:1.0');
            expect(reply.body.components).to.include('pip-services:status-service:http:default:1.0');
        });
    });

    it('each opens an endpoint of its own on its connection when none is shared, and closes it', async () => {
        const port = await freePort();
        const config = ConfigParams.fromTuples('connection.host', '127.0.0.1', 'connection.port', port, 'route', 'alive');
        const heartbeat = new SessionsHeartbeatHttpService();
        heartbeat.configure(config);
        const status = new SessionsStatusHttpService();
        status.configure(ConfigParams.fromTuples('connection.host', '127.0.0.1', 'connection.port', await freePort()));
        const context = new ContextInfo('sessions-test', 'a test');
        status.setReferences(References.fromTuples(new Descriptor('pip-services', 'context-info', 'default', 'default', '1.0'), context));
        heartbeat.setReferences(new References());
        await heartbeat.open('test');
        await status.open('test');
        try {
            expect(heartbeat.isOpen()).to.equal(true);
            expect((await fetch('http://127.0.0.1:' + port + '/alive')).status).to.equal(200);
            expect((await fetch('http://127.0.0.1:' + port + '/heartbeat')).status, 'the configured route only').to.equal(404);
        } finally {
            await heartbeat.close('test');
            await status.close('test');
        }
        expect(heartbeat.isOpen()).to.equal(false);
        await fetch('http://127.0.0.1:' + port + '/alive').then(
            () => expect.fail('the endpoint is closed'), (err: Error) => expect(err.message).to.match(/fetch failed/));
    });
});
