import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';

import { SessionsController } from '../../../src/logic/SessionsController';
import { SessionsMemoryPersistence } from '../../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionsSenecaServiceV1 } from '../../../src/services/version1/SessionsSenecaServiceV1';
import { SenecaCapturedLog } from './SenecaCapturedLog';
import { TEST_AUDIT_KEY } from '../../fixtures/TestAuditKey';

/**
 * The Seneca API alone, in this process, over the memory store: its listener's
 * bookkeeping and its log can be read, which the whole container does not show.
 */
export class SenecaTestListener {
    public readonly service: SessionsSenecaServiceV1;
    public readonly log: SenecaCapturedLog;
    public readonly port: number;
    private readonly _controller: SessionsController;

    private constructor(service: SessionsSenecaServiceV1, log: SenecaCapturedLog, controller: SessionsController) {
        this.service = service;
        this.log = log;
        this._controller = controller;
        this.port = Number(/:(\d+)$/.exec(service.address ?? '')?.[1]);
    }

    public static async start(protocol: 'tcp' | 'http', requestMaxSize = 1024 * 1024): Promise<SenecaTestListener> {
        const log = new SenecaCapturedLog();
        const persistence = new SessionsMemoryPersistence();
        const controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
        const service = new SessionsSenecaServiceV1();
        const references = References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence,
            new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller,
            new Descriptor('service-sessions', 'logger', 'capture', 'default', '1.0'), log
        );
        controller.setReferences(references);
        service.configure(ConfigParams.fromTuples('connection.protocol', protocol, 'connection.host', '127.0.0.1',
            'connection.port', 0, 'options.request_max_size', requestMaxSize));
        service.setReferences(references);
        await persistence.open('test');
        await controller.open('test');
        await service.open('test');
        return new SenecaTestListener(service, log, controller);
    }

    public async stop(): Promise<void> {
        await this.service.close('test');
        await this._controller.close('test');
    }
}
