import {
    ApplicationException, BadRequestException, ConfigException, ConfigParams, ConnectionException, DependencyResolver, ICommandable,
    IConfigurable, IOpenable, IReferenceable, IReferences, NotFoundException
} from 'pip-services3-commons-nodex';
import { CompositeLogger } from 'pip-services3-components-nodex';

import { SessionsApiAccess } from '../SessionsApiAccess';
import { ISenecaInstance, SenecaInwardSpec, SenecaInwardStop, SenecaInwardTask, SenecaMessage } from './ISenecaInstance';
import { ISessionsSenecaListener } from './ISessionsSenecaListener';
import { SessionsSenecaActionsV1 } from './SessionsSenecaActionsV1';
import { SessionsSenecaDispatcherV1 } from './SessionsSenecaDispatcherV1';
import { SessionsSenecaHttpListenerV1 } from './SessionsSenecaHttpListenerV1';
import { SessionsSenecaTcpListenerV1 } from './SessionsSenecaTcpListenerV1';
import { SessionsSenecaLogAdapter } from './SessionsSenecaLogAdapter';
import { SessionsSenecaReplyV1 } from './SessionsSenecaReplyV1';
import { SessionsSettingReader } from '../../logic/SessionsSettingReader';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsCommandSet } from '../../logic/SessionsCommandSet';

/** The parts of the meta Seneca builds for a message (before the inward steps run) that the guard reads. */
interface SenecaInwardMeta {
    prior?: unknown;
    closing?: boolean;
    dflt?: unknown;
}

type SenecaInwardData = SenecaInwardSpec['data'] & { meta?: SenecaInwardMeta };

/** How long open() waits for Seneca to be ready and close() for calls in flight and for Seneca to close. */
const STEP_TIMEOUT = 10000;

/**
 * The Seneca API of the standalone process: the commands as role:sessions,version:1,cmd:<command>
 * over our own seneca-transport listeners, which bound input and run no pattern but ours
 * (how it differs from a bare seneca.listen(): docs/seneca.md).
 */
export class SessionsSenecaServiceV1 implements IConfigurable, IReferenceable, IOpenable {
    private static readonly _defaultConfig = ConfigParams.fromTuples(
        'dependencies.controller', 'service-sessions:controller:default:*:1.0',
        'connection.protocol', 'tcp',
        'connection.host', '0.0.0.0',
        'connection.port', 8807,
        'options.request_max_size', SessionsSenecaActionsV1.DefaultRequestMaxSize,
        'dependencies.access', 'service-sessions:access:*:*:1.0'
    );

