import * as fc from 'fast-check';

import { BadArguments, COMMANDS } from './BadArguments';
import { RawHttpRequest } from './RawHttpClient';

/** One generated HTTP request: an ordinary request, or bytes written to a socket as they are. */
export interface HttpCase {
    readonly category: string;
    /** The command the path names, when it names one (its 2xx results change the expected store). */
    readonly command: string | null;
    readonly request?: RawHttpRequest;
    /** For category protocol: what to write, and whether to cut the connection right after. */
    readonly socket?: { bytes: Buffer; abort: boolean };
}

const BASE = '/v1/sessions/';

/** fast-check generators of bad HTTP requests to the commandable API. */
export class HttpBadInput {
    private readonly _arguments: BadArguments;

    public constructor(args: BadArguments) {
        this._arguments = args;
    }

    public any(): fc.Arbitrary<HttpCase> {
        return fc.oneof(
            { arbitrary: this._arguments.any().map(HttpBadInput.post), weight: 70 },
            { arbitrary: this.nonJson(), weight: 12 },
            { arbitrary: this.contentType(), weight: 8 },
            { arbitrary: this.methodOrPath(), weight: 6 },
            { arbitrary: this.protocol(), weight: 4 }
        );
    }

    /** Bodies that are not a JSON object: cut short, random text or bytes, scalars, arrays, JSON with extras. */
    public nonJson(): fc.Arbitrary<HttpCase> {
        const body = this._arguments.command().chain(command => this._arguments.validArgsText(command).chain(valid => fc.oneof(
            fc.nat().map(cut => valid.slice(0, 1 + (cut % Math.max(1, valid.length - 1)))),
            fc.string({ maxLength: 60 }),
            fc.string({ unit: 'binary', maxLength: 60 }),
            fc.constantFrom('[]', '[1,2]', '"text"', '1', '-1e400', 'true', 'false', 'null', '""', '{', '}', '{{}}', '{"a":}',
                "{'user_id':'1'}", '{"user_id":"1",}', '{"user_id":"1"}garbage', '{"user_id":"1"}{"user_id":"2"}', 'NaN', 'undefined',
                '{"user_id":NaN}', '{"user_id":"1"/*c*/}', '\uFEFF{"user_id":"1"}', '{"user_id":"\\ud800"}', '{"user_id":"\\x41"}',
                '{"a":"\u0000"}', 'user_id=1&data=2', '<xml/>', '\u0000\u0000', '{"user_id":"1"\u0000}'),
            fc.uint8Array({ maxLength: 64 }).map(bytes => Buffer.from(bytes))
        ).map(value => ({ command, body: typeof value === 'string' ? Buffer.from(value, 'utf8') : value }))));
        return body.map(({ command, body: bytes }) => ({
            category: 'non-json',
            command,
            request: { method: 'POST', path: BASE + command, headers: { 'Content-Type': 'application/json' }, body: bytes }
        }));
    }

