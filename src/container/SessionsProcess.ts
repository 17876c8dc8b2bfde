import * as fs from 'fs';
import * as path from 'path';

import { Closer, ConfigParams } from 'pip-services3-commons-nodex';
import { ContainerConfigReader, ProcessContainer } from 'pip-services3-container-nodex';
import { DefaultMongoDbFactory } from 'pip-services3-mongodb-nodex';

import { SessionsServiceFactory } from '../build/SessionsServiceFactory';
import { SessionsConsoleLogger } from './SessionsConsoleLogger';

/** The package's root folder (where run.js and config/ are), wherever the process was started from. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The standalone process: reads the config, opens every component, and closes them
 * on SIGTERM or SIGINT before exiting.
 *
 * Config file: `-c <path>`, else config.yml in the package root (the seed's
 * instructions), else the bundled config/config.yml. Parameters: `-p KEY=VALUE`, then the
 * environment. Unlike the toolkit's run(): open is awaited and a failure exits 1; SIGTERM
 * closes cleanly (the toolkit ignored it); `*_ENABLED=false` really disables a section
 * (the template language treats any non-empty value as true); HTTP is on unless
 * HTTP_ENABLED says otherwise.
 */
export class SessionsProcess extends ProcessContainer {
    /** The source every log line of the process names, whichever logger writes it. */
    public static readonly Source = 'service-sessions';
    private _stopping = false;

    public constructor() {
        super(SessionsProcess.Source, 'User sessions microservice');
        // The toolkit's default logger writes no source; lines before the configured one exists carry it too.
        this._logger = SessionsProcess.earlyLogger(new ConfigParams());
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
        const correlationId = 'service-sessions';
        try {
            const parameters = SessionsProcess.parameters(args, process.env);
            // Lines written before the configured logger exists (and after a failed start)
            // already follow LOG_LEVEL and LOG_FORMAT.
            this._logger = SessionsProcess.earlyLogger(parameters);
            this.readConfigFromFile(correlationId, SessionsProcess.configPath(args), parameters);
        } catch (err) {
            this._logger.fatal(correlationId, null as unknown as Error, 'The service cannot read its configuration: %s', SessionsProcess.describe(err));
            process.exit(1);
        }
        this.handleSignals(correlationId);
        try {
            await this.open(correlationId);
        } catch (err) {
            this._logger.fatal(correlationId, err as Error, 'Cannot start');
            await this.close(correlationId).catch(() => undefined);
            process.exit(1);
        }
    }

    /**
     * Closes the components in the reverse of the order config.yml declares them: the
     * HTTP API first (it stops accepting and finishes the requests in flight), the store
     * last (it writes what they wrote). The toolkit closes in declaration order, stores
     * first, so requests in flight at SIGTERM found their store closed.
     */
    public async close(correlationId: string): Promise<void> {
        const components = this._references?.getAll() ?? [];
        for (const component of [...components].reverse()) await Closer.closeOne(correlationId, component);
        await super.close(correlationId);
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

    /** `-p` parameters then the environment, with false-valued switches removed. */
    public static parameters(args: string[], env: NodeJS.ProcessEnv): ConfigParams {
        const pairs: string[] = [];
        for (let index = 0; index < args.length - 1; index++) {
            if (args[index] === '-p' || args[index] === '--param' || args[index] === '--params') pairs.push(args[++index]);
        }
        const parameters = ConfigParams.fromString(pairs.join(';'));
        for (const [key, value] of Object.entries(env)) {
            if (value !== undefined) parameters.setAsObject(key, value);
        }
        if (parameters.getAsNullableString('HTTP_ENABLED') == null) parameters.setAsObject('HTTP_ENABLED', 'true');
        for (const key of parameters.getKeys()) {
            if (/_ENABLED$/i.test(key) && SessionsProcess.isOff(parameters.getAsString(key))) parameters.remove(key);
        }
        return parameters;
    }

    private static earlyLogger(parameters: ConfigParams): SessionsConsoleLogger {
        const logger = new SessionsConsoleLogger();
        logger.configure(ConfigParams.fromTuples(
            'level', parameters.getAsStringWithDefault('LOG_LEVEL', 'info'),
            'format', parameters.getAsStringWithDefault('LOG_FORMAT', 'text'),
            'source', SessionsProcess.Source));
        return logger;
    }

    private static isOff(value: string): boolean {
        return ['', 'false', '0', 'no', 'off'].includes(value.trim().toLowerCase());
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

    private static describe(err: unknown): string {
        return err instanceof Error ? err.message : String(err);
    }
}
