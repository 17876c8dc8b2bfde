const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into newline-terminated lines (seneca-transport's tcp framing), holding at most
 * maxLineSize bytes of an unfinished line: seneca-transport's reader held a line of any length, so
 * one connection could make the process buffer gigabytes. A longer line is reported once and skipped
 * to its newline; one still going at maxSkipSize ends the stream (push answers false).
 */
export class SessionsSenecaLineSplitter {
    /** How much of an oversized line is kept, to read the frame's id from. */
    public static readonly HeadSize = 1024;

    private readonly _maxLineSize: number;
    private readonly _maxSkipSize: number;
    private _parts: Buffer[] = [];
    private _size = 0;
    /** Bytes of the oversized line being skipped so far, or -1 while none is. */
    private _skipped = -1;
    private _ended = false;

    public constructor(maxLineSize: number, maxSkipSize: number) {
        this._maxLineSize = maxLineSize;
        this._maxSkipSize = Math.max(maxSkipSize, maxLineSize);
    }

    /**
     * Hands every complete line in chunk to onLine (without its newline, decoded as
     * UTF-8), and the first bytes of a line over the size limit to onOversized; keeps the
     * unfinished rest. Returns false once a line passes maxSkipSize: the stream's framing
     * is then given up and nothing more is read.
     */
    public push(chunk: Buffer, onLine: (line: string) => void, onOversized: (head: Buffer) => void): boolean {
        if (this._ended) return false;
        let start = 0;
        while (start < chunk.length) {
            const newline = chunk.indexOf(NEWLINE, start);
            const end = newline >= 0 ? newline : chunk.length;
            if (this._skipped < 0 && this._size + (end - start) > this._maxLineSize) {
                onOversized(this.head(chunk.subarray(start, end)));
                this._skipped = this._size;
                this._parts = [];
                this._size = 0;
            }
            if (this._skipped >= 0) {
                this._skipped += end - start;
                if (this._skipped > this._maxSkipSize) {
                    this._ended = true;
                    return false;
                }
                if (newline >= 0) this._skipped = -1;
            } else if (newline >= 0) {
                const line = this._parts.length === 0
                    ? chunk.toString('utf8', start, end)
                    : Buffer.concat([...this._parts, chunk.subarray(start, end)]).toString('utf8');
                this._parts = [];
                this._size = 0;
                onLine(line);
            } else {
                const rest = chunk.subarray(start);
                // A copy when small: a view would keep the whole chunk alive.
                this._parts.push(rest.length < chunk.length / 2 ? Buffer.from(rest) : rest);
                this._size += rest.length;
            }
            start = end + 1;
        }
        return true;
    }

    /** The first HeadSize bytes of the held parts followed by last. */
    private head(last: Buffer): Buffer {
        const head: Buffer[] = [];
        let size = 0;
        for (const part of [...this._parts, last]) {
            if (size >= SessionsSenecaLineSplitter.HeadSize) break;
            const piece = part.subarray(0, SessionsSenecaLineSplitter.HeadSize - size);
            head.push(piece);
            size += piece.length;
        }
        return Buffer.concat(head);
    }
}
