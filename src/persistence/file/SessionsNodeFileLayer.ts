import { promises as fs } from 'fs';

import { ISessionsFileHandle } from './ISessionsFileHandle';
import { ISessionsFileLayer } from './ISessionsFileLayer';

/** The file store's file layer in production: Node's fs, its FileHandle returned as it is. */
export class SessionsNodeFileLayer implements ISessionsFileLayer {
    public static readonly instance = new SessionsNodeFileLayer();

    public async open(filePath: string, flags: 'a+' | 'w'): Promise<ISessionsFileHandle> {
        return await fs.open(filePath, flags);
    }

    public async rename(from: string, to: string): Promise<void> {
        await fs.rename(from, to);
    }

    public async remove(filePath: string): Promise<void> {
        await fs.rm(filePath, { force: true });
    }

    /** A rename is durable only once its directory entry is on disk too. */
    public async syncDirectory(dir: string): Promise<void> {
        let handle: fs.FileHandle | null = null;
        try {
            handle = await fs.open(dir, 'r');
            await handle.sync();
        } catch {
            // Some file systems refuse fsync on directories; the rename itself is still atomic.
        } finally {
            await handle?.close();
        }
    }
}
