import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';
import * as ts from 'typescript';

import { PACKAGE_ROOT, TestService } from '../../fixtures/TestService';

const PACKAGE_NAME = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;

/** The first ```js block of docs/clients.md (the client SDK), as a user would copy it. */
function readmeExample(): string {
    const section = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'clients.md'), 'utf8');
    const block = /^```js\n([\s\S]*?)^```$/m.exec(section);
    if (block == null) throw new Error('docs/clients.md has no js example');
    return block[1];
}

/**
 * A folder where `require('service-sessions')` finds this package, as after npm install,
 * next to the toolkit package its users import FilterParams and PagingParams from.
 */
function makeUserProject(): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-client-'));
    fs.mkdirSync(path.join(folder, 'node_modules'));
    fs.symlinkSync(PACKAGE_ROOT, path.join(folder, 'node_modules', PACKAGE_NAME), 'dir');
    fs.symlinkSync(path.join(PACKAGE_ROOT, 'node_modules', 'pip-services3-commons-nodex'),
        path.join(folder, 'node_modules', 'pip-services3-commons-nodex'), 'dir');
    return folder;
}

async function runNode(cwd: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return await new Promise(resolve => {
        execFile(process.execPath, [script], { cwd, timeout: 30000 }, (err, stdout, stderr) => {
            const code = err == null ? 0 : typeof err.code === 'number' ? err.code : null;
            resolve({ code, stdout, stderr });
        });
    });
}

describe('docs/clients.md: Client SDK', () => {
    let service: TestService;
    let project: string;

    before(async () => {
        service = await TestService.start({ MEMORY_ENABLED: 'true' });
        project = makeUserProject();
    });

    after(async () => {
        await service?.stop();
        if (project) fs.rmSync(project, { recursive: true, force: true });
    });

    it('runs the usage example as written, against a running service', async function () {
        this.timeout(60000);
        const example = readmeExample();
        expect(example).to.contain(`require('${PACKAGE_NAME}')`);
        expect(example).to.contain('new sdk.SessionsHttpClientV1(config)');
        // The one change: the port the test service listens on instead of 8080.
        expect(example.match(/port: 8080/g)).to.have.length(1);
        const port = new URL(service.url).port;
        fs.writeFileSync(path.join(project, 'example.js'), example.replace('port: 8080', 'port: ' + port));

        const run = await runNode(project, 'example.js');
        expect(run.stderr.replace(/^.*DeprecationWarning.*\n|^\(Use `node --trace-deprecation.*\n/gm, '')).to.equal('');
        expect(run.code, 'exit code (null: killed, did not exit by itself)').to.equal(0);
        expect(run.stdout).to.match(/^Opened session [0-9a-f]{32}; 1 session\(s\) listed\n$/);

        const listed = await service.call('get_sessions', { filter: { user_id: '123' } });
        expect(listed.body.data).to.have.length(1);
        expect(listed.body.data[0]).to.include({ user_name: 'Test User', address: '192.168.1.1', client: 'Test Client' });
    });

    it('gives TypeScript users the clients and data types from the package\'s main export', () => {
        const file = path.join(project, 'usage.ts');
        fs.writeFileSync(file, [
            `import { DataPage, FilterParams } from 'pip-services3-commons-nodex';`,
            `import { ISessionsClientV1, SessionsClientFactory, SessionsDirectClientV1, SessionsHttpClientV1,`,
            `    SessionsMockClientV1, SessionsNullClientV1, SessionV1 } from '${PACKAGE_NAME}';`,
            `export async function use(): Promise<void> {`,
            `    const clients: ISessionsClientV1[] = [new SessionsHttpClientV1({ connection: { port: 8080 } }),`,
            `        new SessionsDirectClientV1(), new SessionsMockClientV1(), new SessionsNullClientV1()];`,
            `    const session: SessionV1 = await clients[2].openSession(null, '123', 'Test User');`,
            `    const found: SessionV1 | null = await clients[2].getSessionById(null, session.id);`,
            `    const page: DataPage<SessionV1> = await clients[2].getSessions(null, FilterParams.fromTuples('user_id', '123'));`,
            `    const time: Date | undefined = found?.request_time ?? page.data[0]?.open_time;`,
            `    new SessionsClientFactory().create(SessionsClientFactory.MockClientV1Descriptor);`,
            `    void time;`,
            `}`
        ].join('\n'));
        const program = ts.createProgram([file], {
            strict: true, noEmit: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2019,
            moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true,
            typeRoots: [path.join(PACKAGE_ROOT, 'node_modules', '@types')], types: ['node']
        });
        const problems = ts.getPreEmitDiagnostics(program)
            .map(diagnostic => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        expect(problems).to.deep.equal([]);
    });
});
