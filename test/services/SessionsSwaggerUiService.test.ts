/// <reference lib="dom" />
// puppeteer-core's types and the callbacks run in the page name DOM types; tsconfig's lib is ES2020 only.
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import puppeteer, { Browser, Page } from 'puppeteer-core';

import { SessionsProcess } from '../../src/container/SessionsProcess';
import { freePort, TestService } from '../fixtures/TestService';
import { expectStrictPage, findChromium, rawGet, RawReply } from '../fixtures/RawHttpGet';
import { TEST_AUDIT_KEY } from '../fixtures/TestAuditKey';

const TRAVERSALS = [
    '/swagger/../package.json',
    '/swagger/../../../../etc/passwd',
    '/swagger/%2e%2e/%2e%2e/etc/passwd',
    '/swagger/%2e%2e%2fpackage.json',
    '/swagger/..%2fpackage.json',
    '/swagger/..%2f..%2f..%2fetc%2fpasswd',
    '/swagger/..\\package.json',
    '/swagger/%252e%252e/package.json',
    '/swagger//etc/passwd',
    '/swagger/./swagger-ui.css',
    '/swagger/swagger-ui.css/../../package.json',
    '//',
    '//etc/passwd',
    '/swagger/node_modules/swagger-ui-dist/package.json',
    '/swagger/package.json',
    '/swagger/swagger-ui-bundle.js.map',
    '/swagger/oauth2-redirect.html',
    '/swagger/absolute-path.js'
];

function expectNotFound(reply: RawReply, requestPath: string): void {
    expect(reply.status, requestPath).to.equal(404);
    expect(reply.headers['content-type'], requestPath).to.match(/^application\/json/);
    const body = JSON.parse(reply.text);
    expect(body, requestPath).to.include({ status: 404, code: 'RESOURCE_NOT_FOUND', category: 'NotFound' });
    // Nothing of a file: not package.json, not /etc/passwd, not a script or a stylesheet.
    expect(body.message, requestPath).to.match(/^Unknown route: GET /);
    expect(reply.text.length, requestPath).to.be.below(400);
    expect(reply.text, requestPath).to.not.match(/"dependencies"|root:x:0|SwaggerUIBundle|box-sizing/);
}

