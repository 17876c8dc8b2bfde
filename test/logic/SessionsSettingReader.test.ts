import { expect } from 'chai';
import { ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsSettingReader } from '../../src/logic/SessionsSettingReader';

function reader(value: unknown): SessionsSettingReader {
    return new SessionsSettingReader(ConfigParams.fromTuples('key', value));
}

function refusal(read: () => unknown): { code?: string; message?: string; details?: Record<string, unknown> } {
    try {
        read();
    } catch (err) {
        return err as { code?: string; message?: string };
    }
    return expect.fail('expected a refusal');
}

describe('SessionsSettingReader', () => {
    it('reads whole numbers from numbers and strings, and gives the default when absent or empty', () => {
        expect(reader(1500).millis('key', 7)).to.equal(1500);
        expect(reader(' 1500 ').millis('key', 7)).to.equal(1500);
        expect(reader('').millis('key', 7)).to.equal(7);
        expect(new SessionsSettingReader(new ConfigParams()).millis('key', 7)).to.equal(7);
        expect(reader('0').millis('key', 7)).to.equal(0);
    });

    it('refuses words, fractions, negatives and values under the minimum, naming the key, the value and what is allowed', () => {
        for (const [value, read] of [
            ['abc', (r: SessionsSettingReader) => r.millis('key', 1)],
            ['-5', (r: SessionsSettingReader) => r.millis('key', 1)],
            ['1.5', (r: SessionsSettingReader) => r.count('key', 1)],
            ['0', (r: SessionsSettingReader) => r.bytes('key', 1)],
            ['0', (r: SessionsSettingReader) => r.count('key', 1, 1)],
            ['70000', (r: SessionsSettingReader) => r.port('key', 1)],
            ['0', (r: SessionsSettingReader) => r.remotePort('key', 1)],
            ['65536', (r: SessionsSettingReader) => r.remotePort('key', 1)],
            ['-0.5', (r: SessionsSettingReader) => r.number('key', 1, 0)],
            ['maybe', (r: SessionsSettingReader) => r.flag('key', true)],
            ['sometimes', (r: SessionsSettingReader) => r.oneOf('key', ['a', 'b'], 'a')]
        ] as Array<[string, (r: SessionsSettingReader) => unknown]>) {
            const err = refusal(() => read(reader(value)));
            expect(err.code, value).to.equal('BAD_SETTING');
            expect(err.message, value).to.match(new RegExp('^key is "' + value.replace('.', '\\.') + '": allowed is \\S'));
        }
    });

    it('reads flags in their usual spellings and choices without case', () => {
        for (const word of ['true', 'TRUE', 'yes', 'on', '1']) expect(reader(word).flag('key', false), word).to.equal(true);
        for (const word of ['false', 'no', 'off', '0']) expect(reader(word).flag('key', true), word).to.equal(false);
        expect(reader(' Reject ').oneOf('key', ['evict_oldest', 'reject'], 'evict_oldest')).to.equal('reject');
        expect(reader('0.25').number('key', 1, 0)).to.equal(0.25);
        expect(reader('65535').port('key', 1)).to.equal(65535);
        expect(reader('0').port('key', 1), 'a port to listen on: 0 is any free one').to.equal(0);
        expect(reader('1').remotePort('key', 6379)).to.equal(1);
    });
});
