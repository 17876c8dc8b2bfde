import { promises as fs } from 'fs';
import * as path from 'path';

import { FileException } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { SessionV1Json } from '../data/version1/SessionV1Json';

/**
 * A JSON array of sessions on disk, in the original's format, replaced atomically.
 *
 * Each save writes a temporary file, fsyncs it and renames it over the old one, so a
 * crash leaves either the old or the new file, never a torn one. Saves requested while
 * one is running are coalesced into a single next write, and every caller's promise
 * resolves only after a write that started after its request has reached the disk.
 */
export class SessionsJsonFile {
    private readonly _path: string;
    private _writing: Promise<void> | null = null;
    private _next: Promise<void> | null = null;

    public constructor(filePath: string) {
        this._path = path.resolve(filePath);
    }

    public get path(): string {
        return this._path;
    }

    /** A missing file is an empty store; an unreadable one is an error, never overwritten. */
    public async load(): Promise<SessionV1[]> {
        let text: string;
        try {
            text = await fs.readFile(this._path, 'utf8');
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw new FileException(undefined, 'READ_FAILED', 'Cannot read the sessions file ' + this._path).wrap(err);
        }
        if (text.trim() === '') return [];

        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch (err) {
            throw new FileException(undefined, 'CORRUPT_FILE', 'The sessions file ' + this._path + ' is not valid JSON');
        }
        if (!Array.isArray(parsed)) {
            throw new FileException(undefined, 'CORRUPT_FILE', 'The sessions file ' + this._path + ' does not hold a JSON array');
        }
        try {
            return parsed.map(item => SessionV1Json.toSession(item));
        } catch (err) {
            throw new FileException(undefined, 'CORRUPT_FILE',
                'The sessions file ' + this._path + ' holds an invalid session: ' + (err as Error).message);
        }
    }

    /** Writes the sessions that snapshot() returns once the current write (if any) is done. */
    public save(snapshot: () => Iterable<SessionV1>): Promise<void> {
        if (this._next != null) return this._next;
        const previous = this._writing ?? Promise.resolve();
        const next = previous
            .catch(() => { /* the failed write was reported to its own callers */ })
            .then(() => {
                // From here on, new requests must wait for a write that starts later.
                this._next = null;
                this._writing = next;
                return this.write(snapshot());
            })
            .finally(() => {
                if (this._writing === next) this._writing = null;
            });
        this._next = next;
        return next;
    }

    private async write(sessions: Iterable<SessionV1>): Promise<void> {
        const text = JSON.stringify(Array.from(sessions));
        const temp = this._path + '.tmp';
        await fs.mkdir(path.dirname(this._path), { recursive: true });
        const handle = await fs.open(temp, 'w');
        try {
            await handle.writeFile(text, 'utf8');
            await handle.sync();
        } finally {
            await handle.close();
        }
        await fs.rename(temp, this._path);
        await this.syncDirectory();
    }

    // The rename is durable only once the directory entry is on disk too.
    private async syncDirectory(): Promise<void> {
        let dir: fs.FileHandle | null = null;
        try {
            dir = await fs.open(path.dirname(this._path), 'r');
            await dir.sync();
        } catch {
            // Some file systems refuse fsync on directories; the rename itself is still atomic.
        } finally {
            await dir?.close();
        }
    }
}