describe('SessionsSwaggerUiService over real HTTP', function () {
    let service: TestService;

    before(async function () {
        service = await TestService.start({ MEMORY_ENABLED: 'true' });
    });

    after(async () => {
        await service?.stop();
    });

    it('serves the page at /swagger, /swagger/ and /swagger/index.html under a strict CSP', async () => {
        for (const page of ['/swagger', '/swagger/', '/swagger/index.html']) {
            const reply = await rawGet(service.url, page);
            expectStrictPage(reply, page);
            expect(reply.text).to.include('<div id="swagger-ui"></div>');
            expect(reply.text).to.include('src="/swagger/swagger-ui-bundle.js"');
            // Nothing from another origin.
            expect(reply.text).to.not.match(/https?:\/\//);
        }
    });

    it('serves its assets with their types and an ETag', async () => {
        const assets: Array<[string, RegExp]> = [
            ['/swagger/swagger-ui-bundle.js', /^application\/javascript/],
            ['/swagger/swagger-initializer.js', /^application\/javascript/],
            ['/swagger/swagger-ui.css', /^text\/css/],
            ['/swagger/index.css', /^text\/css/],
            ['/swagger/favicon-32x32.png', /^image\/png$/],
            ['/swagger/favicon-16x16.png', /^image\/png$/]
        ];
        for (const [asset, type] of assets) {
            const reply = await rawGet(service.url, asset);
            expect(reply.status, asset).to.equal(200);
            expect(reply.headers['content-type'], asset).to.match(type);
            expect(Number(reply.headers['content-length']), asset).to.be.greaterThan(0);
            expect(reply.headers['x-content-type-options'], asset).to.equal('nosniff');
            const etag = reply.headers.etag;
            expect(etag, asset).to.be.a('string');
            const again = await rawGet(service.url, asset, { 'If-None-Match': etag });
            expect(again.status, asset).to.equal(304);
            expect(again.text).to.equal('');
        }
    });

    it('points the UI at the OpenAPI document on this origin, with no validator and no query configuration', async () => {
        const reply = await rawGet(service.url, '/swagger/swagger-initializer.js');
        expect(reply.text).to.include('"url": "/v1/sessions/swagger"');
        expect(reply.text).to.include('"validatorUrl": null');
        expect(reply.text).to.include('"queryConfigEnabled": false');
        const document = await rawGet(service.url, '/v1/sessions/swagger');
        expect(document.status).to.equal(200);
        // Without servers, Swagger UI calls the paths on the origin it loaded the document from.
        expect(JSON.parse(document.text).servers).to.equal(undefined);
    });

    it('answers 404 in the service error shape, with no file content, to every path outside its fixed list', async () => {
        for (const requestPath of TRAVERSALS) expectNotFound(await rawGet(service.url, requestPath), requestPath);
    });

    it('answers 405 to other methods on its routes', async () => {
        const reply = await fetch(service.url + '/swagger/swagger-ui.css', { method: 'POST', body: '{}' });
        expect(reply.status).to.equal(405);
        expect(reply.headers.get('allow')).to.equal('GET');
    });
});

describe('SessionsSwaggerUiService for a config written for the original', function () {
    let container: SessionsProcess;
    let url: string;
    let folder: string;

    before(async function () {
        const port = await freePort();
        url = 'http://127.0.0.1:' + port;
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'swagger-ui-'));
        const configPath = path.join(folder, 'config.yml');
        // The original's HTTP section, descriptors as it named them.
        fs.writeFileSync(configPath, [
            '- descriptor: "pip-services:logger:console:default:1.0"',
            '  level: "warn"',
            '- descriptor: "service-sessions:persistence:memory:default:1.0"',
            '- descriptor: "service-sessions:controller:default:default:1.0"',
            '  options:',
            '    audit_key: "' + TEST_AUDIT_KEY + '"',
            '- descriptor: "pip-services:endpoint:http:default:1.0"',
            '  connection:',
            '    protocol: "http"',
            '    host: "127.0.0.1"',
            '    port: ' + port,
            '- descriptor: "service-sessions:service:commandable-http:default:1.0"',
            '  swagger:',
            '    enable: true',
            '- descriptor: "pip-services:heartbeat-service:http:default:1.0"',
            '- descriptor: "pip-services:swagger-service:http:default:1.0"',
            ''
        ].join('\n'));
        container = new SessionsProcess();
        container.readConfigFromFile('test', configPath, SessionsProcess.parameters([], {}));
        await container.open('test');
    });

    after(async () => {
        await container?.close('test');
        if (folder != null) fs.rmSync(folder, { recursive: true, force: true });
    });

    it('gets the safe UI from pip-services:swagger-service:http:default:1.0', async () => {
        const page = await rawGet(url, '/swagger');
        expect(page.status).to.equal(200);
        expect(page.headers['content-security-policy']).to.include("default-src 'none'");
        for (const requestPath of ['/swagger/../package.json', '/swagger/%2e%2e/%2e%2e/etc/passwd', '/swagger/..%2fpackage.json']) {
            expectNotFound(await rawGet(url, requestPath), requestPath);
        }
    });
});

