import { createReadStream, promises as fs } from 'fs';
import * as path from 'path';

import { FileException } from 'pip-services3-commons-nodex';

import { SessionV1Json } from '../../data/version1/SessionV1Json';
import { ISessionsFileLayer } from './ISessionsFileLayer';
import { SessionsNodeFileLayer } from './SessionsNodeFileLayer';
import { StoredSession } from '../memory/StoredSession';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

/** Sessions serialized per write call: large enough to be fast, small enough to keep memory flat. */
const BATCH = 2000;

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
     * see SessionText); those of a file read whole come back parsed.
     */
    public async load(): Promise<StoredSession[]> {
        try {
            const byLine = await this.loadByLine();
            if (byLine != null) return byLine;
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw new FileException(undefined, SessionsErrorCode.READ_FAILED, 'Cannot read the sessions file ' + this.path).wrap(err);
        }
        return await this.loadWhole();
    }

    /**
     * Reads a snapshot in our one-session-per-line layout; null if the file is laid out
     * otherwise (the caller then reads it whole, which also reports real syntax errors).
     */
    private async loadByLine(): Promise<StoredSession[] | null> {
        const sessions: string[] = [];
        let pending = '';
        let lineNumber = 0;
        let layoutMatches = true;
        let closed = false;
        const stream = createReadStream(this.path, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
        const takeLine = (line: string): void => {
            lineNumber++;
            if (lineNumber === 1) {
                layoutMatches = line === '[';
                return;
            }
            if (line === '') return;
            // Nothing may follow the closing bracket; JSON.parse (loadWhole) says what is wrong.
            if (closed) {
                layoutMatches = false;
                return;
            }
            if (line === ']') {
                closed = true;
                return;
            }
            if (line.charCodeAt(0) !== 123) {
                layoutMatches = false;
                return;
            }
            sessions.push(line.endsWith(',') ? line.slice(0, -1) : line);
        };
        try {
            for await (const chunk of stream) {
                // Decided on the first bytes, so a one-line file is not held twice.
                if (lineNumber === 0 && pending === '' && !(chunk as string).startsWith('[\n')) return null;
                let start = 0;
                let end = (chunk as string).indexOf('\n');
                while (end >= 0) {
                    takeLine(pending + (chunk as string).slice(start, end));
                    pending = '';
                    if (!layoutMatches) return null;
                    start = end + 1;
                    end = (chunk as string).indexOf('\n', start);
                }
                pending += (chunk as string).slice(start);
            }
            if (pending !== '') takeLine(pending);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
            return null;
        } finally {
            stream.destroy();
        }
        // A file cut short at a line boundary lacks its closing bracket: read whole, it fails to parse.
        return layoutMatches && closed ? sessions : null;
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
                    const batch = sessions.slice(start, start + BATCH).map(session => typeof session === 'string' ? session : JSON.stringify(session)).join(',\n');
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
