import {
    BadRequestException, CommandSet, ConfigException, FilterParams, FilterParamsSchema, ICommand, ICommandable, ObjectSchema, PagingParams, Parameters, TypeCode
} from 'pip-services3-commons-nodex';

import { SessionV1Wire } from '../data/version1/SessionV1Wire';
import { SessionsFilter } from '../persistence/SessionsFilter';
import { ISessionsController } from './ISessionsController';
import { NestingDepthRule } from './NestingDepthRule';
import { NonEmptyStringRule } from './NonEmptyStringRule';
import { SessionsFilterRule } from './SessionsFilterRule';
import { SessionsCommand, SessionsCommandArguments } from './SessionsCommand';
import { SessionsPagingSchema } from './SessionsPagingSchema';
import { SessionsCommandRefusal } from './SessionsCommandContract';
import { SessionsCommandExamples } from './SessionsCommandExamples';
import { SessionsErrorCatalogue, SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** What get_sessions reads of its paging (of its filter: SessionsFilter.Fields). */
const PAGING_FIELDS = ['skip', 'take', 'total'];

/**
 * The original's commands, names and argument names, shared by every transport, and
 * close_user_sessions.
 * Unknown arguments are ignored, as the original does.
 */
export class SessionsCommandSet extends CommandSet {
    private static readonly SessionClosed: SessionsCommandRefusal = SessionsErrorCatalogue.refusal(
        SessionsErrorCode.SESSION_CLOSED,
        'The session is closed, or past expires_at (then it is closed now: close_reason idle or absolute); nothing changes.',
        'The session is closed');
    private static readonly DataTooLarge: SessionsCommandRefusal = SessionsErrorCatalogue.refusal(
        SessionsErrorCode.DATA_TOO_LARGE,
        'user or data is over max_data_size bytes as JSON (1 MiB by default); nothing is stored '
            + '(details.field, details.size, details.max_data_size).',
        'data is 1048600 bytes as JSON; the limit is 1048576 bytes (1 MiB, MAX_DATA_SIZE, options.max_data_size)');

    private readonly _logic: ISessionsController;
    private readonly _sessionsCommands: SessionsCommand[] = [];

    public constructor(logic: ISessionsController) {
        super();
        this._logic = logic;

        this.addCommand(new SessionsCommand('get_sessions',
            new ObjectSchema(true)
                .withOptionalProperty('filter', new FilterParamsSchema(), new NestingDepthRule(), new SessionsFilterRule())
                .withOptionalProperty('paging', new SessionsPagingSchema(), new NestingDepthRule()),
            {
                summary: 'List sessions, the most recently active first',
                description: 'A page of the sessions that match the filter, newest request_time first, without user and data. '
                    + 'The filter selects from_time <= request_time < to_time; active: true lists live sessions only (one past '
                    + 'expires_at counts as closed, and is closed as it is listed); null and "" set no condition. Paging: skip '
                    + '(default 0), take (default 100, at most max_page_size), total: true adds the count of all matches '
                    + '(else total is null).',
                reply: 'page',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                examples: [{
                    summary: 'One user\'s live sessions, with the total',
                    request: { filter: { user_id: SessionsCommandExamples.UserId, active: true }, paging: { skip: 0, take: 10, total: true } },
                    reply: SessionsCommandExamples.page()
                }]
            },
            async (correlationId, args) => SessionV1Wire.page(await this._logic.getSessions(correlationId,
                FilterParams.fromValue(SessionsCommandSet.known(args.filter, SessionsFilter.Fields)),
                PagingParams.fromValue(SessionsCommandSet.known(args.paging, PAGING_FIELDS))))));

        this.addCommand(new SessionsCommand('get_session_by_id', SessionsCommandSet.sessionIdSchema(),
            {
                summary: 'Get a session by its id',
                description: 'The session with user and data, active or closed. A session past expires_at is closed on the '
                    + 'spot (close_reason idle, or absolute) and answered closed.',
                reply: 'session',
                nullReply: 'No session has this id.',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                examples: [{ summary: 'An active session', request: { session_id: SessionsCommandExamples.SessionId }, reply: SessionsCommandExamples.active() }]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.getSessionById(correlationId, SessionsCommandSet.sessionId(args)))));

        this.addCommand(new SessionsCommand('open_session',
            new ObjectSchema(true)
                .withRequiredProperty('user_id', TypeCode.String, new NonEmptyStringRule())
                .withOptionalProperty('user_name', TypeCode.String)
                .withOptionalProperty('address', TypeCode.String)
                .withOptionalProperty('client', TypeCode.String)
                .withOptionalProperty('user', null, new NestingDepthRule())
                .withOptionalProperty('data', null, new NestingDepthRule()),
            {
                summary: 'Open a new session for a user',
                description: 'Always a new session: active, with a new id of 32 hexadecimal characters, and expires_at the '
                    + 'earlier of request_time + idle_timeout and open_time + absolute_timeout (null when both are 0). At '
                    + 'max_sessions_per_user live sessions, the evict_oldest policy (the default) closes the user\'s least '
                    + 'recently active session (close_reason evicted); the reject policy refuses the new one.',
                reply: 'session',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                refusals: [
                    SessionsErrorCatalogue.refusal(
                        SessionsErrorCode.SESSION_LIMIT_REACHED,
                        'The user has max_sessions_per_user live sessions and '
                            + 'session_limit_policy is reject; nothing is stored (details.max_sessions_per_user).',
                    'The user already has the most active sessions allowed (5)'),
                    SessionsCommandSet.DataTooLarge
                ],
                examples: [{ summary: 'A user signs in', request: SessionsCommandExamples.openRequest(), reply: SessionsCommandExamples.opened() }]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.openSession(correlationId,
                args.user_id as string,
                SessionsCommandSet.text(args.user_name),
                SessionsCommandSet.text(args.address),
                SessionsCommandSet.text(args.client),
                args.user ?? null,
                args.data ?? null))));

        this.addCommand(new SessionsCommand('store_session_data',
            SessionsCommandSet.sessionIdSchema().withRequiredProperty('data', null, new NestingDepthRule()),
            {
                summary: 'Replace the data of an open session',
                description: 'Stores data (any JSON value) in the session in place of what it held, records the activity '
                    + '(request_time, expires_at) and answers the session.',
                reply: 'session',
                nullReply: 'No session has this id.',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                refusals: [SessionsCommandSet.SessionClosed, SessionsCommandSet.DataTooLarge],
                examples: [{
                    summary: 'The user picks a light theme',
                    request: { session_id: SessionsCommandExamples.SessionId, data: { theme: 'light' } },
                    reply: SessionsCommandExamples.active(SessionsCommandExamples.User, { theme: 'light' })
                }]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.storeSessionData(correlationId,
                SessionsCommandSet.sessionId(args), args.data))));

        this.addCommand(new SessionsCommand('update_session_user',
            SessionsCommandSet.sessionIdSchema().withRequiredProperty('user', null, new NestingDepthRule()),
            {
                summary: 'Replace the cached user of an open session',
                description: 'Stores user (any JSON value, such as the signed-in user\'s profile) in the session in place of '
                    + 'what it held, records the activity (request_time, expires_at) and answers the session.',
                reply: 'session',
                nullReply: 'No session has this id.',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                refusals: [SessionsCommandSet.SessionClosed, SessionsCommandSet.DataTooLarge],
                examples: [{
                    summary: 'The user became an editor',
                    request: { session_id: SessionsCommandExamples.SessionId, user: { name: 'Test User', roles: ['editor'] } },
                    reply: SessionsCommandExamples.active({ name: 'Test User', roles: ['editor'] })
                }]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.updateSessionUser(correlationId,
                SessionsCommandSet.sessionId(args), args.user))));

        this.addCommand(new SessionsCommand('close_session', SessionsCommandSet.sessionIdSchema(),
            {
                summary: 'Close a session (sign out)',
                description: 'Closes the session (active false, close_time now, close_reason logout) and clears its user and '
                    + 'data. A closed session comes back unchanged; one past expires_at is closed as expired (idle or '
                    + 'absolute), not as a logout.',
                reply: 'session',
                nullReply: 'No session has this id.',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                examples: [{ summary: 'The user signs out', request: { session_id: SessionsCommandExamples.SessionId }, reply: SessionsCommandExamples.closed() }]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.closeSession(correlationId, SessionsCommandSet.sessionId(args)))));

        this.addCommand(new SessionsCommand('close_expired_sessions', new ObjectSchema(true),
            {
                summary: 'Close the expired sessions now',
                description: 'Runs the expiry sweep at once (the service also runs it every cleanup_interval): closes the '
                    + 'active sessions past absolute_timeout (close_reason absolute), then those idle past idle_timeout '
                    + '(close_reason idle). Answers nothing.',
                reply: 'none',
                timeouts: ['idle_timeout', 'absolute_timeout'],
                examples: [{ summary: 'No arguments', request: {}, reply: null }]
            },
            async (correlationId) => await this._logic.closeExpiredSessions(correlationId)));

        this.addCommand(new SessionsCommand('delete_session_by_id', SessionsCommandSet.sessionIdSchema(),
            {
                summary: 'Delete a session outright',
                description: 'Removes the session from the store, active or closed, and answers it as it was (with user and '
                    + 'data).',
                reply: 'session',
                nullReply: 'No session has this id.',
                examples: [{ summary: 'Delete a session', request: { session_id: SessionsCommandExamples.SessionId }, reply: SessionsCommandExamples.active() }]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.deleteSessionById(correlationId, SessionsCommandSet.sessionId(args)))));

        // Added to the original's commands; its reply is an object (a Seneca reply must be one).
        this.addCommand(new SessionsCommand('close_user_sessions',
            new ObjectSchema(true)
                .withRequiredProperty('user_id', TypeCode.String, new NonEmptyStringRule())
                .withOptionalProperty('except_session_id', TypeCode.String),
            {
                summary: 'Close every session of a user (sign out everywhere)',
                description: 'Closes every active session of the user but except_session_id (close_reason revoked) and '
                    + 'answers how many it closed: for "sign out everywhere else" and for disabled accounts.',
                reply: 'closed_count',
                examples: [{
                    summary: 'Sign out everywhere but this session',
                    request: { user_id: SessionsCommandExamples.UserId, except_session_id: SessionsCommandExamples.SessionId },
                    reply: { closed: 2 }
                }]
            },
            async (correlationId, args) => ({
                closed: await this._logic.closeUserSessions(correlationId, args.user_id as string,
                    SessionsCommandSet.text(args.except_session_id))
            })));

        // Added: the check a gateway makes per request; null (204 over HTTP) for no live session.
        this.addCommand(new SessionsCommand('validate_session', SessionsCommandSet.sessionIdSchema(),
            {
                summary: 'Check a session on a request (for a gateway)',
                description: 'The session, with user and data, while it is active and unexpired. It records the activity '
                    + '(request_time, expires_at) at most once per touch_interval, so a call within that interval of the last '
                    + 'recorded activity writes nothing. A session past expires_at is closed on the spot.',
                reply: 'session',
                nullReply: 'The session is unknown, closed or expired (get_session_by_id tells which).',
                timeouts: ['idle_timeout', 'absolute_timeout', 'touch_interval'],
                examples: [
                    { summary: 'A live session', request: { session_id: SessionsCommandExamples.SessionId }, reply: SessionsCommandExamples.active() },
                    { summary: 'A closed or unknown session: 204', request: { session_id: SessionsCommandExamples.OtherSessionId }, reply: null }
                ]
            },
            async (correlationId, args) => SessionV1Wire.session(await this._logic.validateSession(correlationId, SessionsCommandSet.sessionId(args)))));
    }

    /**
     * The command set of a controller the services found by reference: ours, or a bad
     * configuration (the services publish what only SessionsCommand describes).
     */
    public static of(controller: ICommandable): SessionsCommandSet {
        const commands = controller.getCommandSet();
        if (commands instanceof SessionsCommandSet) return commands;
        throw new ConfigException(undefined, SessionsErrorCode.WRONG_CONTROLLER,
            'The controller\'s command set is not a SessionsCommandSet: the services need service-sessions\' commands');
    }

    public addCommand(command: SessionsCommand): void {
        super.addCommand(command);
        this._sessionsCommands.push(command);
    }

    /** The commands, with their contracts. */
    public getCommands(): SessionsCommand[] {
        return this._sessionsCommands;
    }

    /** A command by its exact name, or null: the toolkit's plain-object lookup found "constructor" (a 500). */
    public commandNamed(commandName: string): SessionsCommand | null {
        return this._sessionsCommands.find(item => item.getName() === commandName) ?? null;
    }

    /** commandNamed() as the toolkit's CommandSet answers: undefined for no such command. */
    public findCommand(commandName: string): ICommand {
        return this.commandNamed(commandName) ?? undefined as unknown as ICommand;
    }

    /**
     * Runs a command by name for transports that dispatch by name, with the caller's correlation id
     * (the toolkit's replaced it: docs/differences.md) and validating once, in the command.
     */
    public async execute(correlationId: string, commandName: string, args: Parameters): Promise<unknown> {
        const command = this.commandNamed(commandName);
        if (command == null) {
            throw new BadRequestException(correlationId, SessionsErrorCode.CMD_NOT_FOUND, 'Unknown command: ' + commandName)
                .withDetails('command', commandName);
        }
        return await command.execute(correlationId, args);
    }

    private static sessionIdSchema(): ObjectSchema {
        return new ObjectSchema(true).withRequiredProperty('session_id', TypeCode.String);
    }

    /** session_id, which the schema requires to be a string. */
    private static sessionId(args: SessionsCommandArguments): string {
        return args.session_id as string;
    }

    /** An optional string argument (the schema lets only a string through), or null. */
    private static text(value: unknown): string | null {
        return typeof value === 'string' ? value : null;
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
}
