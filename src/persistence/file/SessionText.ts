import { InternalException } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionV1Json } from '../../data/version1/SessionV1Json';
import { SessionSummary } from '../SessionSummary';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

// Which fields summarize() has read, as bits.
const ID = 1;
const USER_ID = 2;
const ACTIVE = 4;
const REQUEST_TIME = 8;
const OPEN_TIME = 16;
const ALL = ID | USER_ID | ACTIVE | REQUEST_TIME | OPEN_TIME;

/**
 * A session kept as the JSON text it was loaded from. Parsing a million sessions was
 * most of the file store's start-up (JSON.parse, a Date per time field, and the garbage
 * collector tracing ten objects per session); a session loaded as text costs one string
 * until a request reads or writes it. summarize() reads what the indexes need straight
 * from the text.
 */
export class SessionText {
    /**
     * Fills summary from the text's top-level fields without building the session. False
     * when the text is not a session as our snapshots write it (no whitespace, the index
     * fields and open_time present, ids without escapes, dates in JSON.stringify's form,
     * active a boolean): the caller then parses it whole, which also reports real errors.
     * True means the top level is well formed; the insides of object and array values
     * (user, data) are only checked for balance, and a fault there shows when the session
     * is read (see parse()).
     */
    public static summarize(text: string, summary: SessionSummary): boolean {
        if (text.charCodeAt(0) !== OPEN_BRACE || text.charCodeAt(text.length - 1) !== CLOSE_BRACE) return false;
        summary.closeTime = -1;
        let found = 0;
        let backslash = text.indexOf('\\');
        let position = 1;
        for (;;) {
            // A key: a JSON escape could spell a known name another way, so none is allowed.
            if (text.charCodeAt(position) !== QUOTE) return false;
            const keyStart = position + 1;
            const keyEnd = text.indexOf('"', keyStart);
            if (keyEnd < 0 || text.charCodeAt(keyEnd + 1) !== COLON) return false;
            if (backslash >= 0 && backslash < keyEnd) return false;
            const valueStart = keyEnd + 2;
            const first = text.charCodeAt(valueStart);
            let valueEnd: number;
            if (first === QUOTE) {
                const close = SessionText.stringEnd(text, valueStart);
                if (close < 0) return false;
                valueEnd = close + 1;
            } else if (first === OPEN_BRACE || first === OPEN_BRACKET) {
                valueEnd = SessionText.nestedEnd(text, valueStart);
                if (valueEnd < 0) return false;
            } else {
                valueEnd = valueStart;
                while (valueEnd < text.length) {
                    const code = text.charCodeAt(valueEnd);
                    if (code === COMMA || code === CLOSE_BRACE) break;
                    valueEnd++;
                }
                if (!SessionText.isScalar(text, valueStart, valueEnd)) return false;
            }
            const escaped = backslash >= 0 && backslash < valueEnd;
            if (escaped) backslash = text.indexOf('\\', valueEnd);

            switch (keyEnd - keyStart) {
                case 2:
                    if (text.startsWith('id', keyStart)) {
                        if (first !== QUOTE || escaped || valueEnd - valueStart < 3) return false;
                        summary.id = text.slice(valueStart + 1, valueEnd - 1);
                        found |= ID;
                    }
                    break;
                case 6:
                    if (text.startsWith('active', keyStart)) {
                        if (valueEnd - valueStart === 4 && text.startsWith('true', valueStart)) summary.active = true;
                        else if (valueEnd - valueStart === 5 && text.startsWith('false', valueStart)) summary.active = false;
                        else return false;
                        found |= ACTIVE;
                    }
                    break;
                case 7:
                    if (text.startsWith('user_id', keyStart)) {
                        if (first !== QUOTE || escaped) return false;
                        summary.userId = text.slice(valueStart + 1, valueEnd - 1);
                        found |= USER_ID;
                    }
                    break;
                case 9:
                    if (text.startsWith('open_time', keyStart)) {
                        summary.openTime = SessionText.time(text, valueStart, valueEnd);
                        if (summary.openTime < 0) return false;
                        found |= OPEN_TIME;
                    }
                    break;
                case 10: {
                    const isCloseTime = text.startsWith('close_time', keyStart);
                    if (isCloseTime || text.startsWith('expires_at', keyStart)) {
                        const isNull = valueEnd - valueStart === 4 && text.startsWith('null', valueStart);
                        const time = isNull ? -1 : SessionText.time(text, valueStart, valueEnd);
                        if (!isNull && time < 0) return false;
                        if (isCloseTime) summary.closeTime = time;
                    }
                    break;
                }
                case 12:
                    if (text.startsWith('request_time', keyStart)) {
                        summary.requestTime = SessionText.time(text, valueStart, valueEnd);
                        if (summary.requestTime < 0) return false;
                        found |= REQUEST_TIME;
                    }
                    break;
            }

            const separator = text.charCodeAt(valueEnd);
            if (separator === COMMA) {
                position = valueEnd + 1;
                continue;
            }
            return separator === CLOSE_BRACE && valueEnd === text.length - 1 && found === ALL;
        }
    }

    /** The session the text holds; a text that does not parse is reported without its content. */
    public static parse(text: string): SessionV1 {
        try {
            return SessionV1Json.toSession(JSON.parse(text));
        } catch (err) {
            throw new InternalException(undefined, SessionsErrorCode.CORRUPT_SESSION, 'A stored session cannot be read')
                .withCause(err as Error);
        }
    }

    /** The index of the quote that closes the string opening at open, or -1. */
    private static stringEnd(text: string, open: number): number {
        let close = text.indexOf('"', open + 1);
        while (close >= 0) {
            let backslashes = 0;
            while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
            if ((backslashes & 1) === 0) return close;
            close = text.indexOf('"', close + 1);
        }
        return -1;
    }

    /** The index after the object or array opening at start, or -1 if it is not closed. */
    private static nestedEnd(text: string, start: number): number {
        let depth = 0;
        for (let index = start; index < text.length; index++) {
            const code = text.charCodeAt(index);
            if (code === QUOTE) {
                index = SessionText.stringEnd(text, index);
                if (index < 0) return -1;
            } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
                depth++;
            } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
                if (--depth === 0) return index + 1;
            }
        }
        return -1;
    }

    /** true, false, null or a number, as JSON writes them. */
    private static isScalar(text: string, start: number, end: number): boolean {
        const length = end - start;
        if (length === 4 && (text.startsWith('true', start) || text.startsWith('null', start))) return true;
        if (length === 5 && text.startsWith('false', start)) return true;
        return length > 0 && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text.slice(start, end));
    }

    /** The time of a date string value in JSON.stringify's form, or -1. */
    private static time(text: string, start: number, end: number): number {
        if (end - start !== 26 || text.charCodeAt(start) !== QUOTE) return -1;
        return SessionV1Json.canonicalTime(text, start + 1, end - 1);
    }
}
