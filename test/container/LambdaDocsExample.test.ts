import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { PACKAGE_ROOT } from '../fixtures/TestService';

const PACKAGE_NAME = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;

/** The ```js block of docs/lambda.md, as a user would copy it. */
function docsExample(): string {
    const docs = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'lambda.md'), 'utf8');
    const blocks = [...docs.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(match => match[1]);
    expect(blocks, 'js examples of docs/lambda.md').to.have.length(1);
    return blocks[0];
}

describe('docs/lambda.md: the handler in Node.js code', function () {
    this.timeout(60000);
    let project: string;

    before(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-lambda-user-'));
        fs.mkdirSync(path.join(project, 'node_modules'));
        fs.symlinkSync(PACKAGE_ROOT, path.join(project, 'node_modules', PACKAGE_NAME), 'dir');
    });

    after(() => {
        fs.rmSync(project, { recursive: true, force: true });
    });

    it('runs as written: opens a session on the memory store and prints its id', async () => {
        fs.writeFileSync(path.join(project, 'example.js'), docsExample());
        const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(resolve => {
            // The function's own defaults (memory store, no HTTP), whatever the test run's environment.
            const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(HTTP|MONGO|FILE|MEMORY|SENECA|GRPC)_|^CONFIG_PATH$/.test(name)));
            execFile(process.execPath, ['example.js'], { cwd: project, env, timeout: 30000 }, (err, out, errOut) => {
                resolve({ code: err == null ? 0 : typeof err.code === 'number' ? err.code : null, stdout: out, stderr: errOut });
            });
        });
        expect(code, stderr).to.equal(0);
        expect(stdout.trim().split('\n').pop()).to.match(/^[0-9a-f]{32}$/);
    });
});
