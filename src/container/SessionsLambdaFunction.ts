import {
    ApplicationException, ApplicationExceptionFactory, BadRequestException, ConfigParams, Descriptor, ErrorDescription,
    ICommandable, InvalidStateException, IReferences
} from 'pip-services3-commons-nodex';
import { ConsoleLogger } from 'pip-services3-components-nodex';
import { Container } from 'pip-services3-container-nodex';
import { DefaultMongoDbFactory } from 'pip-services3-mongodb-nodex';

import { SessionsServiceFactory } from '../build/SessionsServiceFactory';
import { SessionsCommand } from '../logic/SessionsCommand';
import { SessionsCommandSet } from '../logic/SessionsCommandSet';
import { HttpErrorBody } from '../services/HttpErrorBody';
import { SessionsConfigShape } from './SessionsConfigShape';
import { SessionsProcess } from './SessionsProcess';
import { SessionsStdoutLines } from './SessionsStdoutLines';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';
import { SessionsJsonParser } from '../services/SessionsJsonParser';

/** An AWS Lambda handler: the event in, the result (or a rejection) out. */
export type SessionsLambdaHandler = (event: unknown) => Promise<unknown>;

/**
 * The service as an AWS Lambda function, for the original's event shape {cmd, correlation_id?, ...}.
 * On the toolkit's Container, not pip-services3-aws-nodex, which loads the end-of-support AWS SDK v2
 * (events, errors, configuration: docs/lambda.md).
 */
export class SessionsLambdaFunction extends Container {
    private static readonly _controllerDescriptor = new Descriptor('service-sessions', 'controller', 'default', '*', '1.0');

    private readonly _env: NodeJS.ProcessEnv;
    private _opening: Promise<void> | null = null;
    /** Set by configure(): the first event opens the container with that config instead of the file's. */
    private _configured = false;
    private _controller: ICommandable | null = null;

    public constructor(env: NodeJS.ProcessEnv = process.env) {
        super('service-sessions', 'User sessions function');
        this._env = env;
        // Until the configured logger takes over, so a failed start is still logged.
        const logger = new ConsoleLogger();
        logger.configure(ConfigParams.fromTuples('level', env.LOG_LEVEL || 'info'));
        this._logger = logger;
        this._factories.add(new DefaultMongoDbFactory());
        this._factories.add(new SessionsServiceFactory());
    }

    /** The function AWS Lambda calls (bin/lambda.js exports it). */
    public getHandler(): SessionsLambdaHandler {
        return (event: unknown) => this.handle(event);
    }

    /** Runs one event in process, as the original's act(params) did: the handler's result. */
    public async act(params: unknown): Promise<unknown> {
        return await this.handle(params);
    }

    /** The config to build from, as the original took it (configure, then open or the first event). */
    public configure(config: ConfigParams): void {
        super.configure(config);
        this._configured = true;
    }

    /**
     * Reads the configuration and opens, as the original's run() did (an open container is left
     * as it is). No process handlers: the Lambda runtime owns them (docs/differences.md).
     */
    public async run(): Promise<void> {
        await this.ensureOpen();
    }

    public async handle(event: unknown): Promise<unknown> {
        const correlationId = SessionsLambdaFunction.correlationIdOf(event);
        let name = '';
        try {
            const parsed = SessionsLambdaFunction.parseEvent(event, correlationId);
            name = parsed.name;
            const command = await this.command(name, correlationId);
            const result = await command.executeArguments(correlationId, parsed.args);
            // What the runtime would send anyway, so callers in process see the same.
            return result == null ? null : JSON.parse(JSON.stringify(result));
        } catch (err) {
            this.logFailure(correlationId, name, err);
            throw SessionsLambdaFunction.toError(err, correlationId);
        } finally {
            // The runtime may freeze the instance as soon as the result is out, before this turn ends.
            SessionsStdoutLines.flush();
        }
    }

    public setReferences(references: IReferences): void {
        super.setReferences(references);
        this._controller = references.getOneRequired<ICommandable>(SessionsLambdaFunction._controllerDescriptor);
    }

    public async close(correlationId: string): Promise<void> {
        const opening = this._opening;
        this._opening = null;
        this._controller = null;
        await opening?.catch(() => undefined);
        await super.close(correlationId);
    }

    /** The configuration parameters: the environment, with the function's defaults. */
    public static parameters(env: NodeJS.ProcessEnv): ConfigParams {
        return SessionsProcess.parameters([], { HTTP_ENABLED: 'false', ...env }, 'MEMORY_ENABLED');
    }

