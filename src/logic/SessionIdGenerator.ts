import { randomFillSync } from 'crypto';

const ID_BYTES = 16;
const IDS_PER_FILL = 256;

/**
 * Session ids: 128 bits from the operating system's cryptographic source, as 32
 * lowercase hex characters.
 *
 * The bytes are drawn 256 ids at a time (as Node's own randomUUID caches them), because
 * one system call per id was a measurable share of open_session's cost.
 */
export class SessionIdGenerator {
    private static readonly _pool = Buffer.alloc(ID_BYTES * IDS_PER_FILL);
    private static _offset = SessionIdGenerator._pool.length;

    public static next(): string {
        if (SessionIdGenerator._offset >= SessionIdGenerator._pool.length) {
            randomFillSync(SessionIdGenerator._pool);
            SessionIdGenerator._offset = 0;
        }
        const start = SessionIdGenerator._offset;
        SessionIdGenerator._offset += ID_BYTES;
        return SessionIdGenerator._pool.toString('hex', start, start + ID_BYTES);
    }
}
