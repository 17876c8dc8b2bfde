/** One file as the disk holds it: what was written to it, and what the last fsync made durable. */
export interface PowerCutInode {
    live: Buffer;
    durable: Buffer;
}
