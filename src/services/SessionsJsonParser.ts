import * as secureJson from 'secure-json-parse';

/** JSON text from callers, parsed one way on every API. */
export class SessionsJsonParser {
    // __proto__ and constructor.prototype keys would reach prototypes through the toolkit's Parameters.
    private static readonly Options = { protoAction: 'error', constructorAction: 'error' } as const;
    private static readonly ForbiddenKeyMessage = 'Object contains forbidden prototype property';

    /** The parsed value; throws a SyntaxError for invalid text and for a forbidden key (see isForbiddenKey). */
    public static parse(text: string): unknown {
        return SessionsJsonParser.mayHoldPrototypeKeys(text) ? secureJson.parse(text, undefined, SessionsJsonParser.Options) : JSON.parse(text);
    }

    /**
     * Whether secure-json-parse has anything to look for: its checks match "__proto__" and
     * "constructor" written out or with \u escapes, and it drops a leading byte order mark.
     * Text with none of them parses as JSON.parse parses it, without its two regular expressions.
     */
    private static mayHoldPrototypeKeys(text: string): boolean {
        return text.charCodeAt(0) === 0xFEFF || text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
    }

    /** Whether parse() refused valid JSON for a forbidden key (JSON.parse's own messages quote the text, which may name one). */
    public static isForbiddenKey(err: unknown): boolean {
        return err instanceof SyntaxError && err.message === SessionsJsonParser.ForbiddenKeyMessage;
    }
}
