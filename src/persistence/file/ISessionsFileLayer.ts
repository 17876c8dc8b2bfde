import { ISessionsFileHandle } from './ISessionsFileHandle';

/**
 * The file operations by which the file store makes its writes durable (opening files for
 * writing, fsync, rename, remove, fsync of a directory), so a test can run the store over a
 * layer that keeps only what was synced and "cut the power" (see SessionsFilePowerCut.test).
 * Reads go to Node's fs directly: they make nothing durable. Production uses
 * SessionsNodeFileLayer, which is Node's fs itself.
 */
export interface ISessionsFileLayer {
    /** flags: 'a+' (append, created if missing) or 'w' (created or emptied). */
    open(filePath: string, flags: 'a+' | 'w'): Promise<ISessionsFileHandle>;
    rename(from: string, to: string): Promise<void>;
    /** Removes a file; a missing one is no error. */
    remove(filePath: string): Promise<void>;
    /** fsync of a directory: the creates, renames and removes in it so far are durable. */
    syncDirectory(dir: string): Promise<void>;
}
