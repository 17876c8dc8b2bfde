import { SessionBytesSummary } from './SessionBytesSummary';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

// The top-level keys summarize() reads; the times last, so that `key >= REQUEST_TIME` tells a time.
const OTHER = 0;
const ID = 1;
const USER_ID = 2;
const ACTIVE = 3;
const REQUEST_TIME = 4;
const OPEN_TIME = 5;
const CLOSE_TIME = 6;
const EXPIRES_AT = 7;

// Which fields summarize() has read, as bits.
const FOUND_ID = 1;
const FOUND_USER_ID = 2;
const FOUND_ACTIVE = 4;
const FOUND_REQUEST_TIME = 8;
const FOUND_OPEN_TIME = 16;
const FOUND_ALL = FOUND_ID | FOUND_USER_ID | FOUND_ACTIVE | FOUND_REQUEST_TIME | FOUND_OPEN_TIME;

const NAME_ID = nameBytes('id');
const NAME_ACTIVE = nameBytes('active');
const NAME_USER_ID = nameBytes('user_id');
const NAME_OPEN_TIME = nameBytes('open_time');
const NAME_CLOSE_TIME = nameBytes('close_time');
const NAME_EXPIRES_AT = nameBytes('expires_at');
const NAME_REQUEST_TIME = nameBytes('request_time');
const TRUE = nameBytes('true');
const FALSE = nameBytes('false');
const NULL = nameBytes('null');

/** A name's character codes, to compare bytes with. */
function nameBytes(name: string): Uint8Array {
    return Uint8Array.from(name, char => char.charCodeAt(0));
}

/**
 * SessionText.summarize() over a session's UTF-8 bytes, for the file store's load: a
 * JavaScript loop reads a byte of a Buffer in about half the time it reads a character
 * of a string, and the line is read before any of it is a string. It accepts and reads
 * exactly what SessionText.summarize() does (JSON's structure is all ASCII, and bytes of
 * other characters only ever sit inside strings), so a text loaded through it reads the
 * same when the store summarizes it again; the tests hold the two to that.
 */
export class SessionBytes {
    private static _lastDayKey = -1;
    private static _lastDayStart = 0;

