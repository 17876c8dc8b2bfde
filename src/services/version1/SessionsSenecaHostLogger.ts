import { Logger, LogLevel } from 'pip-services3-components-nodex';

import { SessionsLogText } from '../../logic/SessionsLogText';
import { ISenecaInstance } from './ISenecaInstance';

/**
 * Writes the log of the components SessionsSenecaPlugin builds (store, controller,
 * patterns) to the host application's Seneca log, so the host's log settings decide
 * what is shown and where, as for any other plugin.
 */
export class SessionsSenecaHostLogger extends Logger {
    private readonly _seneca: ISenecaInstance;

    public constructor(seneca: ISenecaInstance) {
        super();
        this._seneca = seneca;
        // The host's Seneca log level filters; everything down to debug is handed to it.
        this.setLevel(LogLevel.Debug);
    }

    // Types as the toolkit declares them; values as the service's own logger writes them (JSON, redacted).
    protected formatAndWrite(level: LogLevel, correlationId: string, error: Error, message: string, ...args: unknown[]): void {
        if (this.getLevel() < level) return;
        this.write(level, correlationId, error, SessionsLogText.format(message ?? '', args));
    }

    protected write(level: LogLevel, correlationId: string | null, error: Error | null, message: string): void {
        const entry: Record<string, unknown> = { kind: 'sessions', notice: message };
        if (correlationId) entry.correlation_id = correlationId;
        if (error != null) entry.err = error;
        switch (level) {
            case LogLevel.Fatal:
            case LogLevel.Error:
                this._seneca.log.error(entry);
                break;
            case LogLevel.Warn:
                this._seneca.log.warn(entry);
                break;
            case LogLevel.Info:
                this._seneca.log.info(entry);
                break;
            default:
                this._seneca.log.debug(entry);
        }
    }
}
