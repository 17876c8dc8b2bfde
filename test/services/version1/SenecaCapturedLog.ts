import { Logger, LogLevel } from 'pip-services3-components-nodex';

/** A logger that keeps every line (level name and message) for a test to read. */
export class SenecaCapturedLog extends Logger {
    public readonly lines: string[] = [];

    public constructor() {
        super();
        this.setLevel(LogLevel.Trace);
    }

    protected write(level: LogLevel, correlationId: string, error: Error, message: string): void {
        this.lines.push(LogLevel[level] + ' ' + (correlationId ?? '') + ' ' + message + (error != null ? ' ' + String(error.stack) : ''));
    }
}
