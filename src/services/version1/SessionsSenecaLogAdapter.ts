import { ILogger } from 'pip-services3-components-nodex';

import { SenecaLogEntry } from './ISenecaInstance';

/** Seneca's numeric log levels. */
const SENECA_WARN = 400;
const SENECA_ERROR = 500;

/**
 * A Seneca logger (its `log.logger` option) that writes Seneca's warnings and errors to
 * the service's log, one line each, instead of Seneca's JSON lines on stdout.
 *
 * Seneca's entries may hold whole messages (session data, user objects), which the
 * service never logs, so a line keeps only the entry's kind, case, pattern and short
 * single-line texts.
 */
export class SessionsSenecaLogAdapter {
    private static readonly _maxText = 200;

    public static create(logger: ILogger): (entry: SenecaLogEntry) => void {
        return (entry: SenecaLogEntry): void => {
            const level = typeof entry.level === 'number' ? entry.level : 0;
            if (level < SENECA_WARN) return;
            const line = SessionsSenecaLogAdapter.describe(entry);
            if (level >= SENECA_ERROR) logger.error('', null as unknown as Error, 'Seneca: %s', line);
            else logger.warn('', 'Seneca: %s', line);
        };
    }

    public static describe(entry: SenecaLogEntry): string {
        const parts: string[] = [];
        for (const value of [entry.kind, entry.case, entry.pattern, entry.err?.code, entry.err?.message]) {
            const text = SessionsSenecaLogAdapter.shortText(value);
            if (text != null) parts.push(text);
        }
        if (Array.isArray(entry.data)) {
            for (const value of entry.data) {
                const text = SessionsSenecaLogAdapter.shortText(value);
                if (text != null) parts.push(text);
            }
        }
        return parts.length > 0 ? parts.join(' ') : (entry.level_name ?? 'log entry');
    }

    /** A string worth a log line: one line, cut to a few hundred characters; nothing else. */
    private static shortText(value: unknown): string | null {
        if (typeof value !== 'string' || value.trim() === '') return null;
        const line = value.split('\n')[0].trim();
        return line.length > SessionsSenecaLogAdapter._maxText ? line.slice(0, SessionsSenecaLogAdapter._maxText) + '...' : line;
    }
}
