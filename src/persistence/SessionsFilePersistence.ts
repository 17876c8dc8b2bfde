import { ConfigParams, ConfigException } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../data/version1/SessionV1';
import { SessionChange } from './SessionChange';
import { SessionsJsonFile } from './SessionsJsonFile';
import { SessionsMemoryPersistence } from './SessionsMemoryPersistence';

/**
 * The memory store plus durability: reads the file on open, and every write resolves
 * only after the file on disk holds it.
 *
 * The file is a JSON array of sessions, the original's format, so a deployment of the
 * original can switch over keeping its sessions.
 *
 * Configuration: path (default ./data/sessions.json), options.max_page_size.
 */
export class SessionsFilePersistence extends SessionsMemoryPersistence {
    private _file: SessionsJsonFile;

    public constructor(filePath?: string) {
        super();
        this._file = new SessionsJsonFile(filePath ?? './data/sessions.json');
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        const filePath = config.getAsNullableString('path');
        if (filePath != null) {
            if (filePath.trim() === '') throw new ConfigException(undefined, 'NO_PATH', 'The file store needs a path');
            this._file = new SessionsJsonFile(filePath);
        }
    }

    public get path(): string {
        return this._file.path;
    }

    protected async loadAll(correlationId: string | null): Promise<SessionV1[]> {
        const sessions = await this._file.load();
        this._logger.info(correlationId ?? '', 'Loaded %d sessions from %s', sessions.length, this._file.path);
        return sessions;
    }

    protected async persistChanges(correlationId: string | null, changes: SessionChange[]): Promise<void> {
        await this._file.save(() => this.allSessions());
    }
}