    /** Opens on first use, unless the caller has opened the container already (configure, then open). */
    private async ensureOpen(): Promise<void> {
        if (this._opening == null) {
            const opening = this.isOpen() ? Promise.resolve() : this.start();
            this._opening = opening;
            // A failed start is tried again by the next event.
            opening.catch(() => { if (this._opening === opening) this._opening = null; });
        }
        await this._opening;
    }

    private async command(name: string, correlationId: string | null): Promise<SessionsCommand> {
        await this.ensureOpen();
        if (this._controller == null) {
            throw new InvalidStateException(correlationId ?? undefined, SessionsErrorCode.NOT_OPENED, 'The function was closed');
        }
        const command = SessionsCommandSet.of(this._controller).commandNamed(name);
        if (command == null) {
            throw new BadRequestException(correlationId ?? undefined, SessionsErrorCode.NO_ACTION, 'Action ' + name + ' was not found')
                .withDetails('command', name);
        }
        return command;
    }

    private async start(): Promise<void> {
        const correlationId = 'service-sessions';
        // The caller's config (configure()), as given; else the file and the environment.
        if (this._configured) {
            await this.open(correlationId);
            return;
        }
        const configPath = this._env.CONFIG_PATH || SessionsProcess.configPath([]);
        try {
            this.readConfigFromFile(correlationId, configPath, SessionsLambdaFunction.parameters(this._env));
            SessionsConfigShape.check(this._config, false);
        } catch (err) {
            this._logger.fatal(correlationId, err as Error, 'Cannot read the configuration %s', configPath);
            throw err;
        }
        // Logs its own failure.
        await this.open(correlationId);
    }

    /** The command's name and its arguments (the event without cmd and correlation_id). */
    private static parseEvent(event: unknown, correlationId: string | null): { name: string; args: Record<string, unknown> } {
        const cid = correlationId ?? undefined;
        if (event == null || typeof event !== 'object' || Array.isArray(event)) {
            throw new BadRequestException(cid, SessionsErrorCode.NO_COMMAND, 'The event must be a JSON object with cmd naming a command');
        }
        let copy: Record<string, unknown>;
        try {
            // A plain copy without __proto__ / constructor.prototype keys, as the HTTP API
            // accepts: the toolkit's Parameters would take them as its own prototype.
            copy = SessionsJsonParser.parse(JSON.stringify(event)) as Record<string, unknown>;
        } catch {
            throw new BadRequestException(cid, SessionsErrorCode.INVALID_JSON, 'The event must not contain __proto__ or constructor.prototype keys');
        }
        const { cmd, ...args } = copy;
        delete args.correlation_id;
        if (cmd == null || cmd === '') throw new BadRequestException(cid, SessionsErrorCode.NO_COMMAND, 'Cmd parameter is missing');
        if (typeof cmd !== 'string') {
            throw new BadRequestException(cid, SessionsErrorCode.NO_ACTION, 'Action ' + JSON.stringify(cmd) + ' was not found')
                .withDetails('command', JSON.stringify(cmd));
        }
        return { name: cmd, args };
    }

    private static correlationIdOf(event: unknown): string | null {
        const value = event != null && typeof event === 'object' ? (event as { correlation_id?: unknown }).correlation_id : null;
        return typeof value === 'string' && value !== '' ? value : null;
    }

    /** The typed exception for the HTTP API's error body, with no stack frames to leak. */
    private static toError(err: unknown, correlationId: string | null): ApplicationException {
        const body = HttpErrorBody.fromError(err, correlationId);
        const description = Object.assign(new ErrorDescription(), body, { details: body.details ?? null });
        const error = ApplicationExceptionFactory.create(description).withStatus(body.status);
        error.stack = error.name + ': ' + error.message;
        return error;
    }

    /**
     * As the HTTP service logs: faults with their stack, an unavailable database in one
     * line, a caller's mistakes at debug. A failed start was logged by the container.
     */
    private logFailure(correlationId: string | null, name: string, err: unknown): void {
        const status = HttpErrorBody.fromError(err).status;
        const message = err instanceof Error ? err.message : String(err);
        const cid = correlationId ?? '';
        if (status >= 500 && !this.isOpen()) return;
        if (status === 503) this._logger.warn(cid, '%s failed: %s', name, message);
        else if (status >= 500) this._logger.error(cid, err as Error, '%s failed', name);
        else this._logger.debug(cid, 'Rejected %s: %s', name || 'the event', message);
    }
}

let sharedFunction: SessionsLambdaFunction | null = null;

/** The original's other entry point (obj/src/container/SessionsLambdaFunction.handler); made on first use. */
export const handler: SessionsLambdaHandler = (event: unknown) => {
    if (sharedFunction == null) sharedFunction = new SessionsLambdaFunction();
    return sharedFunction.handle(event);
};
