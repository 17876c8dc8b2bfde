import {
    ConfigException, ConfigParams, Descriptor, IConfigurable, IOpenable, IReferenceable, References
} from 'pip-services3-commons-nodex';

import { SessionsController } from '../../logic/SessionsController';
import { ISessionsPersistence } from '../../persistence/ISessionsPersistence';
import { SessionsFilePersistence } from '../../persistence/file/SessionsFilePersistence';
import { SessionsMemoryPersistence } from '../../persistence/memory/SessionsMemoryPersistence';
import { SessionsMongoDbPersistence } from '../../persistence/mongodb/SessionsMongoDbPersistence';
import { SessionsRedisPersistence } from '../../persistence/redis/SessionsRedisPersistence';
import { ISenecaInstance, SenecaMessage, SenecaReply } from './ISenecaInstance';
import { SessionsApiAccess } from '../SessionsApiAccess';
import { SessionsSenecaActionsV1 } from './SessionsSenecaActionsV1';
import { SessionsSenecaHostLogger } from './SessionsSenecaHostLogger';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsCommandSet } from '../../logic/SessionsCommandSet';

/** The stores the plugin can build, by `persistence.type`. */
export type SessionsSenecaPersistenceType = 'memory' | 'file' | 'mongodb' | 'redis';

/**
 * Each section takes the options of its entry in config.yml: persistence `path` and
 * `options.*` (file), `connection.*`, `credential.*`, `collection` and `options.*`
 * (mongodb), `connection.*`, `credential.*`, `tls.*` and `options.*` (redis),
 * `options.max_page_size` (all); controller `options.expire_timeout` and
 * `options.cleanup_interval`.
 */
export interface SessionsSenecaPluginOptions {
    persistence: { type: SessionsSenecaPersistenceType; [option: string]: unknown };
    controller?: Record<string, unknown>;
    /** Largest message arguments, in bytes as JSON (default 1 MB). */
    request_max_size?: number;
    /** When set, messages from the host's remote callers must carry it as api_key. */
    api_key?: string;
    /** The application key (needs api_key): remote callers may send it instead, for its scope only (see SessionsApplicationKeyScope). */
    app_api_key?: string;
}

type Component = ISessionsPersistence & IConfigurable & IReferenceable & IOpenable;

/** How long the plugin waits for calls in flight when the host closes. */
const DRAIN_TIMEOUT = 10000;

/**
 * The sessions service as a plugin of someone else's Seneca application,
 * `seneca.use(SessionsSenecaPlugin, { persistence: { type: 'memory' } })`: the store and the patterns
 * inside the host, opened and closed with it (docs/seneca.md#the-seneca-plugin).
 */
export function SessionsSenecaPlugin(this: ISenecaInstance, options: SessionsSenecaPluginOptions): void {
    const seneca = this;
    const logger = new SessionsSenecaHostLogger(seneca);
    const persistenceOptions = options?.persistence;
    const persistence = createPersistence(persistenceOptions);
    const controller = new SessionsController();

    const { type, ...storeConfig } = persistenceOptions;
    persistence.configure(ConfigParams.fromValue(storeConfig));
    controller.configure(ConfigParams.fromValue(options.controller ?? {}));
    const references = References.fromTuples(
        new Descriptor('service-sessions', 'persistence', type, 'default', '1.0'), persistence,
        new Descriptor('service-sessions', 'controller', 'default', 'default', '1.0'), controller,
        new Descriptor('service-sessions', 'logger', 'seneca', 'default', '1.0'), logger
    );
    persistence.setReferences(references);
    controller.setReferences(references);

    const commands = SessionsCommandSet.of(controller).getCommands();
    const actions = new SessionsSenecaActionsV1(commands, logger,
        options.request_max_size ?? SessionsSenecaActionsV1.DefaultRequestMaxSize, SessionsApiAccess.forService(ConfigParams.fromTuples(
            'auth.api_key', options.api_key ?? null, 'auth.app_api_key', options.app_api_key ?? null), null));
    actions.register(seneca);

    const correlationId = 'service-sessions';
    seneca.init((done) => {
        (async () => {
            await persistence.open(correlationId);
            await controller.open(correlationId);
        })().then(() => done(), (err: Error) => done(err));
    });

    // The host's close runs role:seneca,cmd:close; the transports close first (prior), then the store.
    seneca.add({ role: 'seneca', cmd: 'close' }, function (this: ISenecaInstance, msg: SenecaMessage, reply: SenecaReply) {
        this.prior(msg, (priorErr, result) => {
            (async () => {
                await actions.drain(DRAIN_TIMEOUT);
                await controller.close(correlationId);
                await persistence.close(correlationId);
            })().then(
                () => reply(priorErr, result),
                (err: Error) => {
                    logger.error(correlationId, err, 'Closing the sessions store failed');
                    reply(priorErr ?? err, result);
                });
        });
    });
}

function createPersistence(options: SessionsSenecaPluginOptions['persistence'] | undefined): Component {
    switch (options?.type) {
        case 'memory': return new SessionsMemoryPersistence();
        case 'file': return new SessionsFilePersistence();
        case 'mongodb': return new SessionsMongoDbPersistence();
        case 'redis': return new SessionsRedisPersistence();
        default:
            throw new ConfigException(undefined, SessionsErrorCode.WRONG_PERSISTENCE,
                'SessionsSenecaPlugin needs persistence.type memory, file, mongodb or redis, not ' + JSON.stringify(options?.type));
    }
}
