import { BadRequestException, NotFoundException } from 'pip-services3-commons-nodex';
import { ILogger } from 'pip-services3-components-nodex';

import { ByteSize } from '../../logic/ByteSize';
import { SessionsCommand } from '../../logic/SessionsCommand';
import { HttpErrorBody } from '../HttpErrorBody';
import { SessionsApiAccess } from '../SessionsApiAccess';
import { ISenecaInstance, SenecaMessage, SenecaReply } from './ISenecaInstance';
import { SessionsSenecaEnvelopeV1, SessionsSenecaReplyV1 } from './SessionsSenecaReplyV1';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';
import { SessionsJsonParser } from '../SessionsJsonParser';

/** Message fields that address the action rather than carry arguments. */
const PATTERN_FIELDS = new Set(['role', 'version', 'cmd', 'correlation_id', 'api_key']);

/**
 * The Seneca patterns role:sessions,version:1,cmd:<command>, shared by the standalone service and the
 * plugin so both answer alike. Each message is checked as an HTTP body is (size, __proto__ keys, the
 * command's schema) and results go through JSON as over HTTP (docs/seneca.md#messages).
 */
export class SessionsSenecaActionsV1 {
    public static readonly Role = 'sessions';
    public static readonly Version = 1;
    public static readonly DefaultRequestMaxSize = 1024 * 1024;
    /** The setting a Seneca 413 names (no variable sets it in the bundled config). */
    public static readonly LimitSetting = 'options.request_max_size of the Seneca service';

    private readonly _commands: SessionsCommand[];
    private readonly _logger: ILogger;
    private readonly _requestMaxSize: number;
    private readonly _access: SessionsApiAccess;
    private _inFlight = 0;

    /**
     * With an API key, remote messages must carry it (or the application key, within its
     * scope) as api_key; local callers are the host's own code.
     */
    public constructor(commands: SessionsCommand[], logger: ILogger, requestMaxSize = SessionsSenecaActionsV1.DefaultRequestMaxSize,
        access = new SessionsApiAccess()) {
        this._commands = commands;
        this._logger = logger;
        this._requestMaxSize = requestMaxSize;
        this._access = access;
    }

    /** The pattern of a command, or of every command when name is left out. */
    public static pattern(name?: string): SenecaMessage {
        const pattern: SenecaMessage = { role: SessionsSenecaActionsV1.Role, version: SessionsSenecaActionsV1.Version };
        if (name != null) pattern.cmd = name;
        return pattern;
    }

    /** A message that came over a Seneca transport (seneca-transport, or Seneca's own). */
    public static isRemote(msg: SenecaMessage): boolean {
        return msg.transport$ != null || msg.remote$ === true;
    }

    public register(seneca: ISenecaInstance): void {
        // Without this, an unknown cmd would get Seneca's act_not_found, which quotes the message.
        this.add(seneca, SessionsSenecaActionsV1.pattern(), null);
        for (const command of this._commands) this.add(seneca, SessionsSenecaActionsV1.pattern(command.getName()), command);
    }

