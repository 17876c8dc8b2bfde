import * as fc from 'fast-check';

import { JsonText } from './JsonText';

/** One generated call: its category (for the tally), the command name and its arguments as JSON text. */
export interface ArgumentsCase {
    readonly category: string;
    readonly command: string;
    /** The arguments object as JSON text; for category non-json, text that is not a JSON object. */
    readonly argsText: string;
}

type Entry = readonly [string, string];

/** Every command of the API and the arguments it takes (README, SessionsCommandSet). */
export const COMMAND_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
    get_sessions: ['filter', 'paging'],
    get_session_by_id: ['session_id'],
    open_session: ['user_id', 'user_name', 'address', 'client', 'user', 'data'],
    store_session_data: ['session_id', 'data'],
    update_session_user: ['session_id', 'user'],
    close_session: ['session_id'],
    close_expired_sessions: [],
    delete_session_by_id: ['session_id']
};

export const COMMANDS = Object.keys(COMMAND_ARGUMENTS);

const REQUIRED_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
    get_session_by_id: ['session_id'],
    open_session: ['user_id'],
    store_session_data: ['session_id', 'data'],
    update_session_user: ['session_id', 'user'],
    close_session: ['session_id'],
    delete_session_by_id: ['session_id']
};

/** Keys that reach Object.prototype when an object is merged or assigned carelessly. */
const PROTO_KEYS = ['"__proto__"', '"constructor"', '"prototype"', '"\\u005f_proto__"', '"__proto\\u005f_"'];
/** Names of members of the toolkit's argument maps (Parameters, AnyValueMap) and of Object.prototype. */
export const MEMBER_KEYS = ['get', 'put', 'remove', 'append', 'clear', 'getAsString', 'getAsNullableString', 'getAsObject',
    'setAsObject', 'getAsInteger', 'getAsBoolean', 'getKeys', 'clone', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
    'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupGetter__', 'length', 'constructor'];

/** What a polluted prototype would hold: names the service reads, so pollution would show in its replies. */
const POLLUTION = JsonText.object([
    ['polluted', '"yes"'], ['user_name', '"polluted"'], ['address', '"polluted"'], ['client', '"polluted"'],
    ['data', '"polluted"'], ['user', '"polluted"'], ['active', 'false'], ['isAdmin', 'true']
]);

const LEGAL_BODY_LIMIT = 1024 * 1024;
const HUGE_INTEGER = BigInt('1' + '0'.repeat(30));

/**
 * fast-check generators of bad arguments for every command, shared by the HTTP and the
 * Seneca runs. Most start from a valid call (a real session id from `liveIds`, so a
 * mistake that slipped through validation would reach a real session) and break one
 * thing in it.
 */
export class BadArguments {
    private readonly _liveIds: () => readonly string[];
    private readonly _validEntries = new Map<string, fc.Arbitrary<Entry[]>>();

    private readonly _memberKeys: readonly string[];

    /**
     * liveIds: the ids of sessions in the store now (read at generation time);
     * memberKeys: the member names to use as argument names (member-keys category).
     */
    public constructor(liveIds: () => readonly string[], memberKeys: readonly string[] = MEMBER_KEYS) {
        this._liveIds = liveIds;
        this._memberKeys = memberKeys;
    }

    /** Every argument-level category, weighted so the expensive ones (1 MB, 10,000 deep) stay a small share. */
    public any(): fc.Arbitrary<ArgumentsCase> {
        return fc.oneof(
            { arbitrary: this.missing(), weight: 10 },
            { arbitrary: this.wrongType(), weight: 16 },
            { arbitrary: this.nullOrEmpty(), weight: 10 },
            { arbitrary: this.hugeString(), weight: 2 },
            { arbitrary: this.deepNesting(), weight: 3 },
            { arbitrary: this.protoKeys(), weight: 10 },
            { arbitrary: this.memberKeys(), weight: 6 },
            { arbitrary: this.badDates(), weight: 10 },
            { arbitrary: this.badPaging(), weight: 10 },
            { arbitrary: this.unknownCommand(), weight: 6 }
        );
    }

    public command(): fc.Arbitrary<string> {
        return fc.constantFrom(...COMMANDS);
    }

    /** A session id: mostly a live one, sometimes a well-formed unknown one. */
    public sessionId(): fc.Arbitrary<string> {
        return fc.oneof(
            { arbitrary: fc.nat().map(index => this.pickLive(index)), weight: 4 },
            { arbitrary: fc.stringMatching(/^[0-9a-f]{32}$/), weight: 1 }
        );
    }

