import { expect } from 'chai';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import openapiTS, { astToString } from 'openapi-typescript';

import { OpenApiReplies } from '../../fixtures/OpenApiReplies';
import { PACKAGE_ROOT, TestService } from '../../fixtures/TestService';

/** A program that calls every command with fetch, typed only by the generated paths and components. */
const CLIENT = `
import type { components, paths } from './sessions-api';

type Command = keyof paths;
type Arguments<C extends Command> = NonNullable<paths[C]['post']['requestBody']>['content']['application/json'];
type Responses<C extends Command> = paths[C]['post']['responses'];
type Result<C extends Command> = Responses<C> extends { 200: { content: { 'application/json': infer T } } } ? T : never;
export type SessionV1 = components['schemas']['SessionV1'];

export async function call<C extends Command>(base: string, key: string, command: C, args: Arguments<C>): Promise<Result<C> | null> {
    const response = await fetch(base + command, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'x-api-key': key }, body: JSON.stringify(args)
    });
    if (response.status === 204) return null;
    if (!response.ok) {
        const error = await response.json() as components['schemas']['Error'];
        throw new Error(error.code + ': ' + error.message);
    }
    return await response.json() as Result<C>;
}

export async function everyCommand(base: string, key: string): Promise<void> {
    const opened = await call(base, key, '/v1/sessions/open_session',
        { user_id: '1', user_name: 'Test User', address: null, client: 'web', user: { roles: ['admin'] }, data: [1, 'two'] });
    if (opened == null) throw new Error('open_session answers a session');
    const id: string = opened.id;
    const active: boolean = opened.active;
    const expires: string | null = opened.expires_at;
    const reason: 'logout' | 'idle' | 'absolute' | 'revoked' | 'evicted' | null = opened.close_reason;
    const user: unknown = opened.user;

    const page = await call(base, key, '/v1/sessions/get_sessions',
        { filter: { user_id: '1', active: true, from_time: '2024-05-01T00:00:00.000Z' }, paging: { skip: 0, take: 10, total: true } });
    const total: number | null | undefined = page?.total;
    const first: SessionV1 | undefined = page?.data[0];

    const found: SessionV1 | null = await call(base, key, '/v1/sessions/get_session_by_id', { session_id: id });
    const valid: SessionV1 | null = await call(base, key, '/v1/sessions/validate_session', { session_id: id });
    await call(base, key, '/v1/sessions/store_session_data', { session_id: id, data: { theme: 'light' } });
    await call(base, key, '/v1/sessions/update_session_user', { session_id: id, user: { roles: [] } });
    const revoked = await call(base, key, '/v1/sessions/close_user_sessions', { user_id: '1', except_session_id: id });
    const count: number | undefined = revoked?.closed;
    const closed = await call(base, key, '/v1/sessions/close_session', { session_id: id });
    const closeTime: string | null | undefined = closed?.close_time;
    const nothing: null = await call(base, key, '/v1/sessions/close_expired_sessions', {});
    const deleted: SessionV1 | null = await call(base, key, '/v1/sessions/delete_session_by_id', { session_id: id });
    const code: components['schemas']['ErrorCode'] = 'SESSION_CLOSED';
    console.log(active, expires, reason, user, total, first, found, valid, count, closeTime, nothing, deleted, code);
}
`;

/** The mistakes the generated types must refuse, one per line (line numbers are checked). */
const WRONG = `import { call } from './client';
export async function mistakes(base: string, key: string): Promise<void> {
    await call(base, key, '/v1/sessions/open_session', { userid: '1' });
    await call(base, key, '/v1/sessions/store_session_data', { session_id: 'x' });
    const session = await call(base, key, '/v1/sessions/get_session_by_id', { session_id: 'x' });
    console.log(session?.user_nam);
    await call(base, key, '/v1/sessions/close_all_sessions', {});
    const reason: 'logout' | null | undefined = session?.close_reason;
    console.log(reason);
}
`;

/** tsc's output as one entry per diagnostic: its indented lines continue the one before. */
function diagnosticsOf(output: string): string[] {
    const diagnostics: string[] = [];
    for (const line of output.split('\n')) {
        if (line.trim() === '') continue;
        if (/^\s/.test(line) && diagnostics.length > 0) diagnostics[diagnostics.length - 1] += '\n' + line;
        else diagnostics.push(line);
    }
    return diagnostics;
}

/** Runs the project's TypeScript compiler (strict, no emit) on a folder's tsconfig.json; its diagnostics. */
async function typeCheck(folder: string): Promise<string[]> {
    const tsc = path.join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    return await new Promise<string[]>((resolve, reject) => {
        execFile(process.execPath, [tsc, '--project', folder, '--pretty', 'false'], { cwd: folder }, (error, stdout) => {
            if (error != null && typeof error.code !== 'number') reject(error);
            else resolve(diagnosticsOf(stdout));
        });
    });
}

describe('TypeScript types generated from the OpenAPI document (openapi-typescript)', function () {
    this.timeout(120000);
    let service: TestService;
    let folder: string;

    before(async () => {
        service = await TestService.start({ MEMORY_ENABLED: 'true', HTTP_API_KEY: 'types-full-key-0123456789', APP_API_KEY: 'types-app-key-0123456789' });
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-openapi-types-'));
    });

    after(async () => {
        await service?.stop();
        if (folder != null) fs.rmSync(folder, { recursive: true, force: true });
    });

    it('type-check a client calling every command, and refuse wrong field names, arguments and commands', async () => {
        const document = (await OpenApiReplies.fetch(service.url)).document;
        const types = astToString(await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]));
        fs.writeFileSync(path.join(folder, 'sessions-api.ts'), types);
        fs.writeFileSync(path.join(folder, 'client.ts'), CLIENT);
        fs.writeFileSync(path.join(folder, 'wrong.ts'), WRONG);
        fs.writeFileSync(path.join(folder, 'tsconfig.json'), JSON.stringify({
            compilerOptions: {
                strict: true, noEmit: true, target: 'ES2022', module: 'commonjs', lib: ['ES2022', 'DOM'], types: [],
                noUnusedLocals: false, exactOptionalPropertyTypes: false
            },
            files: ['sessions-api.ts', 'client.ts', 'wrong.ts']
        }));

        const diagnostics = await typeCheck(folder);
        const outside = diagnostics.filter(line => !line.startsWith('wrong.ts('));
        expect(outside, 'the generated types and the client type-check').to.deep.equal([]);
        const at = (line: number): string[] => diagnostics.filter(diagnostic => diagnostic.startsWith('wrong.ts(' + line + ','));
        expect(at(3).join('\n'), 'a misspelt argument').to.match(/'userid' does not exist/);
        expect(at(4).join('\n'), 'a missing required argument').to.match(/'data' is missing/);
        expect(at(6).join('\n'), 'a misspelt field of the reply').to.match(/'user_nam' does not exist/);
        expect(at(7).join('\n'), 'an unknown command').to.match(/close_all_sessions/);
        expect(at(8).join('\n'), 'close_reason has more values than logout').to.match(/not assignable/);
        expect(diagnostics.length, diagnostics.join('\n')).to.equal(5);
    });
});
