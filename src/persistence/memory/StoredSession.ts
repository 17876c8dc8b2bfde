import { SessionV1 } from '../../data/version1/SessionV1';

/**
 * A session as the memory store holds it: an object, or the JSON text it was loaded
 * from, parsed only when it is read or written (see SessionText).
 */
export type StoredSession = SessionV1 | string;
