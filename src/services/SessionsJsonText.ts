import { DataPage } from 'pip-services3-commons-nodex';

import { IsoDateText } from '../logic/IsoDateText';

/**
 * JSON.stringify for replies, with the dates of a session (and of the sessions in a page
 * or list) written as ISO strings beforehand: a Date sends JSON.stringify down its slow
 * path (toJSON) at about 2 µs each, a third of a read's time in the service. The text is
 * exactly what JSON.stringify would write.
 */
export class SessionsJsonText {
    public static stringify(value: unknown): string {
        return JSON.stringify(SessionsJsonText.withDateText(value, 2));
    }

    /** Date's toJSON text (see IsoDateText). */
    public static dateText(date: Date): string | null {
        return IsoDateText.of(date);
    }

    /**
     * A copy with Date fields as text, depth levels of plain objects and arrays down (a
     * session; a page's data; a list of sessions); deeper values (user, data) are left to
     * JSON.stringify, as are objects other than plain ones and pages (a boxed string, a
     * class with its own toJSON).
     */
    private static withDateText(value: unknown, depth: number): unknown {
        if (value instanceof Date) return SessionsJsonText.dateText(value);
        if (depth < 0 || value == null || typeof value !== 'object') return value;
        if (Array.isArray(value)) return value.map(item => SessionsJsonText.withDateText(item, depth - 1));
        const prototype: unknown = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null && !(value instanceof DataPage)) return value;
        if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
        const copy: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
            const field = (value as Record<string, unknown>)[key];
            const text = field instanceof Date ? SessionsJsonText.dateText(field)
                : Array.isArray(field) ? SessionsJsonText.withDateText(field, depth - 1) : field;
            // Defined, not assigned: a "__proto__" key stays a key, as JSON.stringify writes it.
            if (key === '__proto__') Object.defineProperty(copy, key, { value: text, enumerable: true, writable: true, configurable: true });
            else copy[key] = text;
        }
        return copy;
    }
}
