import { isAscii, isUtf8 } from 'buffer';

import { LoadedSummaries } from '../memory/LoadedSummaries';
import { SessionsById } from '../memory/SessionsById';
import { SessionBytes } from './SessionBytes';
import { SessionBytesSummary } from './SessionBytesSummary';

const NEWLINE = 10;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;

/**
 * Cuts a snapshot in our layout (`[`, one session per line, `]`) into sessions, from
 * regions of whole lines as they are read: each session's text, and, if asked, its index
 * fields read from its bytes (SessionBytes) into LoadedSummaries. Tells as soon as a line
 * is out of that layout, so the caller can read the file whole instead. A line in ASCII
 * (most) is a slice of its block decoded once; any other is decoded on its own, so that
 * one name beyond ASCII costs its own line, not its whole block.
 */
export class SessionsSnapshotLines {
    private _sessions: string[] = [];
    private _count = 0;
    private readonly _summaries: LoadedSummaries | null;
    private readonly _fileBytes: number;
    private _bytesTaken = 0;
    private readonly _summary: SessionBytesSummary = {
        idStart: 0, idEnd: 0, userIdStart: 0, userIdEnd: 0, active: false, requestTime: 0, openTime: 0, closeTime: -1
    };
    private _lineNumber = 0;
    private _closed = false;
    /** Whether the block being taken is well-formed UTF-8, and its text once decoded (see blockText). */
    private _utf8 = true;
    private _blockText: string | null = null;

    /** fileBytes: the file's size, to size the lists for it after the first lines. */
    public constructor(summaries: LoadedSummaries | null, fileBytes: number) {
        this._summaries = summaries;
        this._fileBytes = fileBytes;
    }

    /** The sessions' texts, in the file's order. */
    public get sessions(): string[] {
        if (this._sessions.length > this._count) this._sessions.length = this._count;
        return this._sessions;
    }

    /** Whether the closing bracket has been read: a file cut short at a line boundary lacks it. */
    public get closed(): boolean {
        return this._closed;
    }

    /**
     * Takes the lines in bytes[0, end): each ends with a newline, except the file's last
     * one may not. False as soon as a line is out of the layout.
     */
    public take(bytes: Buffer, end: number): boolean {
        const block = bytes.subarray(0, end);
        const ascii = isAscii(block);
        this._utf8 = ascii || isUtf8(block);
        this._blockText = null;
        let start = 0;
        while (start < end) {
            let lineEnd = bytes.indexOf(NEWLINE, start);
            if (lineEnd < 0 || lineEnd > end) lineEnd = end;
            if (!this.takeLine(bytes, ascii, start, lineEnd, end)) return false;
            start = lineEnd + 1;
        }
        if (this._bytesTaken === 0 && this._count > 0) {
            // A line the store reads is at least ~100 bytes: a first block of short lines does not size for many more.
            this.reserve(Math.min(Math.ceil(this._count / end * this._fileBytes * 1.02) + 16, Math.ceil(this._fileBytes / 100)));
        }
        this._bytesTaken += end;
        return true;
    }

    /**
     * Makes room for as many sessions as the first lines say the file holds, a little
     * more, so that the lists are made once at about their final size, not grown and
     * copied step by step up to it.
     */
    private reserve(count: number): void {
        if (count <= this._sessions.length) return;
        const sessions = new Array<string>(count);
        for (let index = 0; index < this._count; index++) sessions[index] = this._sessions[index];
        this._sessions = sessions;
        this._summaries?.reserve(count);
    }

    /**
     * Decoded once (as Latin-1, on the first ASCII line), the block's ASCII lines (most,
     * if not all) and their ids are slices of one string.
     */
    private blockText(bytes: Buffer, blockEnd: number): string {
        if (this._blockText == null) this._blockText = bytes.toString('latin1', 0, blockEnd);
        return this._blockText;
    }

    /** ascii: the whole block bytes[0, blockEnd) is ASCII. */
    private takeLine(bytes: Buffer, ascii: boolean, start: number, end: number, blockEnd: number): boolean {
        this._lineNumber++;
        if (this._lineNumber === 1) return end - start === 1 && bytes[start] === OPEN_BRACKET;
        if (end === start) return true;
        // Nothing may follow the closing bracket; JSON.parse (the whole read) says what is wrong.
        if (this._closed) return false;
        if (end - start === 1 && bytes[start] === CLOSE_BRACKET) {
            this._closed = true;
            return true;
        }
        if (bytes[start] !== OPEN_BRACE) return false;
        const sessionEnd = bytes[end - 1] === COMMA ? end - 1 : end;
        const plain = ascii || SessionsSnapshotLines.isAscii(bytes, start, sessionEnd);
        const text = plain ? this.blockText(bytes, blockEnd) : '';
        const session = plain ? text.slice(start, sessionEnd) : bytes.toString('utf8', start, sessionEnd);
        this._sessions[this._count++] = session;
        const summaries = this._summaries;
        if (summaries == null) return true;
        const summary = this._summary;
        if (!SessionBytes.summarize(bytes, start, sessionEnd, summary)) {
            summaries.addUnread();
        } else if (plain) {
            summaries.add(text.slice(summary.idStart, summary.idEnd), SessionsById.hashBytes(bytes, summary.idStart, summary.idEnd),
                summary.userIdStart - start, summary.userIdEnd - start, summary);
        } else {
            // Offsets in the session's text count UTF-16 units, not bytes.
            const idStart = this.units(bytes, start, summary.idStart);
            const idEnd = idStart + this.units(bytes, summary.idStart, summary.idEnd);
            const userIdStart = this.units(bytes, start, summary.userIdStart);
            const userIdEnd = userIdStart + this.units(bytes, summary.userIdStart, summary.userIdEnd);
            const id = session.slice(idStart, idEnd);
            summaries.add(id, SessionsById.hash(id), userIdStart, userIdEnd, summary);
        }
        return true;
    }

    /** How many UTF-16 units bytes[start, end) decode to. */
    private units(bytes: Buffer, start: number, end: number): number {
        // Counted from the bytes where the block is well-formed UTF-8; decoded otherwise (replacement characters).
        if (!this._utf8) return bytes.toString('utf8', start, end).length;
        let units = 0;
        for (let index = start; index < end; index++) {
            const code = bytes[index];
            if ((code & 0xc0) !== 0x80) units += code >= 0xf0 ? 2 : 1;
        }
        return units;
    }

    private static isAscii(bytes: Buffer, start: number, end: number): boolean {
        for (let index = start; index < end; index++) {
            if (bytes[index] >= 0x80) return false;
        }
        return true;
    }
}