    /** Valid arguments for a command, as [name, JSON text] entries. */
    public validEntries(command: string): fc.Arbitrary<Entry[]> {
        // Built once per command: chain() asks for it on every generated value, and building
        // fc.jsonValue() costs milliseconds.
        let entries = this._validEntries.get(command);
        if (entries == null) {
            entries = this.buildValidEntries(command);
            this._validEntries.set(command, entries);
        }
        return entries;
    }

    private buildValidEntries(command: string): fc.Arbitrary<Entry[]> {
        const text = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<string> => arbitrary.map(JsonText.value);
        const small = fc.jsonValue({ maxDepth: 2 }).map(JsonText.value);
        const byName: Record<string, fc.Arbitrary<string>> = {
            session_id: text(this.sessionId()),
            user_id: text(fc.constantFrom('rel-user-1', 'rel-user-2', 'rel-user-3')),
            user_name: text(fc.string({ maxLength: 12 })),
            address: text(fc.constantFrom('10.0.0.1', '::1')),
            client: text(fc.constantFrom('web', 'mobile')),
            user: small,
            data: small,
            filter: text(fc.record({ user_id: fc.constantFrom('rel-user-1', 'rel-user-2'), active: fc.boolean() },
                { requiredKeys: [] })),
            paging: text(fc.record({ skip: fc.nat(5), take: fc.integer({ min: 1, max: 10 }), total: fc.boolean() },
                { requiredKeys: [] }))
        };
        const names = COMMAND_ARGUMENTS[command];
        return fc.tuple(...names.map(name => byName[name])).map(values => names.map((name, i) => [name, values[i]] as Entry));
    }

    /** A command with one or more required arguments left out, or with no body content at all. */
    public missing(): fc.Arbitrary<ArgumentsCase> {
        return this.command().filter(command => COMMAND_ARGUMENTS[command].length > 0).chain(command => this.validEntries(command).chain((entries) => {
            const required = REQUIRED_ARGUMENTS[command] ?? [];
            return fc.subarray(required.length > 0 ? [...required] : entries.map(([name]) => name), { minLength: 1 })
                .map(dropped => ({
                    category: 'missing',
                    command,
                    argsText: JsonText.object(entries.filter(([name]) => !dropped.includes(name)))
                }));
        }));
    }

    /** One argument (or one field of filter/paging) with a value of the wrong type. */
    public wrongType(): fc.Arbitrary<ArgumentsCase> {
        const wrong = fc.oneof(
            fc.integer().map(JsonText.value),
            fc.double().map(value => (Number.isFinite(value) ? JsonText.value(value) : '1e400')),
            fc.boolean().map(JsonText.value),
            fc.constantFrom('[]', '["x"]', '[1,2]', '{}', '{"$ne":null}', '{"$gt":""}', '{"length":1}', '-0', '1e400', '-1e400',
                '9007199254740993', '0.5', '[null]', '{"0":"a"}'),
            fc.string({ maxLength: 8 }).map(JsonText.value)
        );
        return this.command().filter(command => COMMAND_ARGUMENTS[command].length > 0).chain(command =>
            fc.tuple(this.validEntries(command), fc.nat(), wrong, fc.constantFrom('id', 'user_id', 'active', 'from_time', 'to_time',
                'skip', 'take', 'total')).map(([entries, index, value, field]) => {
                const name = entries[index % entries.length][0];
                // For the object arguments break one field inside, half of the time.
                const inner = (name === 'filter' || name === 'paging') && index % 2 === 0;
                const replaced = inner ? JsonText.object([[field, value]]) : value;
                return { category: 'wrong-type', command, argsText: JsonText.object(BadArguments.replace(entries, name, replaced)) };
            }));
    }

    /** Arguments (or fields of filter/paging) that are null, empty or blank. */
    public nullOrEmpty(): fc.Arbitrary<ArgumentsCase> {
        const empty = fc.constantFrom('null', '""', '" "', '"\\t\\n"', '"\\u0000"', '{}', '[]', '"null"', '"undefined"');
        return this.command().filter(command => COMMAND_ARGUMENTS[command].length > 0).chain(command =>
            fc.tuple(this.validEntries(command), fc.subarray([...COMMAND_ARGUMENTS[command]], { minLength: 1 }), empty)
                .map(([entries, names, value]) => ({
                    category: 'null-empty',
                    command,
                    argsText: JsonText.object(entries.map(([name, old]) => [name, names.includes(name) ? value : old] as Entry))
                })));
    }

