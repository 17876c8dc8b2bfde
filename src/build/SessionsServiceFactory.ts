import { Descriptor } from 'pip-services3-commons-nodex';
import { Factory } from 'pip-services3-components-nodex';

import { SessionsConsoleLogger } from '../container/SessionsConsoleLogger';
import { SessionsController } from '../logic/SessionsController';
import { SessionsMetrics } from '../logic/SessionsMetrics';
import { SessionsFilePersistence } from '../persistence/file/SessionsFilePersistence';
import { SessionsMemoryPersistence } from '../persistence/memory/SessionsMemoryPersistence';
import { SessionsMongoDbPersistence } from '../persistence/mongodb/SessionsMongoDbPersistence';
import { SessionsRedisPersistence } from '../persistence/redis/SessionsRedisPersistence';
import { SessionsApiAccess } from '../services/SessionsApiAccess';
import { SessionsConsoleService } from '../services/SessionsConsoleService';
import { SessionsHeartbeatHttpService } from '../services/SessionsHeartbeatHttpService';
import { SessionsHttpEndpoint } from '../services/SessionsHttpEndpoint';
import { SessionsMetricsHttpService } from '../services/SessionsMetricsHttpService';
import { SessionsReadinessHttpService } from '../services/SessionsReadinessHttpService';
import { SessionsStatusHttpService } from '../services/SessionsStatusHttpService';
import { SessionsSwaggerUiService } from '../services/SessionsSwaggerUiService';
import { SessionsCommandableHttpServiceV1 } from '../services/version1/SessionsCommandableHttpServiceV1';
import { SessionsCommandableGrpcServiceV1 } from '../services/version1/SessionsCommandableGrpcServiceV1';
import { SessionsGrpcEndpoint } from '../services/version1/SessionsGrpcEndpoint';
import { SessionsGrpcServiceV1 } from '../services/version1/SessionsGrpcServiceV1';
import { SessionsSenecaServiceV1 } from '../services/version1/SessionsSenecaServiceV1';

/** Builds the service's components from the descriptors in config.yml (the original's names). */
export class SessionsServiceFactory extends Factory {
    public static readonly Descriptor = new Descriptor('service-sessions', 'factory', 'default', 'default', '1.0');
    public static readonly MemoryPersistenceDescriptor = new Descriptor('service-sessions', 'persistence', 'memory', '*', '1.0');
    public static readonly FilePersistenceDescriptor = new Descriptor('service-sessions', 'persistence', 'file', '*', '1.0');
    public static readonly MongoDbPersistenceDescriptor = new Descriptor('service-sessions', 'persistence', 'mongodb', '*', '1.0');
    public static readonly RedisPersistenceDescriptor = new Descriptor('service-sessions', 'persistence', 'redis', '*', '1.0');
    public static readonly ControllerDescriptor = new Descriptor('service-sessions', 'controller', 'default', '*', '1.0');
    public static readonly CommandableHttpServiceDescriptor = new Descriptor('service-sessions', 'service', 'commandable-http', '*', '1.0');
    /** Also answers the toolkit's endpoint descriptor, so configs written for the original get the hardened endpoint. */
    public static readonly HttpEndpointDescriptor = new Descriptor('*', 'endpoint', 'http', '*', '1.0');
    public static readonly GrpcServiceDescriptor = new Descriptor('service-sessions', 'service', 'grpc', '*', '1.0');
    public static readonly CommandableGrpcServiceDescriptor = new Descriptor('service-sessions', 'service', 'commandable-grpc', '*', '1.0');
    /** Also answers the toolkit's gRPC endpoint descriptor, as for HTTP. */
    public static readonly GrpcEndpointDescriptor = new Descriptor('*', 'endpoint', 'grpc', '*', '1.0');
    public static readonly SenecaServiceDescriptor = new Descriptor('service-sessions', 'service', 'seneca', '*', '1.0');
    public static readonly MetricsDescriptor = new Descriptor('service-sessions', 'metrics', 'prometheus', '*', '1.0');
    public static readonly MetricsServiceDescriptor = new Descriptor('service-sessions', 'metrics-service', 'http', '*', '1.0');
    /** The toolkit's heartbeat and status descriptors (config.yml names them as the original did). */
    public static readonly HeartbeatServiceDescriptor = new Descriptor('pip-services', 'heartbeat-service', 'http', '*', '1.0');
    public static readonly StatusServiceDescriptor = new Descriptor('pip-services', 'status-service', 'http', '*', '1.0');
    public static readonly ReadinessServiceDescriptor = new Descriptor('service-sessions', 'readiness-service', 'http', '*', '1.0');
    /** Also answers the toolkit's console logger descriptor, so LOG_FORMAT works in configs written for the original. */
    public static readonly ConsoleLoggerDescriptor = new Descriptor('pip-services', 'logger', 'console', '*', '1.0');
    public static readonly SwaggerUiServiceDescriptor = new Descriptor('service-sessions', 'swagger-ui', 'http', '*', '1.0');
    /** The original's swagger service: configs that name it get the safe UI instead of the toolkit's file server. */
    public static readonly OriginalSwaggerServiceDescriptor = new Descriptor('pip-services', 'swagger-service', 'http', '*', '1.0');

