import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect } from 'chai';

import { freePort, PACKAGE_ROOT, TestService } from '../../fixtures/TestService';

const PACKAGE_NAME = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }).name;

/** The runnable ```js blocks of docs/seneca.md (the Seneca protocol and plugin), as a user would copy them. */
function readmeExamples(): string[] {
    const section = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'seneca.md'), 'utf8');
    const blocks = [...section.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map(match => match[1]);
    return blocks.filter(block => block.includes(`require('${PACKAGE_NAME}')`));
}

function example(plugin: string): string {
    const found = readmeExamples().filter(block => block.includes('{ ' + plugin + ' }'));
    expect(found, 'one docs/seneca.md example uses ' + plugin).to.have.length(1);
    return found[0];
}

/** A folder where require() finds this package, seneca and seneca-promisify, as after npm install. */
function makeUserProject(): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-seneca-user-'));
    fs.mkdirSync(path.join(folder, 'node_modules'));
    fs.symlinkSync(PACKAGE_ROOT, path.join(folder, 'node_modules', PACKAGE_NAME), 'dir');
    for (const name of ['seneca', 'seneca-promisify']) {
        fs.symlinkSync(path.join(PACKAGE_ROOT, 'node_modules', name), path.join(folder, 'node_modules', name), 'dir');
    }
    return folder;
}

/** stderr without Node's deprecation notices about the toolkit's HTTP stack (restify's spdy), as the Client SDK test does. */
function errorsOf(stderr: string): string {
    return stderr.replace(/^.*DeprecationWarning.*\n|^\(Use `node --trace-deprecation.*\n/gm, '');
}

async function runNode(cwd: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return await new Promise(resolve => {
        execFile(process.execPath, [script], { cwd, timeout: 30000 }, (err, stdout, stderr) => {
            const code = err == null ? 0 : typeof err.code === 'number' ? err.code : null;
            resolve({ code, stdout, stderr });
        });
    });
}

describe('docs/seneca.md: Seneca protocol', function () {
    this.timeout(60000);
    let project: string;

    before(() => {
        project = makeUserProject();
    });

    after(() => {
        if (project) fs.rmSync(project, { recursive: true, force: true });
    });

    it('runs the plugin example as written: a host application with the file store', async () => {
        fs.writeFileSync(path.join(project, 'plugin.js'), example('SessionsSenecaPlugin'));
        const run = await runNode(project, 'plugin.js');
        expect(errorsOf(run.stderr)).to.equal('');
        expect(run.code, 'exit code (null: killed, did not exit by itself)').to.equal(0);
        const printed = /^Test User has session ([0-9a-f]{32}) with \{"theme":"dark"\}\n$/.exec(run.stdout);
        expect(printed, run.stdout).to.not.equal(null);
        const onDisk = JSON.parse(fs.readFileSync(path.join(project, 'data', 'sessions.json'), 'utf8')) as Array<{ id: string }>;
        expect(onDisk.map(item => item.id)).to.deep.equal([printed![1]]);
    });

    it('runs the client example as written, against the standalone service', async () => {
        const port = await freePort();
        const service = await TestService.start({
            MEMORY_ENABLED: 'true', SENECA_ENABLED: 'true', SENECA_HOST: '127.0.0.1', SENECA_PORT: String(port)
        });
        try {
            const code = example('SessionsSenecaClientPlugin');
            // The one change: where the test service listens instead of localhost:8807.
            expect(code.match(/host: 'localhost', port: 8807/g)).to.have.length(1);
            fs.writeFileSync(path.join(project, 'client.js'), code.replace("host: 'localhost', port: 8807", "host: '127.0.0.1', port: " + port));
            const run = await runNode(project, 'client.js');
            expect(errorsOf(run.stderr)).to.equal('');
            expect(run.code, 'exit code (null: killed, did not exit by itself)').to.equal(0);
            expect(run.stdout).to.match(/^Opened session [0-9a-f]{32}\nINVALID_DATA 400\n$/);
        } finally {
            await service.stop();
        }
    });
});
