/// <reference lib="dom" />
// puppeteer-core's types and the callbacks run in the page name DOM types; tsconfig's lib is ES2020 only.
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import puppeteer, { Browser, Page } from 'puppeteer-core';

import { SessionsStdoutLines } from '../../src/container/SessionsStdoutLines';
import { TestService } from '../fixtures/TestService';
import { expectStrictPage, findChromium, rawGet } from '../fixtures/RawHttpGet';
import { HttpReply } from '../fixtures/HttpReply';
import { MongoTestServer } from '../fixtures/MongoTestServer';

const FULL_KEY = 'console-test-full-key-0123456789';
const APP_KEY = 'console-test-app-key-0123456789a';
const KEY_ITEM = 'service-sessions.console.key';
/** The audit lines are INFO; as JSON the test reads them from stdout. */
const AUDITED = { LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
/** Where the tests write their screenshots: look at them while changing the page. */
const SCREENSHOTS = path.join(os.tmpdir(), 'sessions-console');

/** A command with the full key, as the test's own client. */
async function callWithKey(service: TestService, command: string, args: unknown): Promise<HttpReply> {
    return await service.call(command, args, {
        headers: { 'Content-Type': 'application/json', 'x-api-key': FULL_KEY }
    });
}

describe('SessionsConsoleService over real HTTP', function () {
    let service: TestService;

    before(async function () {
        service = await TestService.start({ MEMORY_ENABLED: 'true', HTTP_API_KEY: FULL_KEY });
    });

    after(async () => {
        await service?.stop();
    });

    it('serves the page at /console, /console/ and /console/index.html under a strict CSP, with no key', async () => {
        for (const page of ['/console', '/console/', '/console/index.html']) {
            const reply = await rawGet(service.url, page);
            expectStrictPage(reply, page);
            // No inline handler, no inline style, nothing from another origin.
            expect(reply.text).to.not.match(/\son[a-z]+=/i);
            expect(reply.text).to.not.match(/\sstyle=|<style/i);
            expect(reply.text).to.not.match(/(src|href)="(https?:)?\/\//);
            expect(reply.text).to.include('src="/console/console.js"');
        }
    });

    it('serves its script and stylesheet with their types, the same headers and an ETag', async () => {
        for (const [asset, type] of [['/console/console.js', /^application\/javascript/], ['/console/console.css', /^text\/css/]] as const) {
            const reply = await rawGet(service.url, asset);
            expect(reply.status, asset).to.equal(200);
            expect(reply.headers['content-type'], asset).to.match(type);
            expect(reply.headers['x-content-type-options'], asset).to.equal('nosniff');
            expect(reply.headers['content-security-policy'], asset).to.include("frame-ancestors 'none'");
            const again = await rawGet(service.url, asset, { 'If-None-Match': reply.headers.etag });
            expect(again.status, asset).to.equal(304);
        }
    });

    it('answers 404 to every other path under /console, and serves no data route of its own', async () => {
        for (const requestPath of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/..%2fpackage.json',
            '/console/console.ts', '/console/sessions', '/console/api/get_sessions', '/console/index.htm']) {
            const reply = await rawGet(service.url, requestPath);
            expect(reply.status, requestPath).to.equal(404);
            expect(reply.text, requestPath).to.not.match(/"dependencies"|use strict/);
        }
        // The data it shows comes from the API, which still wants the key.
        expect((await service.call('get_sessions', {})).status).to.equal(401);
    });
});

describe('SessionsConsoleService switched off', function () {
    let service: TestService;

    before(async function () {
        service = await TestService.start({ MEMORY_ENABLED: 'true', CONSOLE_ENABLED: 'false' });
    });

    after(async () => {
        await service?.stop();
    });

    it('is not served with CONSOLE_ENABLED=false, while the API and Swagger UI are', async () => {
        expect((await rawGet(service.url, '/console')).status).to.equal(404);
        expect((await rawGet(service.url, '/console/console.js')).status).to.equal(404);
        expect((await rawGet(service.url, '/swagger')).status).to.equal(200);
        expect((await service.call('get_sessions', {})).status).to.equal(200);
    });
});

describe('SessionsConsoleService in headless Chromium', function () {
    this.timeout(180000);
    let service: TestService;
    let browser: Browser | null = null;
    const auditLines: Array<Record<string, unknown>> = [];
    const originalWrite = process.stdout.write;

    before(async function () {
        const executablePath = findChromium();
        if (executablePath == null) {
            if (process.env.CI_REQUIRE_BROWSER === 'true') {
                throw new Error('CI_REQUIRE_BROWSER=true but no chromium was found (apt-get install chromium, or set CHROMIUM_PATH)');
            }
            console.log('      pending: no chromium found; apt-get install chromium (or set CHROMIUM_PATH) to run the browser test');
            this.skip();
        }
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        // The service's JSON log lines are kept (the audit ones read) and kept off the test output.
        process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
            const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
            if (text.startsWith('{"time"') || text.startsWith('{"level"') || /^\{.*"source"/.test(text)) {
                for (const line of text.split('\n').filter(item => item !== '')) {
                    const entry = JSON.parse(line) as Record<string, unknown>;
                    if (entry.audit != null) auditLines.push(entry.audit as Record<string, unknown>);
                }
                return true;
            }
            return (originalWrite as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
        }) as typeof process.stdout.write;
        service = await TestService.start({
            MEMORY_ENABLED: 'true', HTTP_API_KEY: FULL_KEY, APP_API_KEY: APP_KEY, ...AUDITED
        });
        // --no-sandbox: the tests may run as root, where Chromium refuses its sandbox.
        browser = await puppeteer.launch({
            executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu']
        });
    });

    after(async () => {
        await browser?.close();
        await service?.stop();
        SessionsStdoutLines.flush();
        process.stdout.write = originalWrite;
    });

    /** A page whose console errors, page errors, failed requests and requests to another origin than origin are recorded. */
    async function openPage(width: number, problems: string[], origin: string = service.url): Promise<Page> {
        const page = await (browser as Browser).newPage();
        await page.setViewport({ width, height: 900 });
        page.on('pageerror', (err) => problems.push('page error: ' + String(err)));
        page.on('console', (message) => {
            if (message.type() === 'error' || message.type() === 'warn') problems.push(message.type() + ': ' + message.text());
        });
        page.on('requestfailed', (request) => problems.push('failed: ' + request.url()));
        page.on('request', (request) => {
            // data: is Chromium's own date picker icon.
            if (!request.url().startsWith(origin + '/') && !request.url().startsWith('data:')) problems.push('foreign request: ' + request.url());
        });
        return page;
    }

    async function textOf(page: Page, selector: string): Promise<string> {
        return (await page.$eval(selector, element => element.textContent ?? '')).trim();
    }

    async function waitForText(page: Page, selector: string, wanted: string): Promise<void> {
        try {
            await page.waitForFunction((inner: string, text: string) => (document.querySelector(inner)?.textContent ?? '').trim() === text,
                { timeout: 20000 }, selector, wanted);
        } catch (err) {
            throw new Error(selector + ' is ' + JSON.stringify(await textOf(page, selector)) + ', not ' + JSON.stringify(wanted));
        }
    }

    async function signIn(page: Page, presented: string): Promise<void> {
        await page.waitForSelector('#login:not([hidden])');
        await page.type('#login-key', presented);
        await page.click('#login button[type=submit]');
    }

    it('refuses a wrong key and the application key, and shows nothing but the login form', async () => {
        const problems: string[] = [];
        const page = await openPage(1280, problems);
        await page.goto(service.url + '/console', { waitUntil: 'load' });
        await page.waitForSelector('#login:not([hidden])');
        expect(await page.$eval('#console', element => (element as HTMLElement).hidden)).to.equal(true);

        await signIn(page, 'not-the-key-of-this-service-0000');
        await waitForText(page, '#login-error', 'The key was refused.');
        expect(await page.$eval('#console', element => (element as HTMLElement).hidden)).to.equal(true);
        expect(await page.evaluate((item: string) => sessionStorage.getItem(item), KEY_ITEM)).to.equal(null);

        await page.$eval('#login-key', element => { (element as HTMLInputElement).value = ''; });
        await signIn(page, APP_KEY);
        await page.waitForFunction(() => (document.querySelector('#login-error')?.textContent ?? '').includes('application key'),
            { timeout: 20000 });
        expect(await page.$eval('#console', element => (element as HTMLElement).hidden)).to.equal(true);
        expect(await page.evaluate((item: string) => sessionStorage.getItem(item), KEY_ITEM)).to.equal(null);
        await page.screenshot({ path: path.join(SCREENSHOTS, 'console-refused.png') });

        // The only errors are the browser's notes of the refused calls: 401 for the wrong key, 403 for the application key.
        expect(problems, problems.join('\n')).to.have.length(2);
        expect(problems[0]).to.match(/status of 401/);
        expect(problems[1]).to.match(/status of 403/);
        await page.close();
    });

    /**
     * Signs in, finds a user's sessions, closes one, revokes the rest and deletes a closed one,
     * the counts following: against a fresh store (target), whose name goes in the user id and screenshots.
     */
    async function exerciseConsole(target: TestService, store: string): Promise<void> {
        const user = 'console-' + store + '-user-' + process.pid;
        const opened: string[] = [];
        for (const client of ['web', 'ios', 'android']) {
            const reply = await callWithKey(target, 'open_session', {
                user_id: user, user_name: 'Console User', client, address: '10.0.0.' + (opened.length + 1),
                user: { email: 'private-profile@example.com' }, data: { cart: 'private-cart-item' }
            });
            expect(reply.status).to.equal(200);
            opened.push(reply.body.id as string);
        }
        expect((await callWithKey(target, 'open_session', { user_id: 'someone-else', client: 'web' })).status).to.equal(200);

        const problems: string[] = [];
        const page = await openPage(1280, problems, target.url);
        const dialogs: string[] = [];
        page.on('dialog', (dialog) => {
            dialogs.push(dialog.message());
            void dialog.accept();
        });
        await page.goto(target.url + '/console', { waitUntil: 'load' });
        await signIn(page, FULL_KEY);
        await page.waitForSelector('#console:not([hidden])');
        expect(await page.$eval('#login', element => (element as HTMLElement).hidden)).to.equal(true);
        expect(await page.evaluate((item: string) => sessionStorage.getItem(item), KEY_ITEM)).to.equal(FULL_KEY);
        expect(await page.evaluate((item: string) => localStorage.getItem(item), KEY_ITEM)).to.equal(null);

        await waitForText(page, '#count-active', '4');
        await waitForText(page, '#count-opened', '4');
        await waitForText(page, '#count-closed', '0');
        expect(await page.$$eval('#chart rect.opened', rects => rects.length)).to.be.greaterThan(0);

        // Search the user: three rows, ids shortened, no user or data objects anywhere on the page.
        await page.type('#search-form input[name=user_id]', user);
        await page.click('#search-form button[type=submit]');
        await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 3, { timeout: 20000 });
        const listed = await page.$$eval('#results tbody tr', rows => rows.map(row => row.getAttribute('data-session') ?? ''));
        expect([...listed].sort()).to.deep.equal([...opened].sort());
        const shownText = await page.$eval('#console', element => element.textContent ?? '');
        for (const id of opened) expect(shownText).to.not.include(id);
        expect(shownText).to.not.include('private-profile').and.to.not.include('private-cart');
        for (const text of ['Console User', 'ios', '10.0.0.2', 'active']) expect(shownText).to.include(text);
        await waitForText(page, '#page-info', '1–3 of 3');
        await page.screenshot({ path: path.join(SCREENSHOTS, 'console-' + store + '-1280.png'), fullPage: true });

        // The detail view shows user and data of one session; the copy button copies its full id.
        const first = '#results tbody tr[data-session="' + opened[0] + '"]';
        await page.click(first + ' button.view');
        await page.waitForSelector('#detail:not([hidden])');
        await waitForText(page, '#detail-id', opened[0]);
        expect(await textOf(page, '#detail-user')).to.include('private-profile@example.com');
        expect(await textOf(page, '#detail-data')).to.include('private-cart-item');
        await page.click('#detail-close');
        expect(await page.$eval('#detail-user', element => element.textContent)).to.equal('');
        const context = (browser as Browser).defaultBrowserContext();
        await context.overridePermissions(target.url, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
        await page.click(first + ' button.copy');
        await waitForText(page, first + ' button.copy', 'Copied');
        expect(await page.evaluate(() => navigator.clipboard.readText())).to.equal(opened[0]);

        // Close one session.
        await page.click(first + ' button.close');
        await waitForText(page, '#count-active', '3');
        await waitForText(page, '#count-logout', '1');
        expect(dialogs[0]).to.include('Close session ' + opened[0].slice(0, 8));
        const closedOne = await callWithKey(target, 'get_session_by_id', { session_id: opened[0] });
        expect(closedOne.body).to.include({ active: false, close_reason: 'logout' });
        await page.waitForSelector(first + ' button.delete');
        await page.screenshot({ path: path.join(SCREENSHOTS, 'console-' + store + '-1280-closed-one.png') });

        // Revoke the rest of the user's sessions.
        await page.click('#revoke-user');
        await waitForText(page, '#count-active', '1');
        await waitForText(page, '#count-revoked', '2');
        await waitForText(page, '#count-closed', '3');
        expect(dialogs[1]).to.include('Close every active session of ' + user);
        await page.waitForFunction(() => document.querySelectorAll('#results tbody button.close').length === 0, { timeout: 20000 });
        for (const id of opened.slice(1)) {
            expect((await callWithKey(target, 'get_session_by_id', { session_id: id })).body).to.include({ active: false, close_reason: 'revoked' });
        }
        expect(await page.$$eval('#chart rect.closed', rects => rects.length)).to.be.greaterThan(0);

        // Delete the closed one.
        await page.click(first + ' button.delete');
        await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 2, { timeout: 20000 });
        expect(dialogs[2]).to.include('Delete closed session ' + opened[0].slice(0, 8));
        expect((await callWithKey(target, 'get_session_by_id', { session_id: opened[0] })).status).to.equal(204);
        await page.screenshot({ path: path.join(SCREENSHOTS, 'console-' + store + '-1280-after.png'), fullPage: true });

        // The console's calls are audited as any other client's.
        const hashes = auditLines.filter(line => line.user_id === user);
        expect(hashes.filter(line => line.event === 'close' && line.reason === 'logout')).to.have.length(1);
        expect(hashes.filter(line => line.event === 'close' && line.reason === 'revoked')).to.have.length(2);

        // The same tab, reloaded, signs in again from session storage.
        await page.reload({ waitUntil: 'load' });
        await page.waitForSelector('#console:not([hidden])');
        await waitForText(page, '#count-active', '1');
        // Forgetting the key empties the page and the storage.
        await page.click('#sign-out');
        await page.waitForSelector('#login:not([hidden])');
        expect(await page.evaluate((item: string) => sessionStorage.getItem(item), KEY_ITEM)).to.equal(null);
        expect(await page.$$eval('#results tbody tr', rows => rows.length)).to.equal(0);

        expect(await page.$$eval('script', scripts => scripts.filter(script => !script.src).length)).to.equal(0);
        expect(problems).to.deep.equal([]);
        await page.close();
    }

    it('signs in, finds a user\'s sessions, closes one, revokes the rest and deletes a closed one, the counts following', async () => {
        await exerciseConsole(service, 'memory');
    });

    it('does the same against the file store', async () => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'console-file-'));
        const fileService = await TestService.start({
            FILE_ENABLED: 'true', FILE_PATH: path.join(folder, 'sessions.json'), HTTP_API_KEY: FULL_KEY, ...AUDITED
        });
        try {
            await exerciseConsole(fileService, 'file');
        } finally {
            await fileService.stop();
            fs.rmSync(folder, { recursive: true, force: true });
        }
    });

    it('does the same against MongoDB', async function () {
        const server = await MongoTestServer.require(this);
        this.timeout(180000);
        const mongoService = await TestService.start({
            MONGO_ENABLED: 'true', MONGO_SERVICE_URI: server.uri, MONGO_COLLECTION: 'console_' + process.pid + '_' + Date.now(), HTTP_API_KEY: FULL_KEY,
            ...AUDITED
        });
        try {
            await exerciseConsole(mongoService, 'mongodb');
        } finally {
            await mongoService.stop();
        }
    });

    it('on a service with no key, opens with the field left empty and keeps nothing in storage', async () => {
        const openService = await TestService.start({ MEMORY_ENABLED: 'true' });
        try {
            expect((await openService.call('open_session', { user_id: 'no-key-user' })).status).to.equal(200);
            const problems: string[] = [];
            const page = await openPage(1280, problems, openService.url);
            await page.goto(openService.url + '/console', { waitUntil: 'load' });
            await page.waitForSelector('#login:not([hidden])');
            await page.click('#login button[type=submit]');
            await page.waitForSelector('#console:not([hidden])');
            await waitForText(page, '#state', 'no API key is set on this service');
            await waitForText(page, '#count-active', '1');
            expect(await page.evaluate((item: string) => sessionStorage.getItem(item), KEY_ITEM)).to.equal(null);
            expect(problems).to.deep.equal([]);
            await page.close();
        } finally {
            await openService.stop();
        }
    });

    it('waits twenty times as long as a slow refresh of the counts took before the next, and says so', async () => {
        const problems: string[] = [];
        const page = await openPage(1280, problems);
        // Each count (take 1, with the total) answers 400 ms late, as a store walking many sessions would.
        const countCalls: number[] = [];
        await page.setRequestInterception(true);
        page.on('request', (request) => {
            if (request.url().endsWith('/v1/sessions/get_sessions') && (request.postData() ?? '').includes('"take":1,"total":true')) {
                countCalls.push(Date.now());
                setTimeout(() => void request.continue(), 400);
            } else {
                void request.continue();
            }
        });
        await page.goto(service.url + '/console', { waitUntil: 'load' });
        await signIn(page, FULL_KEY);
        await page.waitForFunction(() => /so the next in \d+ s\)$/.test(document.querySelector('#counts-time')?.textContent ?? ''),
            { timeout: 20000 });
        const note = await textOf(page, '#counts-time');
        const [, took, next] = /that took (\d+\.\d) s, so the next in (\d+) s\)$/.exec(note) ?? [];
        expect(Number(took), note).to.be.at.least(0.4);
        expect(Number(next), note).to.be.at.least(8);
        expect(Math.abs(Number(next) - 20 * Number(took)), note).to.be.at.most(1.5);

        // A timer never fires early: no count is asked for in the next 6 s, where every 5 s would have asked again.
        const before = countCalls.length;
        await new Promise(resolve => setTimeout(resolve, 6000));
        expect(countCalls.length - before, 'counts asked for within 6 s of a refresh that took ' + took + ' s').to.equal(0);
        expect(problems).to.deep.equal([]);
        await page.close();
    });

    it('is usable 390 px wide: nothing wider than the screen, every action within reach', async () => {
        const user = 'console-phone-' + process.pid;
        for (const client of ['ios', 'android']) {
            expect((await callWithKey(service, 'open_session', { user_id: user, client, address: '192.168.1.20' })).status).to.equal(200);
        }
        const problems: string[] = [];
        const page = await openPage(390, problems);
        page.on('dialog', (dialog) => void dialog.accept());
        await page.goto(service.url + '/console', { waitUntil: 'load' });
        await page.screenshot({ path: path.join(SCREENSHOTS, 'console-390-login.png') });
        await signIn(page, FULL_KEY);
        await page.waitForSelector('#console:not([hidden])');
        await page.type('#search-form input[name=user_id]', user);
        await page.click('#search-form button[type=submit]');
        await page.waitForFunction(() => document.querySelectorAll('#results tbody tr').length === 2, { timeout: 20000 });
        await waitForText(page, '#count-active', '3');
        await page.screenshot({ path: path.join(SCREENSHOTS, 'console-390.png'), fullPage: true });

        expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
        const outside = await page.$$eval('button, input, select', elements => elements
            .filter(element => (element as HTMLElement).offsetParent != null)
            .map(element => element.getBoundingClientRect())
            .filter(box => box.left < 0 || box.right > 390).length);
        expect(outside).to.equal(0);
        await page.click('#results tbody tr button.close');
        await waitForText(page, '#count-active', '2');
        expect(problems).to.deep.equal([]);
        await page.close();
    });
});
