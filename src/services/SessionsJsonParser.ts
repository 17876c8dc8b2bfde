import * as secureJson from 'secure-json-parse';

/** JSON text from callers, parsed one way on every API. */
export class SessionsJsonParser {
    // __proto__ and constructor.prototype keys would reach prototypes through the toolkit's Parameters.
    private static readonly Options = { protoAction: 'error', constructorAction: 'error' } as const;
    private static readonly ForbiddenKeyMessage = 'Object contains forbidden prototype property';

    /** The parsed value; throws a SyntaxError for invalid text and for a forbidden key (see isForbiddenKey). */
    public static parse(text: string): unknown {
        return secureJson.parse(text, undefined, SessionsJsonParser.Options);
    }

    /** Whether parse() refused valid JSON for a forbidden key (JSON.parse's own messages quote the text, which may name one). */
    public static isForbiddenKey(err: unknown): boolean {
        return err instanceof SyntaxError && err.message === SessionsJsonParser.ForbiddenKeyMessage;
    }
}