    /** Resolves once no message is being answered, or after timeoutMs. */
    public async drain(timeoutMs: number): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (this._inFlight > 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10));
    }

    private add(seneca: ISenecaInstance, pattern: SenecaMessage, command: SessionsCommand | null): void {
        const actions = this;
        seneca.add(pattern, function (msg: SenecaMessage, reply: SenecaReply): void {
            const remote = SessionsSenecaActionsV1.isRemote(msg);
            actions._inFlight++;
            actions.execute(command, msg)
                .then((envelope) => {
                    if (remote) reply(null, envelope);
                    else if ('error' in envelope) reply(SessionsSenecaReplyV1.toException(envelope.error));
                    else reply(null, envelope.result);
                })
                .catch((err: unknown) => {
                    // Only a failing reply callback lands here; Seneca normally catches those itself.
                    actions._logger.error('', err as Error, 'Replying to a Seneca message failed');
                })
                .finally(() => { actions._inFlight--; });
        });
    }

    /** Never rejects: every failure becomes an error envelope. */
    private async execute(command: SessionsCommand | null, msg: SenecaMessage): Promise<SessionsSenecaEnvelopeV1> {
        let correlationId: string | null = null;
        const name = command?.getName() ?? 'an unknown command';
        try {
            correlationId = SessionsSenecaActionsV1.correlationIdOf(msg);
            const remote = SessionsSenecaActionsV1.isRemote(msg);
            // A missing or wrong key is refused first, as over HTTP, whatever the message holds.
            if (remote) this._access.authenticate(correlationId, msg.api_key);
            if (command == null) {
                throw new NotFoundException(correlationId ?? undefined, SessionsErrorCode.RESOURCE_NOT_FOUND,
                    'Unknown command: ' + SessionsSenecaActionsV1.describe(msg.cmd) + '. The commands are: '
                    + this._commands.map(known => known.getName()).join(', '));
            }
            const args = this.argumentsOf(correlationId, msg);
            if (remote) this._access.authorize(correlationId, msg.api_key, command.getName(), args);
            return SessionsSenecaReplyV1.result(await command.executeArguments(correlationId, args));
        } catch (err) {
            this.logFailure(correlationId, name, err);
            return SessionsSenecaReplyV1.error(err, correlationId);
        }
    }

    private static correlationIdOf(msg: SenecaMessage): string | null {
        const value = msg.correlation_id;
        if (value == null || value === '') return null;
        if (typeof value === 'string') return value;
        throw new BadRequestException(undefined, SessionsErrorCode.INVALID_DATA, 'correlation_id must be a string')
            .withDetails('field', 'correlation_id');
    }

    private argumentsOf(correlationId: string | null, msg: SenecaMessage): Record<string, unknown> {
        // A prototype-less copy, so a remote "__proto__" field stays a field and is caught below.
        const fields: Record<string, unknown> = Object.create(null);
        for (const key of Object.keys(msg)) {
            if (!key.endsWith('$') && !PATTERN_FIELDS.has(key)) fields[key] = msg[key];
        }
        let text: string;
        try {
            text = JSON.stringify(fields);
        } catch {
            throw new BadRequestException(correlationId ?? undefined, SessionsErrorCode.INVALID_DATA, 'The message arguments must be JSON data');
        }
        if (Buffer.byteLength(text) > this._requestMaxSize) {
            throw new BadRequestException(correlationId ?? undefined, SessionsErrorCode.PAYLOAD_TOO_LARGE,
                'Message arguments larger than ' + ByteSize.describe(this._requestMaxSize, SessionsSenecaActionsV1.LimitSetting)).withStatus(413);
        }
        try {
            return SessionsJsonParser.parse(text) as Record<string, unknown>;
        } catch {
            throw new BadRequestException(correlationId ?? undefined, SessionsErrorCode.INVALID_DATA,
                'The message must not contain __proto__ or constructor.prototype keys');
        }
    }

    private static describe(value: unknown): string {
        if (typeof value === 'string') return value.length > 100 ? value.slice(0, 100) + '...' : value;
        return value === undefined ? '(no cmd)' : '(a ' + (value === null ? 'null' : typeof value) + ' cmd)';
    }

    // As the HTTP service: faults with their stack, an unavailable store in one line, a
    // caller's mistakes at debug only.
    private logFailure(correlationId: string | null, commandName: string, err: unknown): void {
        const status = HttpErrorBody.fromError(err).status;
        const message = err instanceof Error ? err.message : String(err);
        if (status === 503) this._logger.warn(correlationId ?? '', 'Seneca %s failed: %s', commandName, message);
        else if (status >= 500) this._logger.error(correlationId ?? '', err as Error, 'Seneca %s failed', commandName);
        else this._logger.debug(correlationId ?? '', 'Rejected Seneca %s: %s', commandName, message);
    }
}
