import { expect } from 'chai';
import { FilterParams } from 'pip-services3-commons-nodex';

import { SessionsFilter } from '../../src/persistence/SessionsFilter';

describe('SessionsFilter', () => {
    /** A FilterParams holding the values as given, as an in-process caller may build it. */
    function raw(values: Record<string, unknown>): FilterParams {
        const filter = new FilterParams();
        for (const [key, value] of Object.entries(values)) (filter as unknown as Record<string, unknown>)[key] = value;
        return filter;
    }

    it('reads the string forms FilterParams carries, and JSON booleans for active', () => {
        const filter = SessionsFilter.fromParams(FilterParams.fromTuples('id', 's1', 'user_id', 'u1', 'active', true,
            'from_time', '2024-01-01T00:00:00.000Z', 'to_time', '2024-02-01T00:00:00Z', 'client', 'web', 'address', '10.0.0.1',
            'close_reason', 'logout'));
        expect(filter).to.deep.include({ id: 's1', userId: 'u1', active: true, client: 'web', address: '10.0.0.1', closeReason: 'logout' });
        expect(filter.fromTime!.toISOString()).to.equal('2024-01-01T00:00:00.000Z');
        expect(filter.toTime!.toISOString()).to.equal('2024-02-01T00:00:00.000Z');
        expect(SessionsFilter.fromParams(raw({ active: false })).active).to.equal(false);
        expect(SessionsFilter.fromParams(FilterParams.fromTuples('active', 'false')).active).to.equal(false);
        expect(SessionsFilter.fromParams(raw({ user_id: '', active: '', from_time: null }))).to.deep.include(
            { userId: null, active: null, fromTime: null });
    });

    it('refuses values of the wrong type by the same rules as the commands, naming the field', () => {
        for (const [key, value] of [['client', { toString: 1 }], ['user_id', ['u1']], ['id', true], ['address', 1],
            ['active', {}], ['active', 1], ['from_time', false], ['to_time', 0], ['close_reason', {}]] as Array<[string, unknown]>) {
            const what = key + ': ' + JSON.stringify(value);
            expect(SessionsFilter.problem(key, value), what).to.match(/^must be .+, not an? /);
            try {
                SessionsFilter.fromParams(raw({ [key]: value }));
                expect.fail(what + ' must be refused');
            } catch (err) {
                expect(err, what).to.deep.include({ status: 400, code: 'INVALID_DATA', details: { field: 'filter.' + key } });
            }
        }
        expect(SessionsFilter.problem('active', 'maybe')).to.equal('must be true or false');
        expect(SessionsFilter.problem('from_time', 'yesterday')).to.equal('must be a date (ISO 8601)');
        expect(SessionsFilter.problem('not_a_field', [])).to.equal(null);
        expect(SessionsFilter.Fields).to.deep.equal(['id', 'user_id', 'active', 'from_time', 'to_time', 'client', 'address', 'close_reason']);
    });
});
