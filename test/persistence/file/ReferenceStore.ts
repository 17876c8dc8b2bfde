import { expect } from 'chai';
import { ConfigParams, FilterParams, PagingParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../../src/data/version1/SessionV1';
import { ISessionsPersistence } from '../../../src/persistence/ISessionsPersistence';
import { SessionsMemoryPersistence } from '../../../src/persistence/memory/SessionsMemoryPersistence';

/**
 * A memory store holding the same sessions as objects: what a file store that loaded them
 * as text must answer alike, to every read and after every write made to both.
 */
export class ReferenceStore {
    public static async holding(sessions: SessionV1[]): Promise<SessionsMemoryPersistence> {
        const reference = new SessionsMemoryPersistence();
        reference.configure(ConfigParams.fromTuples('options.max_page_size', 1000));
        await reference.open(null);
        for (const session of sessions) await reference.create(null, session);
        return reference;
    }

    /** Every session by id, and pages of listings by user (userId among them), activity and time, answered alike. */
    public static async expectSameAnswers(store: ISessionsPersistence, reference: ISessionsPersistence, sessions: SessionV1[],
        userId: string, when: string): Promise<void> {
        for (const session of sessions) {
            expect(await store.getOneById(null, session.id), when + ': ' + session.id)
                .to.deep.equal(await reference.getOneById(null, session.id));
        }
        const filters: Array<Record<string, unknown>> = [{}, { active: true }, { active: false }, { user_id: 'user3' },
            { user_id: userId }, { from_time: '2026-01-03T00:00:00.000Z', to_time: '2026-01-04T00:00:00.000Z' },
            { user_id: 'user1', active: true }, { id: 't42' }];
        for (const filter of filters) {
            for (const paging of [new PagingParams(0, 100, true), new PagingParams(30, 20, true)]) {
                const ours = await store.getPageByFilter(null, FilterParams.fromValue(filter), paging);
                const expected = await reference.getPageByFilter(null, FilterParams.fromValue(filter), paging);
                expect(ours.total, when + ': ' + JSON.stringify(filter)).to.equal(expected.total);
                expect(ours.data, when + ': ' + JSON.stringify(filter)).to.deep.equal(expected.data);
            }
        }
    }
}