    /** The operator console at /console (CONSOLE_ENABLED). */
    public static readonly ConsoleServiceDescriptor = new Descriptor('service-sessions', 'console', 'http', '*', '1.0');

    public constructor() {
        super();
        this.registerAsType(SessionsServiceFactory.MemoryPersistenceDescriptor, SessionsMemoryPersistence);
        this.registerAsType(SessionsServiceFactory.FilePersistenceDescriptor, SessionsFilePersistence);
        this.registerAsType(SessionsServiceFactory.MongoDbPersistenceDescriptor, SessionsMongoDbPersistence);
        this.registerAsType(SessionsServiceFactory.RedisPersistenceDescriptor, SessionsRedisPersistence);
        this.registerAsType(SessionsServiceFactory.ControllerDescriptor, SessionsController);
        this.registerAsType(SessionsServiceFactory.CommandableHttpServiceDescriptor, SessionsCommandableHttpServiceV1);
        this.registerAsType(SessionsServiceFactory.HttpEndpointDescriptor, SessionsHttpEndpoint);
        this.registerAsType(SessionsServiceFactory.GrpcServiceDescriptor, SessionsGrpcServiceV1);
        this.registerAsType(SessionsServiceFactory.CommandableGrpcServiceDescriptor, SessionsCommandableGrpcServiceV1);
        this.registerAsType(SessionsServiceFactory.GrpcEndpointDescriptor, SessionsGrpcEndpoint);
        this.registerAsType(SessionsServiceFactory.SenecaServiceDescriptor, SessionsSenecaServiceV1);
        this.registerAsType(SessionsServiceFactory.MetricsDescriptor, SessionsMetrics);
        this.registerAsType(SessionsServiceFactory.MetricsServiceDescriptor, SessionsMetricsHttpService);
        this.registerAsType(SessionsApiAccess.Descriptor, SessionsApiAccess);
        this.registerAsType(SessionsServiceFactory.HeartbeatServiceDescriptor, SessionsHeartbeatHttpService);
        this.registerAsType(SessionsServiceFactory.StatusServiceDescriptor, SessionsStatusHttpService);
        this.registerAsType(SessionsServiceFactory.ReadinessServiceDescriptor, SessionsReadinessHttpService);
        this.registerAsType(SessionsServiceFactory.ConsoleLoggerDescriptor, SessionsConsoleLogger);
        this.registerAsType(SessionsServiceFactory.SwaggerUiServiceDescriptor, SessionsSwaggerUiService);
        this.registerAsType(SessionsServiceFactory.OriginalSwaggerServiceDescriptor, SessionsSwaggerUiService);
        this.registerAsType(SessionsServiceFactory.ConsoleServiceDescriptor, SessionsConsoleService);
    }
}
