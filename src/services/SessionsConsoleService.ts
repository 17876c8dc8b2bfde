import * as fs from 'fs';
import * as path from 'path';

import { ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsStaticAsset } from './SessionsStaticAsset';
import { SessionsStaticPageService } from './SessionsStaticPageService';

/** The console's files in the package's src/console (read at run time, as the .proto is): name and type. */
const CONSOLE_FILES: ReadonlyArray<readonly [string, string]> = [
    ['index.html', 'text/html; charset=utf-8'],
    ['console.js', 'application/javascript; charset=utf-8'],
    ['console.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml']
];

/**
 * The page runs only its own script and stylesheet and talks only to this origin's
 * commandable API; no other site may frame it (it holds the full key).
 */
const CONTENT_SECURITY_POLICY = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
].join('; ');

const HEADERS: Readonly<Record<string, string>> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    // Revalidated on every load (cheap with the ETag) so an upgrade shows at once.
    'Cache-Control': 'no-cache'
};

/**
 * The operator console at /console: a page to find, inspect, close and delete sessions,
 * with live counts and a chart of the last hour.
 *
 * It serves four fixed files and nothing else: no data route of its own. The page calls
 * the commandable API (POST /v1/sessions/<command>) with the key the operator types in,
 * so every call it makes is checked, audited and counted as any other client's.
 *
 * Configuration: base_route (default "console").
 */
export class SessionsConsoleService extends SessionsStaticPageService {
    private static readonly _consoleDefaults = ConfigParams.fromTuples('base_route', 'console');
    /** The package root: obj/src/services/ is three levels below it. */
    private static readonly _folder = path.resolve(__dirname, '..', '..', '..', 'src', 'console');

    public constructor() {
        super('console', HEADERS, HEADERS);
    }

    public configure(config: ConfigParams): void {
        super.configure(config.setDefaults(SessionsConsoleService._consoleDefaults));
    }

    /** The page names its files under /console; another base_route rewrites those links. */
    protected loadAssets(): Map<string, SessionsStaticAsset> {
        const root = this.route;
        const assets = new Map<string, SessionsStaticAsset>();
        for (const [name, contentType] of CONSOLE_FILES) {
            let text = fs.readFileSync(path.join(SessionsConsoleService._folder, name), 'utf8');
            if (name === 'index.html') text = text.replace(/"\/console\//g, '"' + root + '/');
            assets.set(name, new SessionsStaticAsset(Buffer.from(text, 'utf8'), contentType));
        }
        return assets;
    }
}
