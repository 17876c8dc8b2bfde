import { ConfigParams } from 'pip-services3-commons-nodex';
import { ConsoleLogger, LogLevel, LogLevelConverter } from 'pip-services3-components-nodex';

import { SessionsAudit } from '../logic/SessionsAudit';
import { ApplicationErrors } from '../logic/ApplicationErrors';
import { SessionsSettingReader } from '../logic/SessionsSettingReader';
import { SessionsLogText } from '../logic/SessionsLogText';
import { IsoDateText } from '../logic/IsoDateText';
import { SessionsStdoutLines } from './SessionsStdoutLines';

/** One log line in JSON form: what a log shipper indexes. */
interface JsonLogEntry {
    time: string;
    level: string;
    source?: string;
    correlation_id?: string;
    message: string;
    /** An audit line's record (see SessionsAudit), as an object of its own. */
    audit?: unknown;
    error?: { type: string; code?: string; status?: number; message: string; cause?: string; stack?: string };
}

/**
 * The console logger, in the toolkit's text lines with the source first or in JSON lines (LOG_FORMAT).
 * A line above the level is dropped before it is formatted, so debug lines cost nothing in production.
 * Lines go out through SessionsStdoutLines: one write per event-loop turn.
 */
export class SessionsConsoleLogger extends ConsoleLogger {
    public static readonly Levels = ['none', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
    private _json = false;

    public configure(config: ConfigParams): void {
        const settings = new SessionsSettingReader(config);
        // The toolkit reads an unknown level as info without a word.
        settings.oneOf('level', SessionsConsoleLogger.Levels, 'info');
        super.configure(config);
        this._json = settings.oneOf('format', ['text', 'json'], 'text') === 'json';
    }

    public get isJson(): boolean {
        return this._json;
    }

    // Types as the toolkit declares them (its parameters are not nullable there).
    protected formatAndWrite(level: LogLevel, correlationId: string, error: Error, message: string, ...args: unknown[]): void {
        if (this.getLevel() < level) return;
        this.write(level, correlationId, error, SessionsLogText.format(message ?? '', args));
    }

    protected write(level: LogLevel, correlationId: string, error: Error, message: string): void {
        if (this.getLevel() < level) return;
        if (!this._json) {
            this.writeText(level, correlationId, error, message);
            return;
        }
        SessionsStdoutLines.write(JSON.stringify(this.jsonEntry(level, correlationId, error, message)));
    }

    /**
     * An info line that carries facts: in JSON, one object with them under `name`; in
     * text, the message alone (it is written to say the same).
     */
    public infoWithFacts(correlationId: string, message: string, name: string, facts: object): void {
        if (this.getLevel() < LogLevel.Info) return;
        if (!this._json) {
            this.info(correlationId, '%s', message);
            return;
        }
        const entry = { ...this.jsonEntry(LogLevel.Info, correlationId, null, message), [name]: facts };
        SessionsStdoutLines.write(JSON.stringify(entry));
    }

    private jsonEntry(level: LogLevel, correlationId: string, error: Error | null, message: string): JsonLogEntry {
        const entry: JsonLogEntry = {
            time: IsoDateText.now(),
            level: LogLevelConverter.toString(level).toLowerCase(),
            message
        };
        if (this._source) entry.source = this._source;
        if (correlationId) entry.correlation_id = correlationId;
        if (message.startsWith(SessionsAudit.Prefix + '{')) {
            try {
                entry.audit = JSON.parse(message.slice(SessionsAudit.Prefix.length));
                entry.message = SessionsAudit.Prefix.trim();
            } catch {
                // Some other message that starts the same way: written as it is.
            }
        }
        if (error != null) entry.error = SessionsConsoleLogger.describe(error);
        return entry;
    }

    /**
     * The toolkit's line (its ConsoleLogger.write) with the source in front, so every line says
     * which service wrote it; the time as the toolkit writes it (toISOString), at a tenth of the cost.
     */
    private writeText(level: LogLevel, correlationId: string | null, error: Error | null, message: string): void {
        let line = (this._source ? this._source + ' ' : '') + '[' + (correlationId ?? '---') + ':'
            + LogLevelConverter.toString(level) + ':' + IsoDateText.now() + '] ' + message;
        if (error != null) line += (message.length === 0 ? 'Error: ' : ': ') + this.composeError(error);
        if (level <= LogLevel.Warn) SessionsStdoutLines.writeError(line);
        else SessionsStdoutLines.write(line);
    }

    private static describe(error: Error): NonNullable<JsonLogEntry['error']> {
        const described: NonNullable<JsonLogEntry['error']> = { type: error.name || 'Error', message: String(error.message) };
        if (ApplicationErrors.isApplicationException(error)) {
            if (error.code) described.code = error.code;
            if (error.status) described.status = error.status;
            if (error.cause) described.cause = String(error.cause);
        }
        if (error.stack) described.stack = error.stack;
        return described;
    }
}
