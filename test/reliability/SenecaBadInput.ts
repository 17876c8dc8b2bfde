import * as fc from 'fast-check';

import { ArgumentsCase, BadArguments, COMMANDS } from './BadArguments';
import { JsonText } from './JsonText';

/** One generated Seneca message. */
export interface SenecaCase {
    readonly category: string;
    /** The command it calls, when it calls one (its results change the expected store). */
    readonly command: string | null;
    /** 'act': text is the message, framed as a sync act; 'line': text is a whole tcp line, sent as it is. */
    readonly kind: 'act' | 'line';
    readonly text: string;
    /** The message as an object, when a Seneca client can send it as it is (JSON, shallow, no prototype keys). */
    readonly message?: Record<string, unknown>;
    /** Seneca itself refuses it (a message that is not an object) with an error frame of its own, not an envelope. */
    readonly refusedBySeneca?: boolean;
}

const PATTERN = '"role":"sessions","version":1';
/** Deeper messages than this are left to the raw transport: a client Seneca copies messages recursively. */
const CLIENT_MAX_DEPTH = 40;

/** fast-check generators of bad Seneca messages (pattern role:sessions,version:1,cmd:<command>) and tcp lines. */
export class SenecaBadInput {
    private readonly _arguments: BadArguments;

    public constructor(args: BadArguments) {
        this._arguments = args;
    }

    public any(): fc.Arbitrary<SenecaCase> {
        return fc.oneof(
            { arbitrary: this._arguments.any().map(SenecaBadInput.act), weight: 80 },
            { arbitrary: this.patternFields(), weight: 10 },
            { arbitrary: this.frame(), weight: 5 },
            { arbitrary: this.nonJsonAct(), weight: 5 }
        );
    }

    /** The message text for a command and its arguments' text. */
    public static messageText(command: string, argsText: string): string {
        const rest = argsText.trim().slice(1).trimStart();
        return '{' + PATTERN + ',"cmd":' + JSON.stringify(command) + (rest.startsWith('}') ? '}' : ',' + rest);
    }

    /** Wrong role, version, cmd and correlation_id values, and Seneca's own meta fields from a caller. */
    public patternFields(): fc.Arbitrary<SenecaCase> {
        const cmdValue = fc.constantFrom('5', 'null', 'true', '{}', '[]', '["get_sessions"]', '{"$ne":null}', '""', '"GET_SESSIONS"',
            '"get_sessions "', '"constructor"', '"__proto__"', '"toString"');
        const correlation = fc.constantFrom('5', 'true', '{}', '[]', '{"a":1}', '""', JsonText.longString(1100 * 1000, 'c'),
            '"' + 'c'.repeat(10000) + '"', '"\\u0000"', 'null');
        const meta = fc.constantFrom('"fatal$":true', '"default$":{"x":1}', '"timeout$":0', '"timeout$":-1', '"local$":true',
            '"plugin$":{"name":"x"}', '"tx$":5', '"meta$":null', '"gate$":true', '"sub$":true', '"remote$":false', '"ungate$":true',
            '"prior$":{}', '"parents$":5', '"actid$":"x"', '"id$":5', '"caller$":"x"', '"transport$":null');
        const valid = this._arguments.command().chain(command => this._arguments.validArgsText(command)
            .map(args => ({ command, args })));
        return fc.oneof(
            fc.tuple(cmdValue, valid).map(([cmd, { args }]) => ({
                category: 'unknown-command', command: SenecaBadInput.matchedCommand('{' + PATTERN + ',"cmd":' + cmd + '}'),
                kind: 'act' as const, text: '{' + PATTERN + ',"cmd":' + cmd + SenecaBadInput.restOf(args)
            })),
            fc.tuple(fc.constantFrom('"role":"Sessions","version":1', '"role":"sessions","version":2', '"role":"sessions"',
                '"version":1', '"role":"sessions","version":"1"', '"role":"sessions","version":1.0', '"role":"sessions","version":true',
                '"role":["sessions"],"version":1', '"role":null,"version":1'), valid).map(([pattern, { command, args }]) => ({
                category: 'unknown-command', command: SenecaBadInput.matchedCommand('{' + pattern + ',"cmd":' + JSON.stringify(command) + '}'),
                kind: 'act' as const,
                text: '{' + pattern + ',"cmd":' + JSON.stringify(command) + SenecaBadInput.restOf(args)
            })),
            fc.tuple(correlation, valid).map(([value, { command, args }]) => ({
                category: 'wrong-type', command, kind: 'act' as const,
                text: SenecaBadInput.messageText(command, JsonText.withKey(args, '"correlation_id"', value))
            })),
            fc.tuple(meta, valid).map(([field, { command, args }]) => ({
                category: 'wrong-type', command, kind: 'act' as const,
                text: SenecaBadInput.messageText(command, '{' + field + SenecaBadInput.restOf(args))
            }))
        );
    }