    /**
     * Fills summary from the top-level fields of the session in bytes[start, end); false
     * when SessionText.summarize() declines the same text (the caller then parses it).
     */
    public static summarize(bytes: Uint8Array, start: number, end: number, summary: SessionBytesSummary): boolean {
        if (end - start < 2 || bytes[start] !== OPEN_BRACE || bytes[end - 1] !== CLOSE_BRACE) return false;
        summary.closeTime = -1;
        let found = 0;
        let position = start + 1;
        for (;;) {
            if (bytes[position] !== QUOTE) return false;
            const keyStart = position + 1;
            let keyEnd = keyStart;
            // A key: a JSON escape could spell a known name another way, so none is allowed.
            for (;;) {
                if (keyEnd >= end) return false;
                const code = bytes[keyEnd];
                if (code === QUOTE) break;
                if (code === BACKSLASH) return false;
                keyEnd++;
            }
            if (bytes[keyEnd + 1] !== COLON) return false;
            const key = SessionBytes.keyOf(bytes, keyStart, keyEnd - keyStart);
            const valueStart = keyEnd + 2;
            const first = bytes[valueStart];
            let valueEnd: number;
            if (first === QUOTE && key >= REQUEST_TIME) {
                // A time is a string of fixed width, read where it stands.
                valueEnd = valueStart + 26;
                if (valueEnd >= end) return false;
                const time = SessionBytes.time(bytes, valueStart + 1);
                if (time < 0) return false;
                if (key === REQUEST_TIME) {
                    summary.requestTime = time;
                    found |= FOUND_REQUEST_TIME;
                } else if (key === OPEN_TIME) {
                    summary.openTime = time;
                    found |= FOUND_OPEN_TIME;
                } else if (key === CLOSE_TIME) {
                    summary.closeTime = time;
                }
            } else if (first === QUOTE) {
                if (key === ID || key === USER_ID) {
                    // Ids are taken as they stand in the text: one with an escape is left to the parser.
                    const close = SessionBytes.plainStringEnd(bytes, valueStart, end);
                    if (close < 0) return false;
                    valueEnd = close + 1;
                    if (key === ID) {
                        if (close === valueStart + 1) return false;
                        summary.idStart = valueStart + 1;
                        summary.idEnd = close;
                        found |= FOUND_ID;
                    } else {
                        summary.userIdStart = valueStart + 1;
                        summary.userIdEnd = close;
                        found |= FOUND_USER_ID;
                    }
                } else {
                    if (key === ACTIVE) return false;
                    const close = SessionBytes.stringEnd(bytes, valueStart, end);
                    if (close < 0) return false;
                    valueEnd = close + 1;
                }
            } else if (first === OPEN_BRACE || first === OPEN_BRACKET) {
                if (key !== OTHER) return false;
                valueEnd = SessionBytes.nestedEnd(bytes, valueStart, end);
                if (valueEnd < 0) return false;
            } else {
                valueEnd = valueStart;
                while (valueEnd < end) {
                    const code = bytes[valueEnd];
                    if (code === COMMA || code === CLOSE_BRACE) break;
                    valueEnd++;
                }
                const length = valueEnd - valueStart;
                if (length === 4 && SessionBytes.matches(bytes, valueStart, TRUE)) {
                    if (key === ACTIVE) summary.active = true;
                    else if (key !== OTHER) return false;
                } else if (length === 5 && SessionBytes.matches(bytes, valueStart, FALSE)) {
                    if (key === ACTIVE) summary.active = false;
                    else if (key !== OTHER) return false;
                } else if (length === 4 && SessionBytes.matches(bytes, valueStart, NULL)) {
                    if (key === CLOSE_TIME) summary.closeTime = -1;
                    else if (key !== OTHER && key !== EXPIRES_AT) return false;
                } else if (key !== OTHER || !SessionBytes.isNumber(bytes, valueStart, valueEnd)) {
                    return false;
                }
                if (key === ACTIVE) found |= FOUND_ACTIVE;
            }

            const separator = bytes[valueEnd];
            if (separator === COMMA) {
                position = valueEnd + 1;
                continue;
            }
            return separator === CLOSE_BRACE && valueEnd === end - 1 && found === FOUND_ALL;
        }
    }

    /** Which of the keys summarize() reads the name in bytes[start, start + length) is, or OTHER. */
    private static keyOf(bytes: Uint8Array, start: number, length: number): number {
        switch (length) {
            case 2: return SessionBytes.matches(bytes, start, NAME_ID) ? ID : OTHER;
            case 6: return SessionBytes.matches(bytes, start, NAME_ACTIVE) ? ACTIVE : OTHER;
            case 7: return SessionBytes.matches(bytes, start, NAME_USER_ID) ? USER_ID : OTHER;
            case 9: return SessionBytes.matches(bytes, start, NAME_OPEN_TIME) ? OPEN_TIME : OTHER;
            case 10:
                if (SessionBytes.matches(bytes, start, NAME_CLOSE_TIME)) return CLOSE_TIME;
                return SessionBytes.matches(bytes, start, NAME_EXPIRES_AT) ? EXPIRES_AT : OTHER;
            case 12: return SessionBytes.matches(bytes, start, NAME_REQUEST_TIME) ? REQUEST_TIME : OTHER;
            default: return OTHER;
        }
    }

    private static matches(bytes: Uint8Array, start: number, name: Uint8Array): boolean {
        for (let index = 0; index < name.length; index++) {
            if (bytes[start + index] !== name[index]) return false;
        }
        return true;
    }

    /** The index of the quote that closes the string opening at open, or -1. */
    private static stringEnd(bytes: Uint8Array, open: number, end: number): number {
        for (let index = open + 1; index < end; index++) {
            const code = bytes[index];
            if (code === QUOTE) return index;
            if (code === BACKSLASH) index++;
        }
        return -1;
    }

    /** As stringEnd(), but -1 also for a string with an escape in it. */
    private static plainStringEnd(bytes: Uint8Array, open: number, end: number): number {
        for (let index = open + 1; index < end; index++) {
            const code = bytes[index];
            if (code === QUOTE) return index;
            if (code === BACKSLASH) return -1;
        }
        return -1;
    }

