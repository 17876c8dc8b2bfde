import { execFile, spawn } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

import { expect } from 'chai';

import { SessionsStdoutLines } from '../../src/container/SessionsStdoutLines';

const run = promisify(execFile);

/** Records every write to stdout and stderr, in order, while the action and the turn after it run. */
async function recordWrites(action: () => void): Promise<string[]> {
    const writes: string[] = [];
    const stdoutWrite = process.stdout.write;
    const stderrWrite = process.stderr.write;
    process.stdout.write = ((chunk: string) => { writes.push('out:' + chunk); return true; }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => { writes.push('err:' + chunk); return true; }) as typeof process.stderr.write;
    try {
        action();
        writes.push('-- turn ends');
        await new Promise(resolve => setImmediate(resolve));
    } finally {
        process.stdout.write = stdoutWrite;
        process.stderr.write = stderrWrite;
    }
    return writes;
}

describe('SessionsStdoutLines', () => {
    it('writes the lines of one turn in one write, in order, after the turn', async () => {
        const writes = await recordWrites(() => {
            SessionsStdoutLines.write('audit one');
            SessionsStdoutLines.write('audit two');
            SessionsStdoutLines.write('audit three');
        });
        expect(writes).to.deep.equal(['-- turn ends', 'out:audit one\naudit two\naudit three\n']);
    });

    it('writes the gathered lines before a line for stderr, and that line at once', async () => {
        const writes = await recordWrites(() => {
            SessionsStdoutLines.write('info before');
            SessionsStdoutLines.writeError('error now');
            SessionsStdoutLines.write('info after');
        });
        expect(writes).to.deep.equal(['out:info before\n', 'err:error now\n', '-- turn ends', 'out:info after\n']);
    });

    it('writes the gathered lines when the process exits within the turn', async () => {
        const module = path.resolve(__dirname, '../../src/container/SessionsStdoutLines.js');
        const script = 'const { SessionsStdoutLines } = require(' + JSON.stringify(module) + ');'
            + 'SessionsStdoutLines.write("audit last"); process.exit(3);';
        const failure = await run(process.execPath, ['-e', script]).then(() => null, (err: { code: number; stdout: string }) => err);
        expect(failure?.code).to.equal(3);
        expect(failure?.stdout).to.equal('audit last\n');
    });

    it('keeps the process running when the reader of its stdout goes away', async () => {
        const module = path.resolve(__dirname, '../../src/container/SessionsStdoutLines.js');
        const script = 'const { SessionsStdoutLines } = require(' + JSON.stringify(module) + '); let n = 0;'
            + 'const timer = setInterval(() => { SessionsStdoutLines.write("audit " + n + " " + "x".repeat(1000));'
            + ' if (++n === 100) { clearInterval(timer); SessionsStdoutLines.writeError("still running"); } }, 2);';
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
        const code = await new Promise<number | null>(resolve => child.on('close', resolve));
        expect(stderr).to.equal('still running\n');
        expect(code).to.equal(0);
    });
});