    private readonly _logger = new CompositeLogger();
    private readonly _dependencyResolver = new DependencyResolver(SessionsSenecaServiceV1._defaultConfig);
    private _protocol = 'tcp';
    private _host = '0.0.0.0';
    private _port = 8807;
    private _requestMaxSize = SessionsSenecaActionsV1.DefaultRequestMaxSize;
    private _config: ConfigParams | null = null;
    /** Who may call (see SessionsApiAccess): resolved with the references. */
    private _access = new SessionsApiAccess();
    private _seneca: ISenecaInstance | null = null;
    private _actions: SessionsSenecaActionsV1 | null = null;
    private _address: string | null = null;
    private _listener: ISessionsSenecaListener | null = null;

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsSenecaServiceV1._defaultConfig);
        this._dependencyResolver.configure(config);
        const settings = new SessionsSettingReader(config);
        const protocol = settings.oneOf('connection.protocol', ['tcp', 'http'], 'tcp');
        const port = settings.port('connection.port', this._port);
        const host = config.getAsString('connection.host').trim();
        if (host === '') throw new ConfigException(undefined, SessionsErrorCode.NO_HOST, 'The Seneca API needs a host to listen on');
        this._protocol = protocol;
        this._port = port;
        this._host = host;
        this._requestMaxSize = settings.bytes('options.request_max_size', this._requestMaxSize);
        this._config = config;
    }

    public setReferences(references: IReferences): void {
        this._logger.setReferences(references);
        this._dependencyResolver.setReferences(references);
        this._access = SessionsApiAccess.forService(this._config, this._dependencyResolver.getOneOptional<SessionsApiAccess>('access'));
    }

    public isOpen(): boolean {
        return this._seneca != null;
    }

    /** Where the API listens once open (`tcp://host:port`), with the real port when 0 was asked for. */
    public get address(): string | null {
        return this._address;
    }

    public async open(correlationId: string): Promise<void> {
        if (this._seneca != null) return;
        const controller = this._dependencyResolver.getOneRequired<ICommandable>('controller');
        const commands = SessionsCommandSet.of(controller).getCommands();

        // Loaded here, not with the module: a process without the Seneca API does not pay
        // for Seneca (some 20 MB and a tenth of a second at start).
        const Seneca = (await import('seneca')).default;
        const seneca = Seneca(this.senecaOptions()) as ISenecaInstance;
        seneca.root.order.inward.add(this.remoteGuard(), { before: 'inward_act_cache' });
        const actions = new SessionsSenecaActionsV1(commands, this._logger, this._requestMaxSize, this._access);
        actions.register(seneca);
        const dispatcher = new SessionsSenecaDispatcherV1(seneca, this._logger);
        // Our own listeners, not seneca.listen(): seneca-transport's buffer input without bound and leak internals.
        const listener: ISessionsSenecaListener = this._protocol === 'http'
            ? new SessionsSenecaHttpListenerV1(dispatcher, this._logger, this._requestMaxSize)
            : new SessionsSenecaTcpListenerV1(dispatcher, this._logger, this._requestMaxSize);
        let port: number;
        try {
            await SessionsSenecaServiceV1.ready(seneca);
            port = await listener.listen(this._host, this._port);
        } catch (err) {
            await SessionsSenecaServiceV1.closeSeneca(seneca).catch(() => undefined);
            throw new ConnectionException(correlationId, SessionsErrorCode.CANNOT_LISTEN, 'The Seneca API cannot listen on '
                + this._host + ':' + this._port + ': ' + (err as Error).message);
        }
        this._seneca = seneca;
        this._actions = actions;
        this._listener = listener;
        this._address = this._protocol + '://' + this._host + ':' + port;
        this._logger.info(correlationId, 'Seneca API listening at %s', this._address);
    }

    public async close(correlationId: string): Promise<void> {
        const seneca = this._seneca;
        const actions = this._actions;
        const listener = this._listener;
        if (seneca == null) return;
        this._seneca = null;
        this._actions = null;
        this._listener = null;
        this._address = null;
        // Closing drops the connections, so let the calls in flight answer first.
        await listener?.close(STEP_TIMEOUT);
        await actions?.drain(STEP_TIMEOUT);
        try {
            await SessionsSenecaServiceV1.closeSeneca(seneca);
        } catch (err) {
            this._logger.warn(correlationId, 'Closing the Seneca API: %s', (err as Error).message);
        }
        this._logger.debug(correlationId, 'Seneca API closed');
    }

    /** Connections the listener holds now: closed ones are forgotten (seneca-transport's tcp listener kept them all). */
    public get connectionCount(): number {
        return this._listener?.connectionCount ?? 0;
    }

    private senecaOptions(): Record<string, unknown> {
        return {
            tag: 'service-sessions',
            log: { level: 'warn', logger: SessionsSenecaLogAdapter.create(this._logger) },
            // Seneca reads process.argv, SENECA_OPTIONS and friends by default; this config decides.
            debug: { argv: [], env: {} },
            // Seneca ends the process on a fatal error of its own; here that closes the Seneca API only.
            system: { exit: () => this.fatal() },
            // Seneca's action cache answers a message whose id it has seen recently with the earlier
            // result, without running it. Remote callers choose their ids: a reused id got a stale
            // answer (a write not done), or another caller's session.
            history: { active: false }
        };
    }

    private fatal(): void {
        if (this._seneca == null) return;
        this._logger.error('', new Error('a fatal Seneca error closed it (see the Seneca error above)'), 'The Seneca API at %s stopped',
            this._address);
        const listener = this._listener;
        this._seneca = null;
        this._actions = null;
        this._listener = null;
        this._address = null;
        listener?.close(0).catch(() => undefined);
    }

    /** Answers remote messages for any pattern but the API's with a 404 envelope, before Seneca looks for an action. */
    private remoteGuard(): SenecaInwardTask {
        const logger = this._logger;
        const pattern = SessionsSenecaActionsV1.pattern();
        // ordu, which runs Seneca's inward steps, names each step after its function.
        return function sessions_remote_guard(spec: SenecaInwardSpec): SenecaInwardStop | undefined {
            const msg = spec.data.msg;
            if (!SessionsSenecaActionsV1.isRemote(msg)) return undefined;
            const correlationId = typeof msg.correlation_id === 'string' && msg.correlation_id !== '' ? msg.correlation_id : null;
            let error: ApplicationException;
            if (String(msg.role) !== pattern.role || String(msg.version) !== String(pattern.version)) {
                error = new NotFoundException(correlationId ?? undefined, SessionsErrorCode.RESOURCE_NOT_FOUND,
                    'Unknown pattern: this service answers role:sessions,version:1,cmd:<command>');
            } else {
                const control = SessionsSenecaServiceV1.controlFields(msg, (spec.data as SenecaInwardData).meta);
                if (control.length === 0) return undefined;
                error = new BadRequestException(correlationId ?? undefined, SessionsErrorCode.INVALID_DATA,
                    'Seneca control fields are not accepted from remote callers: ' + control.join(', '))
                    .withDetails('field', control[0]);
            }
            logger.debug(correlationId ?? '', 'Rejected a Seneca message: %s', error.message);
            return { op: 'stop', out: { kind: 'result', result: SessionsSenecaReplyV1.error(error, correlationId) } };
        };
    }

    /**
     * The fields of a remote message that would steer how Seneca runs it. prior$ picks
     * an action definition by id, bypassing the pattern (a wrong one failed as
     * act_not_found, with a source path in the reply); with fatal$ any failure closed
     * the whole Seneca API; timeout$, gate$, local$, closing$ (also via meta$),
     * default$ and plugin$ change timing, ordering and lookup. Seneca reads some of them
     * into the message's meta before this guard runs, so both are checked.
     */
    private static controlFields(msg: SenecaMessage, meta: SenecaInwardMeta | undefined): string[] {
        const found: string[] = [];
        if (meta?.prior != null) found.push('prior$');
        for (const field of ['fatal$', 'timeout$', 'gate$', 'local$', 'closing$', 'default$', 'plugin$']) {
            if (msg[field] != null) found.push(field);
        }
        if (meta?.closing === true && !found.includes('closing$')) found.push('meta$');
        if (meta?.dflt != null && !found.includes('default$')) found.push('meta$');
        return found;
    }

    private static async ready(seneca: ISenecaInstance): Promise<void> {
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('Seneca was not ready within ' + STEP_TIMEOUT + ' ms')), STEP_TIMEOUT);
            seneca.ready((err) => {
                clearTimeout(timer);
                if (err) reject(err);
                else resolve();
            });
        });
    }

    private static async closeSeneca(seneca: ISenecaInstance): Promise<void> {
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('Seneca did not close within ' + STEP_TIMEOUT + ' ms')), STEP_TIMEOUT);
            seneca.close((err) => {
                clearTimeout(timer);
                if (err) reject(err);
                else resolve();
            });
        });
    }
}