    /** A string of about 1 MB in an argument (or as an argument's name), below and above the 1 MB body limit. */
    public hugeString(): fc.Arbitrary<ArgumentsCase> {
        const length = fc.oneof(
            fc.constantFrom(LEGAL_BODY_LIMIT - 200, LEGAL_BODY_LIMIT, LEGAL_BODY_LIMIT + 1, 1000 * 1000),
            fc.integer({ min: 900 * 1000, max: 1100 * 1000 })
        );
        // Multi-byte characters and escapes make the body several times the string's length.
        const unit = fc.constantFrom('x', 'é', '\u2603', '\u0000', '"', 'ab\\');
        return this.command().chain(command => fc.tuple(this.validEntries(command), fc.nat(), length, unit, fc.boolean())
            .map(([entries, index, size, chars, asName]) => {
                const huge = JsonText.longString(chars === 'x' ? size : Math.floor(size / 4), chars);
                let argsText: string;
                if (asName || entries.length === 0) {
                    argsText = JsonText.objectWithRawKeys([...entries.map(([name, value]) => [JSON.stringify(name), value] as Entry),
                        [huge, '1']]);
                } else {
                    argsText = JsonText.object(BadArguments.replace(entries, entries[index % entries.length][0], huge));
                }
                return { category: 'huge-string', command, argsText };
            }));
    }

    /** An argument nested up to 10,000 levels deep, or the arguments object itself nested deep. */
    public deepNesting(): fc.Arbitrary<ArgumentsCase> {
        const depth = fc.oneof(
            { arbitrary: fc.constant(10000), weight: 3 },
            { arbitrary: fc.integer({ min: 2, max: 10000 }), weight: 2 },
            { arbitrary: fc.constantFrom(63, 64, 65, 100, 101, 1000, 4000, 5000), weight: 2 }
        );
        const shape = fc.constantFrom<'object' | 'array' | 'mixed'>('object', 'array', 'mixed');
        return this.command().chain(command => fc.tuple(this.validEntries(command), fc.nat(), depth, shape, fc.nat(9))
            .map(([entries, index, levels, form, where]) => {
                const nested = JsonText.nested(levels, form);
                let argsText: string;
                if (entries.length === 0 || where === 0) {
                    argsText = JsonText.object([...entries, ['nested', nested]]);
                } else {
                    const name = entries[index % entries.length][0];
                    const value = name === 'filter' || name === 'paging'
                        ? JsonText.object([[name === 'filter' ? 'user_id' : 'skip', nested]])
                        : nested;
                    argsText = JsonText.object(BadArguments.replace(entries, name, value));
                }
                return { category: 'deep-nesting', command, argsText };
            }));
    }

    /** __proto__, constructor and prototype keys: at the top, inside an argument, or deep inside one. */
    public protoKeys(): fc.Arbitrary<ArgumentsCase> {
        const key = fc.constantFrom(...PROTO_KEYS);
        const payload = fc.constantFrom(POLLUTION, '{"prototype":' + POLLUTION + '}', 'null', '[]', '"x"', '1');
        return this.command().chain(command => fc.tuple(this.validEntries(command), fc.nat(), key, payload, fc.nat(2))
            .map(([entries, index, protoKey, value, where]) => {
                const polluted = JsonText.objectWithRawKeys([[protoKey, value]]);
                let argsText: string;
                if (where === 0 || entries.length === 0) {
                    argsText = JsonText.withKey(JsonText.object(entries), protoKey, value);
                } else {
                    const name = entries[index % entries.length][0];
                    const inside = where === 1 ? polluted : '{"a":[{"b":' + polluted + '}]}';
                    argsText = JsonText.object(BadArguments.replace(entries, name, inside));
                }
                return { category: 'proto-keys', command, argsText };
            }));
    }

    /** Arguments named after methods of the argument map or of Object.prototype, at the top or inside filter / paging. */
    public memberKeys(): fc.Arbitrary<ArgumentsCase> {
        const value = fc.oneof(fc.constantFrom('1', 'null', '"x"', '[]', '{}', 'true', '{"a":1}'), fc.jsonValue({ maxDepth: 1 }).map(JsonText.value));
        return this.command().chain(command => fc.tuple(this.validEntries(command),
            fc.uniqueArray(fc.constantFrom(...this._memberKeys), { minLength: 1, maxLength: 3 }), value, fc.boolean())
            .map(([entries, keys, member, inside]) => {
                const extra = keys.map(key => [key, member] as Entry);
                const holder = entries.find(([name]) => name === 'filter' || name === 'paging');
                const argsText = inside && holder != null
                    ? JsonText.object(BadArguments.replace(entries, holder[0], JsonText.object(extra)))
                    : JsonText.object([...entries, ...extra]);
                return { category: 'member-keys', command, argsText };
            }));
    }

