import { promises as fs } from 'fs';
import * as path from 'path';

import { expect } from 'chai';
import { ConfigParams, Descriptor, References } from 'pip-services3-commons-nodex';

import { SessionsEnvironment } from '../../../src/container/SessionsEnvironment';
import { SessionsErrorCatalogue, SessionsErrorCode } from '../../../src/data/version1/SessionsErrorCatalogue';
import { SessionsController } from '../../../src/logic/SessionsController';
import { SessionsMemoryPersistence } from '../../../src/persistence/memory/SessionsMemoryPersistence';
import { SessionsOpenApiDocument } from '../../../src/services/version1/SessionsOpenApiDocument';
import { PACKAGE_ROOT } from '../../fixtures/TestService';
import { TEST_AUDIT_KEY } from '../../fixtures/TestAuditKey';

const SRC = path.join(PACKAGE_ROOT, 'src');
const CATALOGUE = path.join(SRC, 'data', 'version1', 'SessionsErrorCatalogue.ts');

/** Upper-case string literals of src/ that are not error codes, and why. */
const NOT_ERROR_CODES: Readonly<Record<string, string>> = {
    DELETE: 'HTTP method', HEAD: 'HTTP method', PATCH: 'HTTP method', POST: 'HTTP method',
    ECONNRESET: 'Node errno', EPIPE: 'Node errno', ENOENT: 'Node errno',
    ERR_HTTP_REQUEST_TIMEOUT: 'Node error code', HPE_HEADER_OVERFLOW: 'Node HTTP parser error code',
    SIGINT: 'signal', SIGTERM: 'signal',
    HTTP: 'the start-up line\'s name of the HTTP API',
    UNKNOWN: 'Seneca\'s origin of a message without one',
    DENY: 'the X-Frame-Options header value',
    MATCH: 'Redis SCAN option', COUNT: 'Redis SCAN option', WITHSCORES: 'Redis ZRANGEBYSCORE option', LIMIT: 'Redis ZRANGEBYSCORE option',
    ...Object.fromEntries(['PING', 'SCAN', 'UNLINK', 'HGET', 'HGETALL', 'HMGET', 'HSET', 'HSETNX', 'PERSIST', 'PEXPIREAT', 'ZRANGEBYSCORE', 'ZCOUNT']
        .map(command => [command, 'Redis command']))
};

async function sourceFiles(dir: string): Promise<string[]> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const files = await Promise.all(entries.map(entry => entry.isDirectory()
        ? sourceFiles(path.join(dir, entry.name))
        : Promise.resolve(entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [])));
    return files.flat();
}

/** The upper-case string literals of the code (not of its comments), with where each is. */
async function literals(): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (const file of await sourceFiles(SRC)) {
        if (file === CATALOGUE) continue;
        const lines = (await fs.readFile(file, 'utf8')).split('\n');
        lines.forEach((line, index) => {
            if (/^\s*(\*|\/\/|\/\*)/.test(line)) return;
            for (const match of line.matchAll(/(['"`])([A-Z][A-Z0-9_]{3,})\1/g)) {
                const where = path.relative(PACKAGE_ROOT, file) + ':' + (index + 1);
                found.set(match[2], [...(found.get(match[2]) ?? []), where]);
            }
        });
    }
    return found;
}

describe('SessionsErrorCatalogue: every error code, once', () => {
    it('holds every error-code string literal of src/', async () => {
        const variables = new Set(SessionsEnvironment.Variables.map(variable => variable.name));
        const codes = SessionsErrorCatalogue.codes();
        const missing = [...(await literals())]
            .filter(([literal]) => !codes.has(literal) && !variables.has(literal) && NOT_ERROR_CODES[literal] == null)
            .map(([literal, where]) => literal + ' (' + where.join(', ') + ')');
        expect(missing, 'codes in src/ but not in SessionsErrorCatalogue (or NOT_ERROR_CODES of this test)').to.deep.equal([]);
    });

    it('lists no code that src/ never raises', async () => {
        const text = (await Promise.all((await sourceFiles(SRC)).filter(file => file !== CATALOGUE)
            .map(file => fs.readFile(file, 'utf8')))).join('\n');
        const unused = [...SessionsErrorCatalogue.codes()].filter(code => !text.includes('SessionsErrorCode.' + code)
            && !text.includes('\'' + code + '\''));
        expect(unused).to.deep.equal([]);
    });

    it('has one constant per code, each its own name', () => {
        for (const [name, code] of Object.entries(SessionsErrorCode)) expect(code, name).to.equal(name);
        expect([...SessionsErrorCatalogue.codes()].sort()).to.deep.equal(Object.keys(SessionsErrorCode).sort());
    });

    it('lists a code once per source, a reply\'s with the APIs that answer it', () => {
        const seen = new Set<string>();
        for (const entry of SessionsErrorCatalogue.Entries) {
            const key = entry.source + ' ' + entry.code;
            expect(seen.has(key), key + ' twice').to.equal(false);
            seen.add(key);
            expect(entry.meaning, entry.code).to.match(/^\S.*\S$/);
            expect(entry.meaning, entry.code).to.not.include('\n');
            expect(entry.meaning, entry.code).to.not.include('|');
            if (entry.source === 'api') expect(entry.apis ?? [], entry.code).to.not.be.empty;
        }
    });

    it('is what the OpenAPI document declares: each refusal\'s code and status', () => {
        const persistence = new SessionsMemoryPersistence();
        const controller = new SessionsController();
        controller.configure(ConfigParams.fromTuples('options.audit_key', TEST_AUDIT_KEY));
        controller.setReferences(References.fromTuples(
            new Descriptor('service-sessions', 'persistence', 'memory', 'default', '1.0'), persistence));
        const commands = controller.getCommandSet().getCommands();
        const document = SessionsOpenApiDocument.create('v1/sessions', commands, { fullKey: true, applicationKey: true }) as {
            paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }> }>>
        };
        let declared = 0;
        for (const [route, methods] of Object.entries(document.paths)) {
            for (const operation of Object.values(methods)) {
                for (const [status, response] of Object.entries(operation.responses)) {
                    if (Number(status) < 400) continue;
                    for (const code of Object.keys(response.content?.['application/json']?.examples ?? {})) {
                        declared++;
                        expect(SessionsErrorCatalogue.reply(code)?.status, route + ' ' + status + ' ' + code).to.equal(Number(status));
                    }
                }
            }
        }
        expect(declared).to.be.greaterThan(0);
    });

    it('is the tables of docs/http.md, so the docs say what the code answers', async () => {
        const docs = await fs.readFile(path.join(PACKAGE_ROOT, 'docs', 'http.md'), 'utf8');
        expect(docs, 'docs/http.md "Errors" is SessionsErrorCatalogue.markdownTable([\'api\'])')
            .to.contain(SessionsErrorCatalogue.markdownTable(['api']));
        expect(docs, 'docs/http.md "Other error codes" is SessionsErrorCatalogue.markdownTable(OTHER_SOURCES)')
            .to.contain(SessionsErrorCatalogue.markdownTable(['ready', 'client', 'start', 'rule', 'process']));
    });
});
