/** Text that gives away internals: stack frames, source and install paths. */
const BASE_MARKERS = ['    at ', '.ts:', '.js:', '/work/', 'node_modules', 'Stack trace', 'RangeError', 'TypeError', 'ReferenceError'];

/**
 * The per-reply checks of the bad-input suite: no internals in a reply, and errors in
 * the service's shape ({code, message, status}, nothing else of an exception).
 */
export class ReplyChecks {
    private readonly _markers: string[];

    /** privatePaths: more text that must not reach a caller (the temp folder of the store). */
    public constructor(privatePaths: string[]) {
        this._markers = [...BASE_MARKERS, ...privatePaths];
    }

    /** Markers in the reply that the request did not bring itself (a reply may echo the caller's own text). */
    public leaks(replyText: string, requestText: string): string[] {
        return this._markers.filter(marker => replyText.includes(marker) && !requestText.includes(marker));
    }

    /** Problems with an error body, given as parsed JSON; status: what it must say, if known. */
    public static errorShapeProblems(body: unknown, status: number | null): string[] {
        if (body == null || typeof body !== 'object' || Array.isArray(body)) return ['the error is not a JSON object'];
        const error = body as Record<string, unknown>;
        const problems: string[] = [];
        if (typeof error.code !== 'string' || error.code === '') problems.push('no code');
        if (typeof error.message !== 'string' || error.message === '') problems.push('no message');
        if (typeof error.status !== 'number') problems.push('no numeric status');
        else if (status != null && error.status !== status) problems.push('status ' + error.status + ' in a ' + status + ' reply');
        else if (error.status >= 500) problems.push('a server error (' + error.status + ')');
        for (const key of ['stack', 'cause', 'stack_trace', 'trace']) {
            if (key in error) problems.push('carries ' + key);
        }
        return problems;
    }

    public static parseJson(text: string): { value: unknown } | null {
        try {
            return { value: JSON.parse(text) };
        } catch {
            return null;
        }
    }
}
