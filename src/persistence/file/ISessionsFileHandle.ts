/**
 * The calls the file store makes on an open file: Node's own FileHandle has them all, so
 * the production path writes through it directly, with nothing in between.
 */
export interface ISessionsFileHandle {
    write(buffer: Buffer, offset?: number, length?: number): Promise<{ bytesWritten: number }>;
    write(data: string): Promise<{ bytesWritten: number }>;
    /** fdatasync: the data written so far is durable. */
    datasync(): Promise<void>;
    /** fsync: the data and the file's metadata are durable. */
    sync(): Promise<void>;
    truncate(length?: number): Promise<void>;
    stat(): Promise<{ size: number }>;
    close(): Promise<void>;
}
