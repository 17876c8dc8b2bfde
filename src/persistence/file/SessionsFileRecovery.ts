import { promises as fs } from 'fs';

import { ILogger } from 'pip-services3-components-nodex';

import { SessionV1 } from '../../data/version1/SessionV1';
import { SessionV1Json } from '../../data/version1/SessionV1Json';
import { JournalContents, SessionsJournal } from './SessionsJournal';
import { SessionsSnapshotFile } from './SessionsSnapshotFile';

/**
 * The file store's explicit recovery (options.recover, FILE_RECOVER=true): loads what can
 * be read of a damaged snapshot or journal instead of refusing to start, and first copies
 * each damaged file aside (`<file>.damaged-<time>`), so nothing is lost that a person
 * could still read. Every session of the snapshot is parsed in full here (slower than a
 * normal start), so a damaged line is found now rather than when it is requested.
 */
export class SessionsFileRecovery {
    /** True once anything damaged was found (and left out). */
    public found = false;
    private readonly _stamp = new Date().toISOString().replace(/[:.]/g, '-');

    public constructor(private readonly _snapshotPath: string, private readonly _logger: ILogger,
        private readonly _correlationId: string | null) {
    }

    /** Every session of the snapshot that reads, as an object. */
    public async loadSnapshot(snapshot: SessionsSnapshotFile): Promise<SessionV1[]> {
        let text: string;
        try {
            text = await fs.readFile(snapshot.path, 'utf8');
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw err;
        }
        const sessions: SessionV1[] = [];
        let bad = 0;
        const take = (value: unknown): void => {
            try {
                sessions.push(SessionV1Json.toSession(value));
            } catch {
                bad++;
            }
        };
        const whole = SessionsFileRecovery.parse(text);
        if (Array.isArray(whole)) {
            whole.forEach(take);
        } else if (text.trim() !== '') {
            // Not one JSON array any more: read it line by line, as we write it.
            bad++;
            for (const line of text.split('\n')) {
                if (!line.startsWith('{')) continue;
                const value = SessionsFileRecovery.parse(line.endsWith(',') ? line.slice(0, -1) : line);
                if (value === undefined) bad++;
                else take(value);
            }
        }
        if (bad > 0) await this.keepAside(this._snapshotPath, 'the sessions file has ' + bad + ' part(s) that cannot be read');
        return sessions;
    }

    /** Every record of a journal that reads and checks. */
    public async readJournal(filePath: string): Promise<JournalContents> {
        const damagedLines: number[] = [];
        const contents = await SessionsJournal.read(filePath, lineNumber => damagedLines.push(lineNumber));
        if (damagedLines.length > 0) {
            await this.keepAside(filePath, 'the journal has ' + damagedLines.length + ' damaged record(s), at line(s) '
                + damagedLines.slice(0, 10).join(', ') + (damagedLines.length > 10 ? ', ...' : ''));
        }
        return contents;
    }

    /** Damage found by the store itself (a snapshot that does not match its journal). */
    public async damaged(reason: string): Promise<void> {
        await this.keepAside(this._snapshotPath, reason);
    }

    private async keepAside(filePath: string, reason: string): Promise<void> {
        this.found = true;
        const aside = filePath + '.damaged-' + this._stamp;
        await fs.copyFile(filePath, aside);
        this._logger.warn(this._correlationId ?? '', 'Recovering: %s; what can be read is loaded, the file is kept as %s', reason, aside);
    }

    private static parse(text: string): unknown {
        try {
            return JSON.parse(text) as unknown;
        } catch {
            return undefined;
        }
    }
}
