import { expect } from 'chai';

import { SessionsJsonParser } from '../../src/services/SessionsJsonParser';

describe('SessionsJsonParser', () => {
    function refusal(text: string): unknown {
        try {
            SessionsJsonParser.parse(text);
        } catch (err) {
            return err;
        }
        throw new Error('parsed: ' + text);
    }

    it('parses JSON text, keeping keys that only look like prototype keys', () => {
        expect(SessionsJsonParser.parse('{"a":[1,{"constructor":"x"}],"prototype":2}')).to.deep.equal({ a: [1, { constructor: 'x' }], prototype: 2 });
    });

    it('refuses __proto__ and constructor.prototype keys, and says that is why', () => {
        for (const text of ['{"__proto__":{"admin":true}}', '{"a":{"constructor":{"prototype":{}}}}', '{"\\u005f_proto__":{"admin":true}}',
            '{"\\u0063onstructor":{"prototype":{}}}']) {
            expect(SessionsJsonParser.isForbiddenKey(refusal(text)), text).to.equal(true);
        }
    });

    it('parses text with a leading byte order mark as without it', () => {
        expect(SessionsJsonParser.parse('\uFEFF{"a":1}')).to.deep.equal({ a: 1 });
    });

    it('tells invalid text from a forbidden key, even when the text names one', () => {
        for (const text of ['{"a":', 'constructor', '__proto__', '{"prototype": constructor}']) {
            expect(SessionsJsonParser.isForbiddenKey(refusal(text)), text).to.equal(false);
        }
    });
});