    /** The index after the object or array opening at start, or -1 if it is not closed. */
    private static nestedEnd(bytes: Uint8Array, start: number, end: number): number {
        let depth = 0;
        for (let index = start; index < end; index++) {
            const code = bytes[index];
            if (code === QUOTE) {
                index = SessionBytes.stringEnd(bytes, index, end);
                if (index < 0) return -1;
            } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
                depth++;
            } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
                if (--depth === 0) return index + 1;
            }
        }
        return -1;
    }

    /** A number as JSON writes it: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? and nothing else. */
    private static isNumber(bytes: Uint8Array, start: number, end: number): boolean {
        let index = start;
        if (index < end && bytes[index] === MINUS) index++;
        if (index >= end) return false;
        if (bytes[index] === ZERO) {
            index++;
        } else {
            const digits = SessionBytes.digitsEnd(bytes, index, end);
            if (digits === index) return false;
            index = digits;
        }
        if (index < end && bytes[index] === DOT) {
            const digits = SessionBytes.digitsEnd(bytes, index + 1, end);
            if (digits === index + 1) return false;
            index = digits;
        }
        if (index < end && (bytes[index] | 32) === 101) {
            index++;
            if (index < end && (bytes[index] === PLUS || bytes[index] === MINUS)) index++;
            const digits = SessionBytes.digitsEnd(bytes, index, end);
            if (digits === index) return false;
            index = digits;
        }
        return index === end;
    }

    private static digitsEnd(bytes: Uint8Array, start: number, end: number): number {
        let index = start;
        while (index < end && bytes[index] >= ZERO && bytes[index] <= NINE) index++;
        return index;
    }

    /**
     * The time of the 24 bytes at start, closed by a quote, in JSON.stringify's form
     * (2024-01-31T23:59:59.999Z), or -1: SessionV1Json.canonicalTime() over bytes.
     */
    private static time(bytes: Uint8Array, start: number): number {
        if (bytes[start + 4] !== 45 || bytes[start + 7] !== 45 || bytes[start + 10] !== 84 || bytes[start + 13] !== 58
            || bytes[start + 16] !== 58 || bytes[start + 19] !== 46 || bytes[start + 23] !== 90 || bytes[start + 24] !== QUOTE) return -1;
        const century = SessionBytes.twoDigits(bytes, start);
        const yearOfCentury = SessionBytes.twoDigits(bytes, start + 2);
        const month = SessionBytes.twoDigits(bytes, start + 5);
        const day = SessionBytes.twoDigits(bytes, start + 8);
        const hour = SessionBytes.twoDigits(bytes, start + 11);
        const minute = SessionBytes.twoDigits(bytes, start + 14);
        const second = SessionBytes.twoDigits(bytes, start + 17);
        const centiseconds = SessionBytes.twoDigits(bytes, start + 20);
        const lastDigit = bytes[start + 22] - ZERO;
        if ((century | yearOfCentury | month | day | hour | minute | second | centiseconds) < 0 || lastDigit < 0 || lastDigit > 9) return -1;
        const year = century * 100 + yearOfCentury;
        if (year < 1970 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return -1;
        if (day < 1 || day > SessionBytes.daysInMonth(year, month)) return -1;
        // Most times of a file fall on a few days: the day's start is kept from the last call.
        const dayKey = (year * 100 + month) * 100 + day;
        if (dayKey !== SessionBytes._lastDayKey) {
            SessionBytes._lastDayKey = dayKey;
            SessionBytes._lastDayStart = Date.UTC(year, month - 1, day);
        }
        return SessionBytes._lastDayStart + ((hour * 60 + minute) * 60 + second) * 1000 + centiseconds * 10 + lastDigit;
    }

    /** The two decimal digits at start as a number, or -1. */
    private static twoDigits(bytes: Uint8Array, start: number): number {
        const tens = bytes[start] - ZERO;
        const units = bytes[start + 1] - ZERO;
        if (tens < 0 || tens > 9 || units < 0 || units > 9) return -1;
        return tens * 10 + units;
    }

    private static daysInMonth(year: number, month: number): number {
        if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
        return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    }
}