    /** Messages (the frame's act) that are not JSON objects. */
    public nonJsonAct(): fc.Arbitrary<SenecaCase> {
        return fc.constantFrom('[]', '[1,2]', '"get_sessions"', '1', 'true', '"role:sessions,version:1,cmd:get_sessions"',
            '[{"role":"sessions","version":1,"cmd":"get_sessions"}]', '{}', '{"cmd":"get_sessions"}')
            .map(text => ({ category: 'non-json', command: null, kind: 'act' as const, text, refusedBySeneca: !text.startsWith('{') }));
    }

    /** tcp lines that are not well-formed frames: not JSON, cut short, wrong kind or id, no sync. */
    public frame(): fc.Arbitrary<SenecaCase> {
        const frameOf = (act: string, fields: string): string => '{' + fields + '"act":' + act + '}';
        const ok = '"id":"f1/t","kind":"act","origin":"o","sync":true,';
        const valid = this._arguments.command().chain(command => this._arguments.validArgsText(command)
            .map(args => ({ command, act: SenecaBadInput.messageText(command, args) })));
        const line = (text: string, command: string | null = null): SenecaCase =>
            ({ category: 'frame', command, kind: 'line', text });
        return fc.oneof(
            fc.tuple(valid, fc.nat()).map(([{ act }, cut]) => {
                const whole = frameOf(act, ok);
                return line(whole.slice(0, 1 + (cut % (whole.length - 1))));
            }),
            fc.string({ maxLength: 60 }).map(text => line(text.replace(/\n/g, ' '))),
            fc.constantFrom('null', '[]', '1', '"x"', '{}', 'true', '{"kind":"act"}', '{"id":"x/y","kind":"act","sync":true}').map(text => line(text)),
            // Frames around a real call: the transport may still run it, and what it changes must be known.
            valid.chain(({ command, act }) => fc.constantFrom(
                frameOf(act, '"id":5,"kind":"act","sync":true,'),
                frameOf(act, '"id":{"a":1},"kind":"act","sync":true,'),
                frameOf(act, '"id":null,"kind":"act","sync":true,'),
                frameOf(act, '"kind":"act","sync":true,'),
                frameOf(act, '"id":"f/t","kind":"res","sync":true,'),
                frameOf(act, '"id":"f/t","kind":5,"sync":true,'),
                // Run without a reply (sync false): a read, since what a write did could not be known.
                frameOf('{' + PATTERN + ',"cmd":"get_sessions"}', '"id":"f/t","kind":"act","sync":false,'),
                frameOf(act, '"id":"f/t","kind":"act","sync":true,"track":"abc",'),
                frameOf(act, '"id":"f/t","kind":"act","sync":true,"track":[1,{}],'),
                frameOf(act, '"id":"f/t","kind":"act","sync":true,"error":{"message":"x"},'),
                frameOf(act, '"id":"f/t","kind":"act","sync":true,"__proto__":{"polluted":"yes"},'),
                frameOf(act, '"id":"f/t","kind":"act","sync":true,"time":"x",'),
                // seneca-transport treats a message with entity$ as a data entity, fails on it and drops the connection.
                frameOf(act.replace('{', '{"entity$":"a/b/c",'), ok),
                frameOf('null', ok),
                frameOf('"x"', ok),
                frameOf(JsonText.nested(10000, 'object'), ok),
                ok.slice(0, -1).replace('{', '') + '}'
            ).map(text => line(text, command)))
        );
    }

    private static act(args: ArgumentsCase): SenecaCase {
        const text = SenecaBadInput.messageText(args.command, args.argsText);
        const known = COMMANDS.includes(args.command);
        return { category: args.category, command: known ? args.command : null, kind: 'act', text, message: SenecaBadInput.asMessage(text) };
    }

    /** The message as an object a Seneca client could send unchanged, or undefined. */
    private static asMessage(text: string): Record<string, unknown> | undefined {
        if (text.length > 2 * 1024 * 1024 || /__proto|constructor|prototype|\\u005f/.test(text)) return undefined;
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            return undefined;
        }
        if (parsed == null || typeof parsed !== 'object' || JsonText.depthOf(parsed) > CLIENT_MAX_DEPTH) return undefined;
        // A Seneca client reads `...$` fields as instructions to itself.
        if (Object.keys(parsed).some(key => key.endsWith('$'))) return undefined;
        return parsed as Record<string, unknown>;
    }

    /**
     * The command a message's pattern fields select: Seneca matches fields by their text,
     * so version "1" or 1.0, role ["sessions"] and cmd ["get_sessions"] still match.
     */
    private static matchedCommand(patternText: string): string | null {
        const fields = JSON.parse(patternText) as { role?: unknown; version?: unknown; cmd?: unknown };
        const command = String(fields.cmd);
        return String(fields.role) === 'sessions' && String(fields.version) === '1' && COMMANDS.includes(command) ? command : null;
    }

    /** The rest of an arguments object's text after its '{', led by a comma when it has fields. */
    private static restOf(argsText: string): string {
        const rest = argsText.trim().slice(1).trimStart();
        return rest.startsWith('}') ? '}' : ',' + rest;
    }
}
