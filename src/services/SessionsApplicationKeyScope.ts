/**
 * What the application key (auth.app_api_key, APP_API_KEY) may call: the one list of it.
 *
 * An application signs its users in and out, so it may open, read, validate, update and
 * close sessions, revoke one user's sessions and list one user's sessions. What spans every
 * user (listing all sessions, deleting one outright, closing the expired ones) and the
 * operator endpoints (/metrics, /status) stay with the full key.
 */
export class SessionsApplicationKeyScope {
    /** The commands the application key may call with any arguments. */
    public static readonly Commands: readonly string[] = [
        'open_session', 'get_session_by_id', 'validate_session', 'store_session_data', 'update_session_user',
        'close_session', 'close_user_sessions'
    ];

    /** The command the application key may call only for one user: its filter must name a user_id. */
    public static readonly OneUserListing = 'get_sessions';

    private static readonly _commands: ReadonlySet<string> = new Set(SessionsApplicationKeyScope.Commands);

    /**
     * Whether the application key may run a command with these arguments (the parsed
     * request body or message fields).
     */
    public static permits(command: string, args: unknown): boolean {
        if (SessionsApplicationKeyScope._commands.has(command)) return true;
        if (command === SessionsApplicationKeyScope.OneUserListing) return SessionsApplicationKeyScope.namesOneUser(args);
        return false;
    }

    /**
     * Whether args.filter.user_id is a non-empty string: what the stores read as "this
     * user's sessions only" (null and "" mean no condition, so they list everyone's).
     */
    private static namesOneUser(args: unknown): boolean {
        const filter = SessionsApplicationKeyScope.ownField(args, 'filter');
        const userId = SessionsApplicationKeyScope.ownField(filter, 'user_id');
        return typeof userId === 'string' && userId !== '';
    }

    /** An own property of a plain object, never an inherited one or a member of an array. */
    private static ownField(value: unknown, name: string): unknown {
        if (value == null || typeof value !== 'object' || Array.isArray(value)) return undefined;
        return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    }
}
