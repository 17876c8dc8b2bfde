import { createReadStream, promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';

import { FileException } from 'pip-services3-commons-nodex';

import { ISessionsFileHandle } from './ISessionsFileHandle';
import { ISessionsFileLayer } from './ISessionsFileLayer';
import { SessionsJournal } from './SessionsJournal';
import { SessionsNodeFileLayer } from './SessionsNodeFileLayer';
import { SessionsErrorCode } from '../../data/version1/SessionsErrorCatalogue';

const WORKER_KIND = 'service-sessions:snapshot-merge';
const ID_PREFIX = /^\{"id":"((?:[^"\\]|\\.)*)"/;
/** Bytes of output gathered before each write call. */
const WRITE_BATCH = 1024 * 1024;
/**
 * Bytes written between two fdatasyncs. Hundreds of megabytes left dirty for one fsync at
 * the end would be flushed in one burst, and the journal's fsyncs (which acknowledge
 * writes) would queue behind it.
 */
const SYNC_EVERY = 16 * 1024 * 1024;
/** Thrown inside merge() when a line turns out not to be one whole session. */
const NOT_ONE_PER_LINE = new Error('The snapshot is not one session per line');

interface MergeRequest {
    readonly kind: typeof WORKER_KIND;
    readonly snapshotPath: string;
    readonly journalPath: string;
}

/** sessions: how many the new snapshot holds, or null when the snapshot was left alone. */
type MergeReply = { readonly sessions: number | null } | { readonly error: string; readonly code?: string };

/**
 * Folds a journal into the snapshot file from the files alone: each snapshot line is
 * copied as it is unless the journal changed that session, and sessions the journal
 * added follow. It reads and writes files only, so it runs in a worker thread: with a
 * million sessions, serializing them all from memory took seconds of the request
 * thread and slowed every request while a compaction ran.
 *
 * The result is exactly what a restart would load (snapshot, then the journal replayed
 * over it), written the same crash-safe way (temporary file, fsync, rename). A snapshot
 * not in our one-session-per-line layout (the original's one-line file) is left alone
 * and reported, so the caller can write it from memory instead.
 */
export class SessionsSnapshotMerge {
    /** As merge(), in a worker thread of its own. */
    public static async inWorker(snapshotPath: string, journalPath: string): Promise<number | null> {
        const request: MergeRequest = { kind: WORKER_KIND, snapshotPath, journalPath };
        const worker = new Worker(__filename, { workerData: request });
        try {
            const reply = await new Promise<MergeReply>((resolve, reject) => {
                worker.once('message', resolve);
                worker.once('error', reject);
                worker.once('exit', code => reject(new Error('The snapshot merge worker stopped with code ' + code)));
            });
            if ('error' in reply) throw new FileException(undefined, reply.code ?? SessionsErrorCode.COMPACTION_FAILED, reply.error);
            return reply.sessions;
        } finally {
            await worker.terminate();
        }
    }

    /**
     * Writes snapshot + journal to the snapshot's path; returns how many sessions it
     * holds, or null (and nothing written) when the snapshot is not in the
     * one-session-per-line layout. On any failure the temporary file is removed. files: the
     * layer that writes (Node's fs; a test's, run in its thread, see ISessionsFileLayer).
     */
    public static async merge(snapshotPath: string, journalPath: string,
        files: ISessionsFileLayer = SessionsNodeFileLayer.instance): Promise<number | null> {
        const changed = await SessionsJournal.readLatest(journalPath);

        const temp = snapshotPath + '.tmp';
        let handle: ISessionsFileHandle | null = null;
        let output = '';
        let written = 0;
        let unsynced = 0;
        let sessions = 0;
        const emit = async (line: string): Promise<void> => {
            sessions++;
            output += (written > 0 || output !== '' ? ',\n' : '') + line;
            if (output.length >= WRITE_BATCH) await flush();
        };
        const flush = async (): Promise<void> => {
            if (handle == null) {
                await fs.mkdir(path.dirname(snapshotPath), { recursive: true });
                handle = await files.open(temp, 'w');
                await handle.write('[\n');
            }
            if (output === '') return;
            await handle.write(output);
            written += output.length;
            unsynced += output.length;
            output = '';
            if (unsynced >= SYNC_EVERY) {
                await handle.datasync();
                unsynced = 0;
            }
        };

        try {
            const copied = await SessionsSnapshotMerge.eachSnapshotLine(snapshotPath, async line => {
                const id = SessionsSnapshotMerge.idOf(line);
                const change = changed.get(id);
                if (change === undefined) return await emit(line);
                changed.delete(id);
                if (change !== null) await emit(change);
            });
            if (!copied) return null;
            for (const line of changed.values()) {
                if (line !== null) await emit(line);
            }
            await flush();
            const finished: ISessionsFileHandle = handle!;
            await finished.write('\n]\n');
            await finished.sync();
            handle = null;
            await finished.close();
            await files.rename(temp, snapshotPath);
        } catch (err) {
            await (handle as ISessionsFileHandle | null)?.close().catch(() => undefined);
            handle = null;
            await files.remove(temp).catch(() => undefined);
            if (err === NOT_ONE_PER_LINE) return null;
            throw err;
        }
        await files.syncDirectory(path.dirname(snapshotPath));
        return sessions;
    }

