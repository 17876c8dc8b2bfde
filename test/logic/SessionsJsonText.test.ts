import { expect } from 'chai';
import { DataPage } from 'pip-services3-commons-nodex';

import { SessionsJsonText } from '../../src/logic/SessionsJsonText';

describe('SessionsJsonText', () => {
    it('writes every date as Date.toJSON does: around day and year boundaries, before 1970, past 9999, invalid', () => {
        const times = [0, 1, 999, 1000, 59999, 86399999, 86400000, Date.UTC(2026, 11, 4, 23, 59, 59, 999),
            Date.UTC(2026, 11, 5), Date.UTC(2024, 1, 29, 12, 0, 0, 5), Date.UTC(9999, 11, 31, 23, 59, 59, 999),
            Date.UTC(10000, 0, 1), -1, -86400001, NaN];
        for (let index = 0; index < 2000; index++) times.push(Math.floor(Math.random() * 4102444800000));
        for (const time of times) {
            const date = new Date(time);
            expect(SessionsJsonText.dateText(date), String(time)).to.equal(date.toJSON());
        }
    });

    it('writes the text JSON.stringify writes, for sessions, pages, lists and what they may hold', () => {
        const session = {
            id: 'a'.repeat(32), user_id: 'u1', active: false, open_time: new Date(1000), request_time: new Date(),
            close_time: new Date(NaN), close_reason: 'logout', expires_at: null, skipped: undefined,
            user: { id: 'u1', at: new Date(5) }, data: [new Date(7), { when: new Date(9), list: [new Date(11)] }, 'x']
        };
        const withKey = JSON.parse('{"__proto__": {"polluted": true}, "id": "b"}') as Record<string, unknown>;
        class WithToJson {
            public toJSON(): string {
                return 'custom';
            }
        }
        const values: unknown[] = [
            session, new DataPage([session, session], 2), { closed: [session], count: 1 }, [session],
            withKey, { nested: withKey }, { boxed: new String('s'), custom: new WithToJson(), map: new Map([[1, 2]]) },
            new Date(3), null, 'text', 42, { empty: {} }
        ];
        for (const value of values) expect(SessionsJsonText.stringify(value)).to.equal(JSON.stringify(value));
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('writes a command\'s reply (stringifyOwned) as JSON.stringify does, its own dates in place, nothing inside it changed', () => {
        const user = { id: 'u1', at: new Date(5), list: [new Date(6)] };
        const data = [new Date(7), { when: new Date(9) }];
        const now = Date.now();
        const session = (): Record<string, unknown> => ({
            id: 'a'.repeat(32), user_id: 'u1', active: true, open_time: new Date(1000), request_time: new Date(now),
            close_time: null, expires_at: new Date(now + 86400000), skipped: undefined, user, data
        });
        const withKey = (): Record<string, unknown> => {
            const reply = JSON.parse('{"__proto__": {"polluted": true}, "id": "b"}') as Record<string, unknown>;
            Object.defineProperty(reply, '__proto__', { value: new Date(3), enumerable: true, writable: true, configurable: true });
            return reply;
        };
        const replies: Array<() => unknown> = [
            session, () => new DataPage([session(), session()], 2), () => new DataPage([session()]), () => ({ closed: 2 }),
            withKey, () => [session()], () => 'text', () => null
        ];
        for (const reply of replies) expect(SessionsJsonText.stringifyOwned(reply())).to.equal(JSON.stringify(reply()));
        expect(user.at).to.be.instanceOf(Date);
        expect(user.list[0]).to.be.instanceOf(Date);
        expect(data[0]).to.be.instanceOf(Date);
        expect((data[1] as { when: unknown }).when).to.be.instanceOf(Date);
        expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });
});
