import { expect } from 'chai';
import { ConfigParams, FilterParams } from 'pip-services3-commons-nodex';

import { SessionV1 } from '../../src/data/version1/SessionV1';
import { SessionsFilter } from '../../src/persistence/SessionsFilter';
import { SessionsMemoryPersistence } from '../../src/persistence/SessionsMemoryPersistence';
import { makeSession, SessionsPersistenceFixture } from './SessionsPersistenceFixture';

describe('SessionsMemoryPersistence', () => {
    let persistence: SessionsMemoryPersistence;

    beforeEach(async () => {
        persistence = new SessionsMemoryPersistence();
        persistence.configure(new ConfigParams());
        await persistence.open(null);
    });

    afterEach(async () => {
        await persistence.close(null);
    });

    SessionsPersistenceFixture.describeSharedBehaviour(() => persistence);

    describe('indexes', () => {
        it('answers by id and by user_id without looking at other sessions', async () => {
            for (let index = 0; index < 5000; index++) {
                await persistence.create(null, makeSession('s' + index, 'user' + (index % 1000), index / 60));
            }

            let examined = 0;
            const original = SessionsFilter.prototype.matches;
            SessionsFilter.prototype.matches = function (this: SessionsFilter, item: SessionV1): boolean {
                examined++;
                return original.call(this, item);
            };
            try {
                const byUser = await persistence.getPageByFilter(null, FilterParams.fromTuples('user_id', 'user7'), null);
                expect(byUser.data.map(item => item.id)).to.deep.equal(['s4007', 's3007', 's2007', 's1007', 's7']);
                expect(examined, 'sessions examined for one user').to.equal(5);

                examined = 0;
                const byId = await persistence.getPageByFilter(null, FilterParams.fromTuples('id', 's4242'), null);
                expect(byId.data.map(item => item.id)).to.deep.equal(['s4242']);
                expect(examined, 'sessions examined for one id').to.equal(1);

                examined = 0;
                await persistence.getPageByFilter(null, null, null);
                expect(examined, 'an unfiltered listing does look at all').to.equal(5000);
            } finally {
                SessionsFilter.prototype.matches = original;
            }
        });
    });
});