    /**
     * Calls take for each session line of the snapshot (without its trailing comma);
     * false if the file is laid out otherwise. A missing file has no lines.
     */
    private static async eachSnapshotLine(filePath: string, take: (line: string) => Promise<void>): Promise<boolean> {
        const stream = createReadStream(filePath, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
        let pending = '';
        let first = true;
        let closed = false;
        const takeLine = async (line: string): Promise<void> => {
            if (line === '') return;
            if (closed) throw SessionsSnapshotMerge.cutShort(filePath);
            if (line === ']') {
                closed = true;
                return;
            }
            await take(line.endsWith(',') ? line.slice(0, -1) : line);
        };
        try {
            for await (const chunk of stream) {
                let text = pending + (chunk as string);
                if (first) {
                    if (text.length < 2) {
                        pending = text;
                        continue;
                    }
                    if (!text.startsWith('[\n')) return false;
                    text = text.slice(2);
                    first = false;
                }
                let start = 0;
                let end = text.indexOf('\n');
                while (end >= 0) {
                    await takeLine(text.slice(start, end));
                    start = end + 1;
                    end = text.indexOf('\n', start);
                }
                pending = text.slice(start);
            }
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
            throw err;
        } finally {
            stream.destroy();
        }
        if (first && pending !== '') return false;
        if (pending !== '') await takeLine(pending);
        // Folding a snapshot that lost its end would make the loss permanent.
        if (!first && !closed) throw SessionsSnapshotMerge.cutShort(filePath);
        return true;
    }

    private static cutShort(filePath: string): FileException {
        return new FileException(undefined, SessionsErrorCode.CORRUPT_FILE, 'The sessions file ' + filePath + ' is cut short or has text after its end');
    }

    /** The id of a session line: read from its start when id comes first (as we write it), else parsed. */
    private static idOf(line: string): string {
        const match = ID_PREFIX.exec(line);
        if (match != null) return match[1].includes('\\') ? JSON.parse('"' + match[1] + '"') as string : match[1];
        let session: { id?: unknown } | null;
        try {
            session = JSON.parse(line) as { id?: unknown } | null;
        } catch {
            throw NOT_ONE_PER_LINE;
        }
        if (typeof session?.id !== 'string') throw NOT_ONE_PER_LINE;
        return session.id;
    }
}

if (!isMainThread && parentPort != null && (workerData as MergeRequest | null)?.kind === WORKER_KIND) {
    const request = workerData as MergeRequest;
    const port = parentPort;
    // On Linux a priority belongs to a thread, so this lowers the merge alone: requests
    // (and anything else on the machine) come first.
    try {
        os.setPriority(os.constants.priority.PRIORITY_LOW);
    } catch {
        // Not allowed here (some containers): the merge runs at normal priority.
    }
    SessionsSnapshotMerge.merge(request.snapshotPath, request.journalPath).then(
        sessions => port.postMessage({ sessions } satisfies MergeReply),
        (err: unknown) => port.postMessage({
            error: err instanceof Error ? err.message : String(err),
            code: (err as { code?: unknown }).code === SessionsErrorCode.CORRUPT_FILE || (err as { code?: unknown }).code === SessionsErrorCode.CORRUPT_JOURNAL
                ? (err as { code: string }).code : undefined
        } satisfies MergeReply)
    );
}