    /** Valid and invalid bodies sent with content types and encodings other than JSON's. */
    public contentType(): fc.Arbitrary<HttpCase> {
        const type = fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/octet-stream', '',
            'application/json, text/html', 'x/y; a=b', 'application/json; charset=latin1', 'text/html; charset="unknown"',
            '*/*', 'application/vnd.api+json');
        const encoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, deflate', 'x-unknown'),
            { nil: undefined, freq: 3 });
        return this._arguments.command().chain(command => fc.tuple(this._arguments.validArgsText(command), type, encoding,
            fc.constantFrom('json', 'form', 'utf16')).map(([valid, contentType, contentEncoding, form]) => {
            const headers: Record<string, string> = { 'Content-Type': contentType };
            if (contentEncoding != null) headers['Content-Encoding'] = contentEncoding;
            let body: Buffer;
            if (form === 'form') body = Buffer.from('session_id=1&user_id=u&data=x', 'utf8');
            else if (form === 'utf16') body = Buffer.from(valid, 'utf16le');
            else body = Buffer.from(valid, 'utf8');
            return { category: 'content-type', command, request: { method: 'POST', path: BASE + command, headers, body } };
        }));
    }

    /** Wrong methods on command paths, and paths that are not commands. */
    public methodOrPath(): fc.Arbitrary<HttpCase> {
        // CONNECT is in protocol(): Node's client treats it as a tunnel request.
        const method = fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'SEARCH');
        const path = fc.oneof(
            this._arguments.command().map(command => BASE + command),
            fc.constantFrom('/', '/v1', '/v1/sessions', BASE, BASE + '/get_sessions', BASE + 'get_sessions/', '/v1//sessions/get_sessions',
                BASE + '../../etc/passwd', BASE + '%2e%2e/%2e%2e/etc/passwd', BASE + 'get_sessions%00', BASE + 'GET_SESSIONS',
                '/V1/SESSIONS/get_sessions', BASE + 'constructor', BASE + '__proto__', BASE + 'hasOwnProperty', '/heartbeat/x',
                '/status/../v1/sessions/get_sessions', BASE + 'get_sessions;x=1', BASE + 'get%5Fsessions', '*', '/%', '/%zz'),
            fc.string({ maxLength: 30 }).map(text => BASE + encodeURIComponent(text))
        );
        return fc.tuple(method, path, fc.boolean()).map(([verb, target, post]) => {
            const chosen = post ? 'POST' : verb;
            const named = target.startsWith(BASE) ? target.slice(BASE.length) : '';
            return {
                category: 'method-path',
                command: COMMANDS.includes(named) ? named : null,
                request: {
                    method: chosen, path: target, headers: { 'Content-Type': 'application/json' },
                    body: chosen === 'GET' || chosen === 'HEAD' ? null : Buffer.from('{}')
                }
            };
        });
    }

    /** What no HTTP client library sends: malformed request lines, framing and headers, and uploads cut short. */
    public protocol(): fc.Arbitrary<HttpCase> {
        // Connection: close, so the service ends each exchange and the test need not wait for a timeout.
        const get = 'POST ' + BASE + 'get_sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n';
        const requests = fc.oneof(
            fc.constantFrom(
                'GARBAGE\r\n\r\n',
                'CONNECT ' + BASE + 'get_sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
                'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n',
                'POST\r\n\r\n',
                'POST ' + BASE + 'get_sessions HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n',
                get + 'Content-Length: abc\r\n\r\n{}',
                get + 'Content-Length: -1\r\n\r\n{}',
                get + 'Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
                get + 'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
                get + 'Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
                get + 'Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
                get + 'Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
                get + 'Content-Length: 2\r\n\r\n{}' + get + 'Content-Length: 2\r\n\r\n{}',
                'POST ' + BASE + 'get_sessions HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}',
                get + 'Bad Header Name: x\r\nContent-Length: 2\r\n\r\n{}',
                get + 'X: \u0000\r\nContent-Length: 2\r\n\r\n{}',
                get + 'Content-Length: 99999999999999999999\r\n\r\n{}',
                get + 'X-Big: ' + 'h'.repeat(20000) + '\r\nContent-Length: 2\r\n\r\n{}',
                'POST ' + BASE + 'get_sessions?' + 'q'.repeat(20000) + ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}'
            ).map(text => ({ bytes: Buffer.from(text, 'latin1'), abort: false })),
            // An upload that stops halfway: the declared length never arrives.
            this._arguments.command().map(command => ({
                bytes: Buffer.from('POST ' + BASE + command + ' HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"session_id":"', 'latin1'),
                abort: true
            }))
        );
        return requests.map(socket => ({ category: 'protocol', command: null, socket }));
    }

    private static post(args: { category: string; command: string; argsText: string }): HttpCase {
        const known = COMMANDS.includes(args.command);
        return {
            category: args.category,
            command: known ? args.command : null,
            request: {
                method: 'POST',
                path: BASE + encodeURIComponent(args.command),
                headers: { 'Content-Type': 'application/json' },
                body: Buffer.from(args.argsText, 'utf8')
            }
        };
    }
}
