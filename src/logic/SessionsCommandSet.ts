import {
    BadRequestException, CommandSet, FilterParams, FilterParamsSchema, ICommand, ObjectSchema, PagingParams, PagingParamsSchema, Parameters,
    TypeCode
} from 'pip-services3-commons-nodex';

import { SessionV1Wire } from '../data/version1/SessionV1Wire';
import { SessionsFilter } from '../persistence/SessionsFilter';
import { ISessionsController } from './ISessionsController';
import { NestingDepthRule } from './NestingDepthRule';
import { NonEmptyStringRule } from './NonEmptyStringRule';
import { SessionsFilterRule } from './SessionsFilterRule';
import { SessionsCommand } from './SessionsCommand';

/** What get_sessions reads of its paging (of its filter: SessionsFilter.Fields). */
const PAGING_FIELDS = ['skip', 'take', 'total'];

/**
 * The original's commands, names and argument names, shared by every transport, and
 * close_user_sessions.
 * Unknown arguments are ignored, as the original does.
 */
export class SessionsCommandSet extends CommandSet {
    private readonly _logic: ISessionsController;

    public constructor(logic: ISessionsController) {
        super();
        this._logic = logic;

        this.addCommand(new SessionsCommand('get_sessions',
            new ObjectSchema(true)
                .withOptionalProperty('filter', new FilterParamsSchema(), new NestingDepthRule(), new SessionsFilterRule())
                .withOptionalProperty('paging', new PagingParamsSchema(), new NestingDepthRule()),
            async (correlationId, args) => SessionV1Wire.page(await this._logic.getSessions(correlationId,
                FilterParams.fromValue(SessionsCommandSet.known(SessionsCommandSet.valueOf(args, 'filter'), SessionsFilter.Fields)),
                PagingParams.fromValue(SessionsCommandSet.known(SessionsCommandSet.valueOf(args, 'paging'), PAGING_FIELDS))))));

        this.addCommand(new SessionsCommand('get_session_by_id', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.getSessionById(correlationId, SessionsCommandSet.sessionId(args)))));

        this.addCommand(new SessionsCommand('open_session',
            new ObjectSchema(true)
                .withRequiredProperty('user_id', TypeCode.String, new NonEmptyStringRule())
                .withOptionalProperty('user_name', TypeCode.String)
                .withOptionalProperty('address', TypeCode.String)
                .withOptionalProperty('client', TypeCode.String)
                .withOptionalProperty('user', null, new NestingDepthRule())
                .withOptionalProperty('data', null, new NestingDepthRule()),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.openSession(correlationId,
                args.getAsString('user_id'),
                args.getAsNullableString('user_name'),
                args.getAsNullableString('address'),
                args.getAsNullableString('client'),
                SessionsCommandSet.valueOf(args, 'user') ?? null,
                SessionsCommandSet.valueOf(args, 'data') ?? null))));

        this.addCommand(new SessionsCommand('store_session_data',
            SessionsCommandSet.sessionIdSchema().withRequiredProperty('data', null, new NestingDepthRule()),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.storeSessionData(correlationId,
                SessionsCommandSet.sessionId(args), SessionsCommandSet.valueOf(args, 'data')))));

        this.addCommand(new SessionsCommand('update_session_user',
            SessionsCommandSet.sessionIdSchema().withRequiredProperty('user', null, new NestingDepthRule()),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.updateSessionUser(correlationId,
                SessionsCommandSet.sessionId(args), SessionsCommandSet.valueOf(args, 'user')))));

        this.addCommand(new SessionsCommand('close_session', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.closeSession(correlationId, SessionsCommandSet.sessionId(args)))));

        this.addCommand(new SessionsCommand('close_expired_sessions', new ObjectSchema(true),
            async (correlationId) => await this._logic.closeExpiredSessions(correlationId)));

        this.addCommand(new SessionsCommand('delete_session_by_id', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.deleteSessionById(correlationId, SessionsCommandSet.sessionId(args)))));

        // Added to the original's commands; its reply is an object (a Seneca reply must be one).
        this.addCommand(new SessionsCommand('close_user_sessions',
            new ObjectSchema(true)
                .withRequiredProperty('user_id', TypeCode.String, new NonEmptyStringRule())
                .withOptionalProperty('except_session_id', TypeCode.String),
            async (correlationId, args) => ({
                closed: await this._logic.closeUserSessions(correlationId, args.getAsString('user_id'),
                    args.getAsNullableString('except_session_id'))
            })));

        // Added: the check a gateway makes per request; null (204 over HTTP) for no live session.
        this.addCommand(new SessionsCommand('validate_session', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => SessionV1Wire.session(await this._logic.validateSession(correlationId, SessionsCommandSet.sessionId(args)))));
    }

    /**
     * Finds a command by its exact name. The toolkit looks names up in a plain object, so
     * "constructor", "toString" or "__proto__" found Object's members, and running one
     * failed with a TypeError (a 500) instead of an unknown command.
     */
    public findCommand(commandName: string): ICommand {
        const command = this.getCommands().find(item => item.getName() === commandName);
        return command as ICommand;
    }

    /**
     * Runs a command by name for transports that dispatch by name. The toolkit's version
     * replaces any given correlation id with a random one (an inverted check) and
     * validates twice; each command here validates its own arguments once.
     */
    public async execute(correlationId: string, commandName: string, args: Parameters): Promise<unknown> {
        const command = this.findCommand(commandName);
        if (command == null) {
            throw new BadRequestException(correlationId, 'CMD_NOT_FOUND', 'Unknown command: ' + commandName)
                .withDetails('command', commandName);
        }
        return await command.execute(correlationId, args);
    }

    private static sessionIdSchema(): ObjectSchema {
        return new ObjectSchema(true).withRequiredProperty('session_id', TypeCode.String);
    }

    private static sessionId(args: Parameters): string {
        return args.getAsString('session_id');
    }

    /**
     * The fields of a filter or paging object that the stores read; the others were always
     * ignored. FilterParams and PagingParams keep fields as their own properties, so one
     * named after their methods ("get", "toString") replaced the method: a TypeError, a 500.
     */
    private static known(value: unknown, fields: readonly string[]): Record<string, unknown> | null {
        if (value == null || typeof value !== 'object') return null;
        const picked: Record<string, unknown> = {};
        for (const field of fields) {
            if (Object.prototype.hasOwnProperty.call(value, field)) picked[field] = (value as Record<string, unknown>)[field];
        }
        return picked;
    }

    /** An argument as given: args.get() turns false, 0 and "" into null, and user and data are opaque values. */
    private static valueOf(args: Parameters, name: string): unknown {
        return Object.prototype.hasOwnProperty.call(args, name) ? (args as unknown as Record<string, unknown>)[name] : undefined;
    }
}