describe('SessionsSwaggerUiService in headless Chromium', function () {
    this.timeout(120000);
    let service: TestService;
    let browser: Browser | null = null;

    before(async function () {
        const executablePath = findChromium();
        if (executablePath == null) {
            if (process.env.CI_REQUIRE_BROWSER === 'true') {
                throw new Error('CI_REQUIRE_BROWSER=true but no chromium was found (apt-get install chromium, or set CHROMIUM_PATH)');
            }
            console.log('      pending: no chromium found; apt-get install chromium (or set CHROMIUM_PATH) to run the browser test');
            this.skip();
        }
        service = await TestService.start({ MEMORY_ENABLED: 'true' });
        // --no-sandbox: the tests may run as root, where Chromium refuses its sandbox.
        browser = await puppeteer.launch({
            executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu']
        });
    });

    after(async () => {
        await browser?.close();
        await service?.stop();
    });

    it('lists every command and runs open_session with "Try it out"', async () => {
        const page: Page = await (browser as Browser).newPage();
        const problems: string[] = [];
        const requested: string[] = [];
        page.on('pageerror', (err) => problems.push('page error: ' + String(err)));
        page.on('console', (message) => {
            if (message.type() === 'error' || message.type() === 'warn') problems.push(message.type() + ': ' + message.text());
        });
        page.on('requestfailed', (request) => problems.push('failed: ' + request.url()));
        page.on('request', (request) => requested.push(request.url()));

        const response = await page.goto(service.url + '/swagger', { waitUntil: 'load' });
        expect(response?.status()).to.equal(200);
        await page.waitForSelector('.opblock-summary-path', { timeout: 60000 });

        const document = JSON.parse((await rawGet(service.url, '/v1/sessions/swagger')).text) as { paths: Record<string, unknown> };
        const expectedPaths = Object.keys(document.paths).sort();
        expect(expectedPaths).to.include('/v1/sessions/open_session');
        const listed = await page.$$eval('.opblock-summary-path', (elements) => elements.map(element => element.getAttribute('data-path')));
        expect([...listed].sort()).to.deep.equal(expectedPaths);

        const operation = '.opblock:has(.opblock-summary-path[data-path="/v1/sessions/open_session"])';
        await page.click(operation + ' .opblock-summary');
        await page.waitForSelector(operation + ' .try-out__btn');
        await page.click(operation + ' .try-out__btn');
        const bodyEditor = operation + ' textarea.body-param__text';
        await page.waitForSelector(bodyEditor);
        await page.click(bodyEditor);
        await page.keyboard.down('Control');
        await page.keyboard.press('KeyA');
        await page.keyboard.up('Control');
        await page.keyboard.press('Backspace');
        await page.type(bodyEditor, JSON.stringify({ user_id: 'swagger-ui-user', user_name: 'Swagger UI', client: 'browser' }));
        await page.click(operation + ' button.execute');

        const status = operation + ' .live-responses-table tbody .response-col_status';
        await page.waitForSelector(status, { timeout: 60000 });
        expect((await page.$eval(status, element => element.textContent ?? '')).trim()).to.equal('200');
        const shown = await page.$eval(operation + ' .live-responses-table tbody .response-col_description', element => element.textContent ?? '');
        const match = /"id":\s*"([0-9a-f]{32})"/.exec(shown);
        expect(match, shown).to.not.equal(null);
        expect(shown).to.include('swagger-ui-user');
        await page.screenshot({ path: path.join(os.tmpdir(), 'swagger-ui.png'), fullPage: true });

        const stored = await service.call('get_session_by_id', { session_id: (match as RegExpExecArray)[1] });
        expect(stored.status).to.equal(200);
        expect(stored.body).to.include({ user_id: 'swagger-ui-user', user_name: 'Swagger UI', client: 'browser', active: true });

        // Everything came from the service itself: no CDN, no validator, no telemetry.
        const foreign = requested.filter(url => !url.startsWith(service.url + '/') && !url.startsWith('data:'));
        expect(foreign).to.deep.equal([]);
        expect(problems).to.deep.equal([]);
        await page.close();
    });

    it('shows each command\'s summary and examples, and the SessionV1 schema with its fields', async () => {
        const page: Page = await (browser as Browser).newPage();
        const problems: string[] = [];
        page.on('pageerror', (err) => problems.push('page error: ' + String(err)));
        await page.goto(service.url + '/swagger', { waitUntil: 'load' });
        await page.waitForSelector('.opblock-summary-path', { timeout: 60000 });

        const operation = '.opblock:has(.opblock-summary-path[data-path="/v1/sessions/open_session"])';
        const summary = await page.$eval(operation + ' .opblock-summary-description', element => element.textContent ?? '');
        expect(summary.trim()).to.equal('Open a new session for a user');
        await page.click(operation + ' .opblock-summary');
        // The example request in the body and the example reply under 200: the example session's id.
        const textOf = (selector: string, text: string): Promise<unknown> => page.waitForFunction(
            (inner: string, wanted: string) => (document.querySelector(inner)?.textContent ?? '').includes(wanted),
            { timeout: 30000 }, selector, text);
        await textOf(operation + ' .opblock-description-wrapper', 'max_sessions_per_user');
        await textOf(operation + ' .body-param__example, ' + operation + ' .opblock-section-request-body', '"user_id": "1"');
        await textOf(operation + ' .responses-wrapper', '0f4c3a9e2b7d4e61a8c5f2d9b3e7a1c4');
        await textOf(operation + ' .responses-wrapper', 'SESSION_LIMIT_REACHED');

        // The Schemas section: SessionV1, opened, lists its fields with the close_reason values.
        const model = '#model-SessionV1';
        await page.waitForSelector(model);
        await page.click(model + ' button');
        await textOf(model, 'close_reason');
        // Each field is folded ([...]); unfold them all to see types and values.
        await page.$$eval(model + ' .model-toggle.collapsed', toggles => toggles.forEach(toggle => (toggle as HTMLElement).click()));
        await textOf(model, 'date-time');
        const shown = await page.$eval(model, element => element.textContent ?? '');
        for (const text of ['expires_at', 'date-time', 'evicted', 'user_name']) expect(shown, text).to.include(text);
        await page.screenshot({ path: path.join(os.tmpdir(), 'swagger-ui-schemas.png'), fullPage: true });
        expect(problems).to.deep.equal([]);
        await page.close();
    });
});