    /** get_sessions with invalid and out-of-range from_time / to_time. */
    public badDates(): fc.Arbitrary<ArgumentsCase> {
        const date = fc.oneof(
            fc.constantFrom('"2020-02-30"', '"2020-13-01"', '"2021-02-29T00:00:00Z"', '"2020-01-01T25:61:61Z"', '"yesterday"',
                '"now"', '""', '" "', '"0"', '"-1"', '"NaN"', '"Infinity"', '"+275760-09-13T00:00:00.001Z"',
                '"-271821-04-19T23:59:59.999Z"', '"+999999-01-01T00:00:00Z"', '"2020-01-01T00:00:00+25:00"', '"1e400"',
                '8640000000000001', '-8640000000000001', '1e400', '-1e400', '1e21', '-0', '0.5', 'true', 'false', '{}', '[]',
                '["2020-01-01"]', '{"$date":"2020-01-01"}', 'null'),
            fc.string({ maxLength: 30 }).map(JsonText.value),
            fc.double().map(value => (Number.isFinite(value) ? JsonText.value(value) : '1e400')),
            fc.date({ noInvalidDate: true }).map(value => JsonText.value(value.toISOString()))
        );
        return fc.tuple(date, fc.option(date, { nil: undefined }), fc.boolean()).map(([from, to, swap]) => {
            const fields: Entry[] = [[swap ? 'to_time' : 'from_time', from]];
            if (to != null) fields.push([swap ? 'from_time' : 'to_time', to]);
            return { category: 'dates', command: 'get_sessions', argsText: JsonText.object([['filter', JsonText.object(fields)]]) };
        });
    }

    /** get_sessions with negative, huge, fractional and wrong-typed skip / take / total. */
    public badPaging(): fc.Arbitrary<ArgumentsCase> {
        const number = fc.oneof(
            fc.integer({ min: -2147483648, max: -1 }).map(JsonText.value),
            fc.constantFrom('-1', '-0', '0', '2147483648', '9007199254740993', '1e21', '1e308', '1e400', '-1e400', '0.5', '-0.5',
                '1.7976931348623157e308', '"10"', '"-5"', '"1e3"', '"abc"', '""', 'true', 'null', '[]', '{}', '[1]', '"0x10"'),
            fc.bigInt({ min: -HUGE_INTEGER, max: HUGE_INTEGER }).map(value => value.toString()),
            fc.double().map(value => (Number.isFinite(value) ? JsonText.value(value) : '-1e400'))
        );
        const total = fc.constantFrom('true', 'false', '"yes"', '2', 'null', '[]', '{}', '"true"');
        return fc.tuple(number, fc.option(number, { nil: undefined }), fc.option(total, { nil: undefined }), fc.boolean())
            .map(([first, second, withTotal, swap]) => {
                const fields: Entry[] = [[swap ? 'take' : 'skip', first]];
                if (second != null) fields.push([swap ? 'skip' : 'take', second]);
                if (withTotal != null) fields.push(['total', withTotal]);
                return { category: 'paging', command: 'get_sessions', argsText: JsonText.object([['paging', JsonText.object(fields)]]) };
            });
    }

    /** Command names that are not commands: random, near misses, and names of Object.prototype members. */
    public unknownCommand(): fc.Arbitrary<ArgumentsCase> {
        const name = fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.constantFrom('constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__',
                'GET_SESSIONS', 'Get_Sessions', 'get_sessions ', ' get_sessions', 'get-sessions', 'getSessions', 'get_sessions\u0000',
                'open_session/extra', '../get_sessions', 'swagger', 'drop_all_sessions', 'get_sessions_by_id', ''),
            this.command().map(command => command + 'x')
        );
        return fc.tuple(name, this.command()).chain(([command, like]) => this.validEntries(like)
            .map(entries => ({ category: 'unknown-command', command, argsText: JsonText.object(entries) })));
    }

    /** The text of a valid call to a command, for categories that break the body rather than an argument. */
    public validArgsText(command: string): fc.Arbitrary<string> {
        return this.validEntries(command).map(entries => JsonText.object(entries));
    }

    private pickLive(index: number): string {
        const ids = this._liveIds();
        return ids.length > 0 ? ids[index % ids.length] : '00000000000000000000000000000000';
    }

    private static replace(entries: readonly Entry[], name: string, value: string): Entry[] {
        return entries.map(([key, old]) => [key, key === name ? value : old] as Entry);
    }
}
