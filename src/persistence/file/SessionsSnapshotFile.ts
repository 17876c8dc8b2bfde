import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'fs';
import * as path from 'path';

import { FileException } from 'pip-services3-commons-nodex';

import { SessionV1Json } from '../../data/version1/SessionV1Json';
import { SessionsJsonText } from '../../logic/SessionsJsonText';
import { ISessionsFileLayer } from './ISessionsFileLayer';
import { LoadedSummaries } from '../memory/LoadedSummaries';
import { SessionsNodeFileLayer } from './SessionsNodeFileLayer';
import { SessionsSnapshotLines } from './SessionsSnapshotLines';
import { StoredSession } from '../memory/StoredSession';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** Sessions serialized per write call: large enough to be fast, small enough to keep memory flat. */
const BATCH = 2000;
/**
 * Bytes read at a time when loading, each block's lines decoded as one string: just under
 * the size from which Node makes a decoded string external (about 1 MB), as a string held
 * outside the heap counts as external memory, and every 64 MB of that started a full
 * collection (five of them over a million sessions, a sixth of the load).
 */
const READ_SIZE = 1000 * 1000;
const NEWLINE = 10;
const OPEN_BRACKET = 91;

/**
 * The snapshot of the file store: a JSON array of sessions in the original's format,
 * so the original (and anything that reads its file) can still read it.
 *
 * A write goes to a temporary file that is fsynced and renamed over the old one, so a
 * crash leaves the old or the new snapshot, never a torn one. It is written in batches,
 * yielding between them, so a million sessions neither block requests nor need one
 * giant string; and with one session per line, so that loading can parse line by line
 * instead of holding the whole text and all sessions in memory at once. Any other JSON
 * array (the original writes one line) is read whole.
 */
export class SessionsSnapshotFile {
    public readonly path: string;
    private readonly _files: ISessionsFileLayer;

    public constructor(filePath: string, files: ISessionsFileLayer = SessionsNodeFileLayer.instance) {
        this.path = path.resolve(filePath);
        this._files = files;
    }

    /**
     * A missing file is an empty store; an unreadable one is an error, never overwritten.
     * Sessions in our line layout come back as their text (the store reads them lazily,
     * see SessionText), and summaries, if given, gets their index fields in the same order;
     * those of a file read whole come back parsed (summaries left empty).
     */
    public async load(summaries: LoadedSummaries | null = null): Promise<StoredSession[]> {
        try {
            const byLine = await this.loadByLine(summaries);
            if (byLine != null) return byLine;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw new FileException(undefined, SessionsErrorCode.READ_FAILED, 'Cannot read the sessions file ' + this.path).wrap(err);
        }
        summaries?.clear();
        return await this.loadWhole();
    }

    /**
     * Reads a snapshot in our one-session-per-line layout; null if the file is laid out
     * otherwise (the caller then reads it whole, which also reports real syntax errors).
     * Read in large blocks into one buffer, cut into lines there (see SessionsSnapshotLines).
     */
    private async loadByLine(summaries: LoadedSummaries | null): Promise<StoredSession[] | null> {
        let fd = -1;
        try {
            // Read synchronously: the load keeps this thread busy anyway, and each await of a
            // read on a busy machine waited for the thread pool to be scheduled.
            fd = openSync(this.path, 'r');
            const fileBytes = fstatSync(fd).size;
            const lines = new SessionsSnapshotLines(summaries, fileBytes);
            let buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, fileBytes + 1));
            let filled = 0;
            let started = false;
            for (;;) {
                // A line longer than the buffer: it grows.
                if (filled === buffer.length) {
                    const larger = Buffer.allocUnsafe(buffer.length * 2);
                    buffer.copy(larger, 0, 0, filled);
                    buffer = larger;
                }
                const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, null);
                filled += bytesRead;
                const ended = bytesRead === 0;
                if (!started) {
                    if (filled < 2 && !ended) continue;
                    // Decided on the first bytes, so a one-line file is not held twice.
                    if (filled > 0 && (buffer[0] !== OPEN_BRACKET || buffer[1] !== NEWLINE)) return null;
                    started = true;
                }
                const whole = ended ? filled : buffer.lastIndexOf(NEWLINE, filled - 1) + 1;
                if (whole > 0) {
                    if (!lines.take(buffer, whole)) return null;
                    buffer.copy(buffer, 0, whole, filled);
                    filled -= whole;
                }
                if (ended) break;
            }
            // A file cut short at a line boundary lacks its closing bracket: read whole, it fails to parse.
            return lines.closed ? lines.sessions : null;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
            return null;
        } finally {
            if (fd >= 0) closeSync(fd);
        }
    }

    private async loadWhole(): Promise<StoredSession[]> {
        let text: string;
        try {
            text = await fs.readFile(this.path, 'utf8');
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw new FileException(undefined, SessionsErrorCode.READ_FAILED, 'Cannot read the sessions file ' + this.path).wrap(err);
        }
        if (text.trim() === '') return [];

        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch (err) {
            throw new FileException(undefined, SessionsErrorCode.CORRUPT_FILE, 'The sessions file ' + this.path + ' is not valid JSON');
        }
        if (!Array.isArray(parsed)) {
            throw new FileException(undefined, SessionsErrorCode.CORRUPT_FILE, 'The sessions file ' + this.path + ' does not hold a JSON array');
        }
        try {
            return parsed.map(item => SessionV1Json.toSession(item));
        } catch (err) {
            throw new FileException(undefined, SessionsErrorCode.CORRUPT_FILE,
                'The sessions file ' + this.path + ' holds an invalid session: ' + (err as Error).message);
        }
    }

    /**
     * Replaces the snapshot with the given sessions (a text as it is); resolves once the
     * new file is durable. On failure (a full disk, say) the old snapshot stays and the
     * temporary file is removed.
     */
    public async write(sessions: readonly StoredSession[]): Promise<void> {
        const temp = this.path + '.tmp';
        await fs.mkdir(path.dirname(this.path), { recursive: true });
        try {
            const handle = await this._files.open(temp, 'w');
            try {
                await handle.write('[\n');
                for (let start = 0; start < sessions.length; start += BATCH) {
                    const batch = sessions.slice(start, start + BATCH).map(session => typeof session === 'string' ? session : SessionsJsonText.stringify(session)).join(',\n');
                    await handle.write(start === 0 ? batch : ',\n' + batch);
                }
                await handle.write('\n]\n');
                await handle.sync();
            } finally {
                await handle.close();
            }
            await this._files.rename(temp, this.path);
        } catch (err) {
            await this._files.remove(temp).catch(() => undefined);
            throw err;
        }
        await this._files.syncDirectory(path.dirname(this.path));
    }

    /** The snapshot's size in bytes; 0 when there is none. */
    public async size(): Promise<number> {
        return await fs.stat(this.path).then(stat => stat.size, () => 0);
    }
}
