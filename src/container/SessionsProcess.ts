import * as fs from 'fs';
import * as path from 'path';

import { Closer, ConfigException, ConfigParams, Descriptor, InvalidStateException } from 'pip-services3-commons-nodex';
import { CompositeLogger, ContextInfo, LogLevel } from 'pip-services3-components-nodex';
import { ContainerConfigReader, ContainerReferences, ProcessContainer } from 'pip-services3-container-nodex';
import { DefaultMongoDbFactory } from 'pip-services3-mongodb-nodex';

import { SessionsServiceFactory } from '../build/SessionsServiceFactory';
import { ApplicationErrors } from '../logic/ApplicationErrors';
import { SessionsConfigShape } from './SessionsConfigShape';
import { SessionsConsoleLogger } from './SessionsConsoleLogger';
import { SessionsContainerReferences } from './SessionsContainerReferences';
import { SessionsEnvironment } from './SessionsEnvironment';
import { SessionsStartFailure } from './SessionsStartFailure';
import { SessionsStartupSummary } from './SessionsStartupSummary';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** The package's root folder (where run.js and config/ are), wherever the process was started from. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The standalone process: reads the config (docs/configuration.md), opens every component, and
 * closes them on SIGTERM or SIGINT; unlike the toolkit's run(), a failed open exits 1.
 */
export class SessionsProcess extends ProcessContainer {
    /** The source every log line of the process names, whichever logger writes it. */
    public static readonly Source = 'service-sessions';
    private _stopping = false;
    /** Writes until the configured logger exists, and a failed start's line. */
    private readonly _startLogger = new SessionsConsoleLogger();
    /** The template parameters read at start: a refused setting is named by its variable when one was given. */
    private _parameters = new ConfigParams();

    public constructor() {
        super(SessionsProcess.Source, 'User sessions microservice');
        // The toolkit's default logger writes no source; lines before the configured one exists carry it too.
        this._startLogger.configure(ConfigParams.fromTuples('source', SessionsProcess.Source));
        this._logger = this._startLogger;
        this._factories.add(new DefaultMongoDbFactory());
        this._factories.add(new SessionsServiceFactory());
    }

    public run(args: string[]): void {
        void this.start(args);
    }

    /** Opens the container; resolves once it serves, exits the process if it cannot. */
    public async start(args: string[]): Promise<void> {
        if (args.includes('-h') || args.includes('--help')) {
            console.log('service-sessions: node run [-c <config file>] [-p <KEY>=<value>]*');
            return;
        }
        const correlationId = SessionsProcess.Source;
        const configPath = SessionsProcess.configPath(args);
        try {
            const parameters = SessionsProcess.parameters(args, process.env);
            this._parameters = parameters;
            // Lines written before the configured logger exists (and after a failed start)
            // already follow LOG_LEVEL and LOG_FORMAT.
            SessionsProcess.configureEarlyLogger(this._startLogger, parameters);
            this.readConfigFromFile(correlationId, configPath, parameters);
            SessionsConfigShape.check(this._config, true);
        } catch (err) {
            this.failStart(correlationId, err);
            process.exit(1);
        }
        this.handleSignals(correlationId);
        try {
            await this.open(correlationId);
        } catch (err) {
            this.failStart(correlationId, err);
            process.exit(1);
        }
        this.reportStart(correlationId, configPath);
    }

    /** As the toolkit opens, with its references built by SessionsContainerReferences, and silent: start() reports. */
    public async open(correlationId: string): Promise<void> {
        if (this._references != null) throw new InvalidStateException(correlationId, SessionsErrorCode.ALREADY_OPENED, 'Container was already opened');
        const references = new SessionsContainerReferences();
        this._references = references;
        // What the toolkit's (private) initReferences puts first: the context info and the factories.
        references.put(new Descriptor('pip-services', 'context-info', 'default', 'default', '1.0'), this._info);
        references.put(new Descriptor('pip-services', 'factory', 'container', 'default', '1.0'), this._factories);
        try {
            references.putFromConfig(this._config);
            this.setReferences(references);
            this._info = references.getOneOptional<ContextInfo>(new Descriptor('*', 'context-info', '*', '*', '*')) ?? this._info;
            await references.open(correlationId);
        } catch (err) {
            // As the toolkit does: what opened before the failure is closed (a listening port would keep the process alive).
            await this.closeQuietly(correlationId);
            throw err;
        }
        this._logger = new CompositeLogger(references);
    }

    /**
     * Closes the components in the reverse of config.yml's order: the APIs first (they finish
     * the requests in flight), the store last; the toolkit's order closed the store under them.
     */
    public async close(correlationId: string): Promise<void> {
        const components = this._references?.getAll() ?? [];
        for (const component of [...components].reverse()) await Closer.closeOne(correlationId, component);
        await super.close(correlationId);
    }

    /** Closes what a failed open opened, without the "stopped" line: the failure line says it all. */
    private async closeQuietly(correlationId: string): Promise<void> {
        const components = (this._references as ContainerReferences | null)?.getAll() ?? [];
        for (const component of [...components].reverse()) await Closer.closeOne(correlationId, component).catch(() => undefined);
    }

