import * as fs from 'fs';
import * as path from 'path';

import { ConfigException, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';
import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';
import { SessionsRestService } from './SessionsRestService';
import { SessionsStaticAsset } from './SessionsStaticAsset';

type HttpRequest = SessionsHttpRequest;
type HttpResponse = SessionsHttpResponse<SessionsHttpRequest>;

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
export class SessionsConsoleService extends SessionsRestService {
    private static readonly _consoleDefaults = ConfigParams.fromTuples('base_route', 'console');
    /** The package root: obj/src/services/ is three levels below it. */
    private static readonly _folder = path.resolve(__dirname, '..', '..', '..', 'src', 'console');

    private _assets: Map<string, SessionsStaticAsset> | null = null;

    public constructor() {
        super();
        this._baseRoute = 'console';
    }

    /** The page's path, "/console" by default (the start-up summary names it). */
    public get route(): string {
        return '/' + this._baseRoute.replace(/^\/+|\/+$/g, '');
    }

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsConsoleService._consoleDefaults);
        super.configure(config);
        // The page links its files by absolute path; only plain path characters can be one.
        if (!/^[A-Za-z0-9._~/-]+$/.test(this._baseRoute)) {
            throw new ConfigException(undefined, SessionsErrorCode.INVALID_BASE_ROUTE, 'base_route must be a plain path, such as "console"');
        }
        this._assets = null;
    }

    public register(): void {
        const endpoint = this._endpoint;
        if (endpoint == null) return;
        const assets = this._assets ?? this.loadAssets();
        this._assets = assets;
        const root = this.route;
        const page = assets.get('index.html') as SessionsStaticAsset;
        for (const route of [root, root + '/', root + '/index.html']) {
            endpoint.registerRoute('get', route, null, (req: HttpRequest, res: HttpResponse) => page.send(req, res, HEADERS));
        }
        for (const [name, asset] of assets) {
            if (name === 'index.html') continue;
            endpoint.registerRoute('get', root + '/' + name, null, (req: HttpRequest, res: HttpResponse) => asset.send(req, res, HEADERS));
        }
    }

    /** The page names its files under /console; another base_route rewrites those links. */
    private loadAssets(): Map<string, SessionsStaticAsset> {
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
