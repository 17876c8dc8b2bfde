import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';

/** A memory store whose sweep fails, as a store does when its database is down. */
export class FailingSweepPersistence extends SessionsMemoryPersistence {
    public sweeps = 0;

    public async closeExpired(): Promise<SessionV1[]> {
        this.sweeps++;
        throw new Error('database unreachable');
    }
}