    /** One line; the stack too only for a bug, or at LOG_LEVEL=debug. */
    private failStart(correlationId: string, err: unknown): void {
        const failure = new SessionsStartFailure(err, name => (this._parameters.getAsNullableString(name) ?? '') !== '');
        const withStack = !failure.expected || this._logger.getLevel() >= LogLevel.Debug;
        this._logger.fatal(correlationId, (withStack ? err : null) as Error, '%s', failure.line);
    }

    /** The start-up summary, and the warning for APIs open to other hosts without a key. */
    private reportStart(correlationId: string, configPath: string): void {
        const summary = SessionsStartupSummary.collect(this._references, SessionsProcess.version(), configPath);
        const warning = summary.exposureWarning;
        if (warning != null) this._logger.warn(correlationId, '%s', warning);
        const console = this._references.getOneOptional<SessionsConsoleLogger>(SessionsServiceFactory.ConsoleLoggerDescriptor);
        if (console instanceof SessionsConsoleLogger) console.infoWithFacts(correlationId, summary.line, 'startup', summary.facts);
        else this._logger.info(correlationId, '%s', summary.line);
    }

    private static version(): string {
        try {
            return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
        } catch {
            return 'unknown';
        }
    }

    /** As the toolkit's, but its trace line shows each component's settings as JSON (secrets redacted), not [object Object]. */
    public readConfigFromFile(correlationId: string, path: string, parameters: ConfigParams): void {
        this._config = ContainerConfigReader.readFromFile(correlationId, path, parameters);
        this._logger.trace(correlationId, 'Configuration read from %s: %s', path,
            Array.from(this._config, component => component.config));
    }

    /** root: the package root (a test gives another, so it never writes config.yml into the repository). */
    public static configPath(args: string[], root: string = PACKAGE_ROOT): string {
        const index = args.findIndex(arg => arg === '-c' || arg === '--config');
        if (index >= 0 && index + 1 < args.length) return args[index + 1];
        const rootConfig = path.join(root, 'config.yml');
        return fs.existsSync(rootConfig) ? rootConfig : path.join(root, 'config', 'config.yml');
    }

    /**
     * `-p` parameters then the environment, with switches (*_ENABLED) checked and those that
     * are off removed (the template language treats any non-empty value as true); HTTP and the
     * console are on, and defaultStore chosen, unless they say otherwise.
     */
    public static parameters(args: string[], env: NodeJS.ProcessEnv, defaultStore = 'FILE_ENABLED'): ConfigParams {
        const pairs: string[] = [];
        for (let index = 0; index < args.length - 1; index++) {
            if (args[index] === '-p' || args[index] === '--param' || args[index] === '--params') pairs.push(args[++index]);
        }
        const parameters = ConfigParams.fromString(pairs.join(';'));
        for (const [key, value] of Object.entries(env)) {
            if (value !== undefined) parameters.setAsObject(key, value);
        }
        if (parameters.getAsNullableString('HTTP_ENABLED') == null) parameters.setAsObject('HTTP_ENABLED', 'true');
        if (parameters.getAsNullableString('CONSOLE_ENABLED') == null) parameters.setAsObject('CONSOLE_ENABLED', 'true');
        for (const key of parameters.getKeys()) {
            if (!/_ENABLED$/.test(key)) continue;
            const word = parameters.getAsString(key).trim().toLowerCase();
            if (SessionsEnvironment.SwitchOff.includes(word)) parameters.remove(key);
            else if (!SessionsEnvironment.SwitchOn.includes(word)) {
                throw new ConfigException(undefined, SessionsErrorCode.BAD_SETTING, key + ' is ' + JSON.stringify(parameters.getAsString(key))
                    + ': allowed is true or false');
            }
        }
        if (!['MEMORY_ENABLED', 'FILE_ENABLED', 'MONGO_ENABLED', 'REDIS_ENABLED'].some(key => parameters.getAsNullableString(key) != null)) {
            parameters.setAsObject(defaultStore, 'true');
        }
        return parameters;
    }

    private static configureEarlyLogger(logger: SessionsConsoleLogger, parameters: ConfigParams): void {
        try {
            logger.configure(ConfigParams.fromTuples(
                'level', parameters.getAsStringWithDefault('LOG_LEVEL', 'info'),
                'format', parameters.getAsStringWithDefault('LOG_FORMAT', 'text'),
                'source', SessionsProcess.Source));
        } catch (err) {
            // Named as the bundled config's logger, so the failure line names LOG_LEVEL or LOG_FORMAT.
            if (ApplicationErrors.isApplicationException(err)) err.withDetails('component', SessionsServiceFactory.ConsoleLoggerDescriptor.toString());
            throw err;
        }
    }

    private handleSignals(correlationId: string): void {
        const stop = (signal: string) => {
            if (this._stopping) {
                this._logger.warn(correlationId, 'Second %s: exiting without closing', signal);
                process.exit(1);
            }
            this._stopping = true;
            this._logger.info(correlationId, 'Received %s, closing', signal);
            this.close(correlationId).then(
                () => process.exit(0),
                (err: unknown) => {
                    this._logger.error(correlationId, err as Error, 'Closing failed');
                    process.exit(1);
                });
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('uncaughtException', (err) => {
            this._logger.fatal(correlationId, err, 'Uncaught exception: the process stops');
            process.exit(1);
        });
        process.on('unhandledRejection', (reason) => {
            this._logger.error(correlationId, reason as Error, 'Unhandled promise rejection');
        });
    }

}
