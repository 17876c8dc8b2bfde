import * as fs from 'fs';
import * as path from 'path';

import { expect } from 'chai';

import { PACKAGE_ROOT } from '../fixtures/TestService';

/** README.md and every docs/*.md, relative to the package root. */
function markdownFiles(): string[] {
    const docs = fs.readdirSync(path.join(PACKAGE_ROOT, 'docs')).filter(name => name.endsWith('.md')).sort();
    return ['README.md', ...docs.map(name => 'docs/' + name)];
}

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
    return markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces to -. */
function anchorOf(heading: string): string {
    return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
    const text = fs.readFileSync(path.join(PACKAGE_ROOT, file), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
    const anchors = new Set<string>();
    for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
        const base = anchorOf(match[1]);
        let anchor = base;
        for (let n = 1; anchors.has(anchor); n++) anchor = base + '-' + n;
        anchors.add(anchor);
    }
    return anchors;
}

describe('Docs: README.md and docs/', () => {
    it('link only to files and headings that exist', () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            const text = prose(fs.readFileSync(path.join(PACKAGE_ROOT, file), 'utf8'));
            for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                const target = match[1];
                if (/^[a-z]+:/i.test(target)) continue;    // https:, mailto:
                const [filePart, anchor] = target.split('#');
                const resolved = filePart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), filePart));
                if (!fs.existsSync(path.join(PACKAGE_ROOT, resolved))) {
                    broken.push(file + ': ' + target + ' (no file ' + resolved + ')');
                } else if (anchor != null && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
                    broken.push(file + ': ' + target + ' (no heading #' + anchor + ' in ' + resolved + ')');
                }
            }
        }
        expect(broken).to.deep.equal([]);
    });

    it('are all reachable from README.md', () => {
        const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
        const unlinked = markdownFiles().filter(file => file !== 'README.md' && !readme.includes('](' + file + ')'));
        expect(unlinked).to.deep.equal([]);
    });

    it('keep README.md short, with `npm test` as its test command (.ci/run runs it)', () => {
        const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
        expect(Buffer.byteLength(readme)).to.be.below(12 * 1024);
        expect(readme).to.match(/^```bash\nnpm test\n```$/m);
    });
});
