import { AnyValueMap } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsMemoryPersistence } from '../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionLiveness } from '../../src/rules/SessionLiveness';

/** A memory store that counts the writes it is asked for. */
export class CountingPersistence extends SessionsMemoryPersistence {
    public writes = 0;

    public async updatePartially(correlationId: string | null, id: string, data: AnyValueMap,
        condition?: SessionLiveness): Promise<SessionV1 | null> {
        this.writes++;
        return await super.updatePartially(correlationId, id, data, condition);
    }
}
