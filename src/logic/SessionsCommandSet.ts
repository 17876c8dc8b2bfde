import {
    BadRequestException, CommandSet, FilterParams, FilterParamsSchema, ObjectSchema, PagingParams, PagingParamsSchema, Parameters, TypeCode
} from 'pip-services3-commons-nodex';

import { ISessionsController } from './ISessionsController';
import { NonEmptyStringRule } from './NonEmptyStringRule';
import { SessionsCommand } from './SessionsCommand';

/**
 * The original's commands, names and argument names, shared by every transport.
 * Unknown arguments are ignored, as the original does.
 */
export class SessionsCommandSet extends CommandSet {
    private readonly _logic: ISessionsController;

    public constructor(logic: ISessionsController) {
        super();
        this._logic = logic;

        this.addCommand(new SessionsCommand('get_sessions',
            new ObjectSchema(true)
                .withOptionalProperty('filter', new FilterParamsSchema())
                .withOptionalProperty('paging', new PagingParamsSchema()),
            async (correlationId, args) => await this._logic.getSessions(correlationId,
                FilterParams.fromValue(args.get('filter')), PagingParams.fromValue(args.get('paging')))));

        this.addCommand(new SessionsCommand('get_session_by_id', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => await this._logic.getSessionById(correlationId, SessionsCommandSet.sessionId(args))));

        this.addCommand(new SessionsCommand('open_session',
            new ObjectSchema(true)
                .withRequiredProperty('user_id', TypeCode.String, new NonEmptyStringRule())
                .withOptionalProperty('user_name', TypeCode.String)
                .withOptionalProperty('address', TypeCode.String)
                .withOptionalProperty('client', TypeCode.String)
                .withOptionalProperty('user', null)
                .withOptionalProperty('data', null),
            async (correlationId, args) => await this._logic.openSession(correlationId,
                args.getAsString('user_id'),
                args.getAsNullableString('user_name'),
                args.getAsNullableString('address'),
                args.getAsNullableString('client'),
                args.get('user'),
                args.get('data'))));

        this.addCommand(new SessionsCommand('store_session_data',
            SessionsCommandSet.sessionIdSchema().withRequiredProperty('data', null),
            async (correlationId, args) => await this._logic.storeSessionData(correlationId,
                SessionsCommandSet.sessionId(args), args.get('data'))));

        this.addCommand(new SessionsCommand('update_session_user',
            SessionsCommandSet.sessionIdSchema().withRequiredProperty('user', null),
            async (correlationId, args) => await this._logic.updateSessionUser(correlationId,
                SessionsCommandSet.sessionId(args), args.get('user'))));

        this.addCommand(new SessionsCommand('close_session', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => await this._logic.closeSession(correlationId, SessionsCommandSet.sessionId(args))));

        this.addCommand(new SessionsCommand('close_expired_sessions', new ObjectSchema(true),
            async (correlationId) => await this._logic.closeExpiredSessions(correlationId)));

        this.addCommand(new SessionsCommand('delete_session_by_id', SessionsCommandSet.sessionIdSchema(),
            async (correlationId, args) => await this._logic.deleteSessionById(correlationId, SessionsCommandSet.sessionId(args))));
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
}
