import { promises as fs, realpathSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

import { SenecaApp, SenecaTestApp } from '../fixtures/SenecaTestApp';
import { freePort } from '../fixtures/TestService';
import { HttpCase } from './HttpBadInput';
import { RawHttpClient, RawHttpResponse } from './RawHttpClient';
import { ReplyChecks } from './ReplyChecks';
import { RequestTally } from './RequestTally';
import { SenecaCase } from './SenecaBadInput';
import { SenecaWireClient } from './SenecaWireClient';
import { RunningService } from '../fixtures/RunningService';
import { StoreSnapshot } from './StoreSnapshot';

/** Sessions that are larger than this are reset after a batch, so snapshots stay cheap. */
const LARGE_SESSION = 64 * 1024;
const SEED_COUNT = 12;
const WRITES = new Set(['open_session', 'store_session_data', 'update_session_user', 'close_session', 'delete_session_by_id']);
/** The service's body limit (options.request_max_size of config.yml). */
const REQUEST_MAX_SIZE = 1024 * 1024;
/** What a fresh session opened with only user_id holds, and nothing else. */
const PLAIN_SESSION_KEYS = ['active', 'address', 'client', 'close_reason', 'close_time', 'data', 'expires_at', 'id', 'open_time',
    'request_time', 'user', 'user_id', 'user_name'];
/** The fields a session opened with user_id only has unset: null on the wire, as the original sends them. */
const UNSET_FIELDS = ['address', 'client', 'close_reason', 'close_time', 'data', 'user', 'user_name'];
/** Lines of a batch's log kept for a failure message. */
const LOG_LINES = 40;

/** One failed expectation, with what was sent. */
export class BadInputFailure extends Error {}

/**
 * The service under test for the bad-input suite: `node run` with the file store in a
 * temp folder, HTTP and Seneca (tcp), seeded with sessions; and the batch runner that
 * sends generated requests, checks every reply, and then checks that the store holds
 * exactly what the accepted requests said they did (so the rejected ones changed nothing).
 */
export class BadInputHarness {
    public readonly tally = new RequestTally();
    public readonly dir: string;
    private readonly _child: RunningService;
    private readonly _http: RawHttpClient;
    private readonly _wire: SenecaWireClient;
    private readonly _seneca: SenecaApp;
    private readonly _checks: ReplyChecks;
    private _seeds: string[] = [];
    private _baseline: StoreSnapshot | null = null;
    private _senecaSent = 0;
    /** Milliseconds spent sending generated requests, and checking the store after them. */
    public readonly timing = { sending: 0, checking: 0 };

    private constructor(dir: string, child: RunningService, http: RawHttpClient, wire: SenecaWireClient, seneca: SenecaApp) {
        this.dir = dir;
        this._child = child;
        this._http = http;
        this._wire = wire;
        this._seneca = seneca;
        this._checks = new ReplyChecks([dir, realpathSync(dir)]);
    }

    public static async start(): Promise<BadInputHarness> {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sessions-bad-input-'));
        const [httpPort, senecaPort] = [await freePort(), await freePort()];
        const child = new RunningService(dir, {
            PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
            FILE_ENABLED: 'true', FILE_PATH: path.join(dir, 'sessions.json'),
            SENECA_ENABLED: 'true', SENECA_TYPE: 'tcp', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(senecaPort)
        });
        await child.waitForOutput(/service-sessions \S+ started: /);
        const seneca = SenecaTestApp.create({ timeout: 30000 });
        seneca.client({ type: 'tcp', host: '127.0.0.1', port: senecaPort, pin: { role: 'sessions', version: 1 } });
        await SenecaTestApp.ready(seneca);
        const harness = new BadInputHarness(dir, child, new RawHttpClient(httpPort), new SenecaWireClient(senecaPort), seneca);
        await harness.seed();
        return harness;
    }

    public async stop(): Promise<number | null> {
        this._http.close();
        this._wire.close();
        await SenecaTestApp.close(this._seneca).catch(() => undefined);
        const code = await this._child.stop();
        await fs.rm(this.dir, { recursive: true, force: true });
        return code;
    }

    public get output(): string {
        return this._child.output;
    }

    /** The ids the generators pick from: the sessions the store holds now. */
    public liveIds(): readonly string[] {
        return this._seeds;
    }

    public async runHttpBatch(cases: readonly HttpCase[]): Promise<void> {
        const expected = (await this.baseline()).copy();
        // Until this batch is verified, the store is unknown (a failed batch may have changed it).
        this._baseline = null;
        const log: string[] = [];
        const started = Date.now();
        for (const item of cases) {
            const outcome = await this.sendHttp(item, log);
            if (outcome.accepted != null && item.command != null) expected.apply(item.command, outcome.accepted);
        }
        this.timing.sending += Date.now() - started;
        await this.verify(expected, log);
    }

    public async runSenecaBatch(cases: readonly SenecaCase[]): Promise<void> {
        let expected = (await this.baseline()).copy();
        // Until this batch is verified, the store is unknown (a failed batch may have changed it).
        this._baseline = null;
        const log: string[] = [];
        const started = Date.now();
        for (const item of cases) {
            // seneca-transport may run a malformed frame's write and lose its reply (a "time" field
            // that is not an object, for one): check the store up to it, and start again after it.
            const unanswerable = item.kind === 'line' && item.command != null && WRITES.has(item.command);
            if (unanswerable) await this.compare(expected, log);
            const accepted = await this.sendSeneca(item, log);
            if (accepted != null && item.command != null) expected.apply(item.command, accepted);
            else if (unanswerable) expected = await StoreSnapshot.take(this._http);
        }
        this.timing.sending += Date.now() - started;
        await this.verify(expected, log);
    }

    /**
     * Checks that no generated request polluted a prototype in the service: a session
     * opened with user_id only, over each transport, must come back with exactly the
     * fields of a plain session (a polluted Object.prototype shows up in the arguments
     * the service reads, such as user_name or data).
     */
    public async probePrototypes(): Promise<void> {
        const opened: string[] = [];
        const check = (via: string, text: string): void => {
            const session = JSON.parse(text) as Record<string, unknown>;
            const keys = Object.keys(session).sort();
            if (JSON.stringify(keys) !== JSON.stringify(PLAIN_SESSION_KEYS) || UNSET_FIELDS.some(field => session[field] !== null)
                || text.includes('polluted')) {
                throw new BadInputFailure('A plain open_session over ' + via + ' came back with more than it was given: ' + text);
            }
            opened.push(session.id as string);
        };
        const overHttp = await this._http.send({
            method: 'POST', path: '/v1/sessions/open_session', headers: {}, body: Buffer.from('{"user_id":"probe"}')
        });
        check('HTTP', overHttp.text);
        const overWire = await this._wire.act('{"role":"sessions","version":1,"cmd":"open_session","user_id":"probe"}');
        check('Seneca tcp', JSON.stringify((overWire.frame?.res as { result: unknown }).result));
        const overClient = await this._seneca.post({ role: 'sessions', version: 1, cmd: 'open_session', user_id: 'probe' });
        check('a Seneca client', JSON.stringify((overClient as { result: unknown }).result));
        for (const id of opened) await this.call('delete_session_by_id', { session_id: id });
        this._baseline = null;
    }

    public async expectAlive(): Promise<void> {
        if (!this._child.alive) throw new BadInputFailure('node run has exited:\n' + this._child.output.slice(-4000));
        const heartbeat = await this._http.send({ method: 'GET', path: '/heartbeat', headers: {}, body: null });
        if (heartbeat.status !== 200) throw new BadInputFailure('GET /heartbeat answered ' + heartbeat.status);
        const reply = await this._wire.act('{"role":"sessions","version":1,"cmd":"get_session_by_id","session_id":"none"}');
        if (reply.outcome !== 'reply') throw new BadInputFailure('The Seneca API does not answer: ' + reply.outcome);
    }

    private async sendHttp(item: HttpCase, log: string[]): Promise<{ accepted: string | null }> {
        const problems: string[] = [];
        let response: RawHttpResponse;
        let requestText: string;
        let headOnly = false;
        if (item.socket != null) {
            requestText = item.socket.bytes.toString('latin1');
            response = await this._http.sendBytes(item.socket.bytes, 10000, item.socket.abort);
            if (response.failure != null && !item.socket.abort) problems.push(response.failure);
        } else {
            const request = item.request!;
            requestText = request.method + ' ' + request.path + ' ' + JSON.stringify(request.headers) + ' '
                + (request.body?.toString('utf8') ?? '');
            headOnly = request.method === 'HEAD';
            response = await this._http.send(request);
            // Over the body limit the service answers 413 at once and closes; a client still
            // writing may see the connection reset before it reads that answer.
            const cutOff = response.status === 0 && (request.body?.length ?? 0) > REQUEST_MAX_SIZE
                && /EPIPE|ECONNRESET/.test(response.failure ?? '');
            if (response.status === 0 && !cutOff) problems.push(response.failure ?? 'no response');
        }
        const status = response.status;
        let label = status !== 0 ? String(status) : item.socket?.abort === true ? 'cut off by the test'
            : /EPIPE|ECONNRESET/.test(response.failure ?? '') ? 'reset while uploading' : 'closed, no reply';
        if (status >= 500) problems.push('a server error');
        problems.push(...this._checks.leaks(response.text, requestText).map(marker => 'the reply shows ' + JSON.stringify(marker)));
        let accepted: string | null = null;
        if (status >= 400 && status < 500 && !headOnly) {
            // Node's own HTTP parser answers malformed requests (bad framing, oversized headers)
            // with an empty 400 or 431 before the service sees them.
            const fromParser = item.socket != null && response.text === '' && (status === 400 || status === 431);
            if (!fromParser) {
                const parsed = ReplyChecks.parseJson(response.text);
                problems.push(...(parsed == null ? ['the error is not JSON'] : ReplyChecks.errorShapeProblems(parsed.value, status)));
            } else {
                label += ' (Node\'s parser, empty)';
            }
        } else if (status === 200 && item.socket == null) {
            if (ReplyChecks.parseJson(response.text) == null) problems.push('a 200 that is not JSON');
            accepted = response.text;
        } else if (status === 204) {
            if (response.text !== '') problems.push('a 204 with a body');
        } else if (status !== 0 && (status < 200 || status >= 300) && !(status >= 400 && headOnly)) {
            problems.push('an unexpected status');
        }
        const entry = BadInputHarness.clip(requestText) + ' -> ' + status + ' ' + BadInputHarness.clip(response.text);
        this.tally.add('http', item.category, label, entry);
        log.push(item.category + ' ' + entry);
        if (problems.length > 0) this.fail('HTTP ' + item.category + ': ' + problems.join('; '), log);
        return { accepted };
    }

    /** Sends one case; returns the result's JSON text when the service accepted it, else null. */
    private async sendSeneca(item: SenecaCase, log: string[]): Promise<string | null> {
        const problems: string[] = [];
        // Every third message that a Seneca client can send goes through one, the rest as raw frames.
        const viaClient = item.message != null && (this._senecaSent++ % 3 === 0);
        let envelope: unknown = undefined;
        let replyText = '';
        let outcome: string;
        if (viaClient) {
            try {
                envelope = await this._seneca.post(item.message!);
                replyText = JSON.stringify(envelope) ?? '';
                outcome = 'reply';
            } catch (err) {
                const error = err as Error & { code?: string };
                replyText = String(error.message);
                outcome = 'client error';
                problems.push('the Seneca client failed: ' + error.code + ' ' + BadInputHarness.clip(error.message));
            }
        } else if (item.kind === 'act') {
            const reply = await this._wire.act(item.text);
            outcome = reply.outcome;
            replyText = reply.text;
            if (reply.outcome !== 'reply') problems.push('no reply to a well-formed act frame (' + reply.outcome + ')');
            else if (reply.frame?.error != null && item.refusedBySeneca === true) outcome = 'refused by Seneca';
            else if (reply.frame?.error != null) problems.push('a transport error instead of a reply: ' + JSON.stringify(reply.frame.error));
            else envelope = reply.frame?.res;
        } else {
            const reply = await this._wire.sendLine(item.text,
                '{"role":"sessions","version":1,"cmd":"get_session_by_id","session_id":"probe"}', 10000);
            outcome = reply.outcome;
            replyText = reply.text;
            if (reply.outcome === 'silent') problems.push('the connection hangs after the line');
            // A reply frame for a line is seneca-transport's own; its res, if any, must still be an envelope.
            if (reply.frame != null && reply.frame.res !== undefined) envelope = reply.frame.res;
        }
        const transport = viaClient ? 'seneca-client' : 'seneca-tcp';
        let accepted: string | null = null;
        let label = outcome;
        if (envelope !== undefined) {
            const keys = envelope != null && typeof envelope === 'object' ? Object.keys(envelope) : [];
            if (keys.length !== 1 || (keys[0] !== 'result' && keys[0] !== 'error')) {
                problems.push('not a {result} or {error} envelope');
            } else if (keys[0] === 'error') {
                const error = (envelope as { error: { status?: unknown } }).error;
                problems.push(...ReplyChecks.errorShapeProblems(error, null));
                label = 'error ' + String(error?.status);
            } else {
                const result = (envelope as { result: unknown }).result;
                label = result === null ? 'result null' : 'result';
                if (result !== null) accepted = JSON.stringify(result);
            }
        }
        const entry = BadInputHarness.clip(item.text) + ' -> ' + label + ' ' + BadInputHarness.clip(replyText);
        this.tally.add(transport, item.category, label, entry);
        log.push(transport + ' ' + item.category + ' ' + entry);
        problems.push(...this._checks.leaks(replyText, item.text).map(marker => 'the reply shows ' + JSON.stringify(marker)));
        if (problems.length > 0) this.fail('Seneca ' + item.category + ': ' + problems.join('; '), log);
        return accepted;
    }

    /** The store before a batch: the last verified state, or a fresh snapshot. */
    private async baseline(): Promise<StoreSnapshot> {
        if (this._baseline == null) this._baseline = await StoreSnapshot.take(this._http);
        return this._baseline;
    }

    /** After a batch: the store holds exactly what the accepted requests said; then put it back in shape for the next batch. */
    private async verify(expected: StoreSnapshot, log: string[]): Promise<void> {
        const started = Date.now();
        try {
            const actual = await this.compare(expected, log);
            this._baseline = actual;
            await this.tidy(actual);
        } finally {
            this.timing.checking += Date.now() - started;
        }
    }

    private async compare(expected: StoreSnapshot, log: string[]): Promise<StoreSnapshot> {
        if (!this._child.alive) this.fail('node run exited during the batch', log);
        const actual = await StoreSnapshot.take(this._http);
        const differences = expected.differences(actual);
        if (differences.length > 0) {
            this.fail('The store differs from what the accepted requests said:\n  ' + differences.slice(0, 10).join('\n  '), log);
        }
        return actual;
    }

    /** Deletes sessions the batch opened, resets large ones and replaces deleted seeds. */
    private async tidy(actual: StoreSnapshot): Promise<void> {
        let changed = false;
        for (const [id, text] of actual.sessions) {
            if (!this._seeds.includes(id)) {
                await this.call('delete_session_by_id', { session_id: id });
                changed = true;
            } else if (text.length > LARGE_SESSION) {
                await this.call('store_session_data', { session_id: id, data: { reset: true } });
                await this.call('update_session_user', { session_id: id, user: { reset: true } });
                changed = true;
            }
        }
        const missing = this._seeds.filter(id => !actual.sessions.has(id));
        if (missing.length > 0) {
            this._seeds = this._seeds.filter(id => actual.sessions.has(id));
            await this.seed();
            changed = true;
        }
        if (changed) this._baseline = null;
    }

    /** Opens sessions until there are SEED_COUNT: active and closed, with and without user and data. */
    private async seed(): Promise<void> {
        for (let index = this._seeds.length; index < SEED_COUNT; index++) {
            const text = await this.call('open_session', {
                user_id: 'rel-user-' + (index % 3 + 1), user_name: 'User ' + index, address: '10.0.0.' + index, client: 'web',
                user: index % 2 === 0 ? { roles: ['a'], index } : undefined, data: index % 3 === 0 ? { step: index } : undefined
            });
            const id = (JSON.parse(text) as { id: string }).id;
            if (index % 4 === 3) await this.call('close_session', { session_id: id });
            this._seeds.push(id);
        }
        this._baseline = null;
    }

    private async call(command: string, args: unknown): Promise<string> {
        const reply = await this._http.send({
            method: 'POST', path: '/v1/sessions/' + command, headers: { 'Content-Type': 'application/json' },
            body: Buffer.from(JSON.stringify(args))
        });
        if (reply.status !== 200 && reply.status !== 204) {
            throw new BadInputFailure('A valid ' + command + ' failed: ' + reply.status + ' ' + reply.text.slice(0, 300));
        }
        return reply.text;
    }

    private fail(message: string, log: string[]): never {
        throw new BadInputFailure(message + '\nThe batch so far (latest last):\n  ' + log.slice(-LOG_LINES).join('\n  '));
    }

    private static clip(text: string): string {
        return text.length > 300 ? text.slice(0, 300) + '... (' + text.length + ' characters)' : text;
    }
}

