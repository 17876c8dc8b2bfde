/**
 * Log lines for stdout, gathered over one event-loop turn and written in one write: under
 * load a turn serves many requests, and one write per audit line was a fifth of open_session's
 * cost. Lines keep their order; a line for stderr first writes out what is gathered, and the
 * process's exit writes out the rest (docs/sessions.md#audit-log).
 */
export class SessionsStdoutLines {
    private static _pending = '';
    private static _exitHooked = false;

    public static write(line: string): void {
        if (SessionsStdoutLines._pending === '') {
            if (!SessionsStdoutLines._exitHooked) SessionsStdoutLines.hookProcess();
            setImmediate(SessionsStdoutLines.flush);
        }
        SessionsStdoutLines._pending += line + '\n';
    }

    private static hookProcess(): void {
        SessionsStdoutLines._exitHooked = true;
        process.on('exit', SessionsStdoutLines.flush);
        // As console.log does: a log reader that went away (EPIPE) must not stop the service.
        process.stdout.on('error', SessionsStdoutLines.ignore);
        process.stderr.on('error', SessionsStdoutLines.ignore);
    }

    private static ignore(): void {
        // Nothing to do: the line has no reader left.
    }

    /** A line for stderr, written at once, after the stdout lines gathered before it. */
    public static writeError(line: string): void {
        if (!SessionsStdoutLines._exitHooked) SessionsStdoutLines.hookProcess();
        SessionsStdoutLines.flush();
        process.stderr.write(line + '\n');
    }

    public static flush(): void {
        const text = SessionsStdoutLines._pending;
        if (text === '') return;
        SessionsStdoutLines._pending = '';
        process.stdout.write(text);
    }
}
