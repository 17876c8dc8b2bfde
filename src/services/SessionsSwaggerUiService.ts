import * as fs from 'fs';
import * as path from 'path';

import { ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsStaticAsset } from './SessionsStaticAsset';
import { SessionsStaticPageService } from './SessionsStaticPageService';

/** The only files of swagger-ui-dist the page needs; nothing else of the package is reachable. */
const DIST_FILES: ReadonlyArray<readonly [string, string]> = [
    ['swagger-ui-bundle.js', 'application/javascript; charset=utf-8'],
    ['swagger-ui.css', 'text/css; charset=utf-8'],
    ['index.css', 'text/css; charset=utf-8'],
    ['favicon-16x16.png', 'image/png'],
    ['favicon-32x32.png', 'image/png']
];

/**
 * Swagger UI does not need inline script, eval or inline style elements (React sets
 * styles through the DOM, which style-src does not restrict); its stylesheet embeds
 * its icons as data: URIs. "Try it out" calls go to this same origin only.
 */
const CONTENT_SECURITY_POLICY = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
].join('; ');

const COMMON_HEADERS: Readonly<Record<string, string>> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    // Revalidated on every load (cheap with the ETag) so an upgraded swagger-ui-dist shows at once.
    'Cache-Control': 'no-cache'
};

/** The page's own headers: the policy above applies to the HTML that loads everything. */
const PAGE_HEADERS: Readonly<Record<string, string>> = { ...COMMON_HEADERS, 'Content-Security-Policy': CONTENT_SECURITY_POLICY };

/**
 * Swagger UI at /swagger over the OpenAPI document (/v1/sessions/swagger), from swagger-ui-dist.
 * Every route is a fixed path with its body in memory: the toolkit's swagger service joined the
 * request path to its folder, so /swagger/../../<file> read any file (docs/http.md#swagger-ui).
 */
export class SessionsSwaggerUiService extends SessionsStaticPageService {
    private static readonly _uiDefaults = ConfigParams.fromTuples(
        'base_route', 'swagger',
        'document_route', '/v1/sessions/swagger'
    );

    private _documentRoute = '/v1/sessions/swagger';

    public constructor() {
        super('swagger', PAGE_HEADERS, COMMON_HEADERS);
    }

    public configure(config: ConfigParams): void {
        config = config.setDefaults(SessionsSwaggerUiService._uiDefaults);
        super.configure(config);
        this._documentRoute = config.getAsString('document_route');
        if (!this._documentRoute.startsWith('/')) this._documentRoute = '/' + this._documentRoute;
    }

    protected loadAssets(): Map<string, SessionsStaticAsset> {
        const distFolder = path.dirname(require.resolve('swagger-ui-dist/package.json'));
        const assets = new Map<string, SessionsStaticAsset>();
        const add = (name: string, body: Buffer, contentType: string): void => {
            assets.set(name, new SessionsStaticAsset(body, contentType));
        };
        for (const [name, contentType] of DIST_FILES) add(name, fs.readFileSync(path.join(distFolder, name)), contentType);
        add('swagger-initializer.js', Buffer.from(this.initializerScript(), 'utf8'), 'application/javascript; charset=utf-8');
        add('index.html', Buffer.from(SessionsSwaggerUiService.pageHtml(this.route), 'utf8'), 'text/html; charset=utf-8');
        return assets;
    }

    /**
     * Only the API preset and the plain layout: the standalone top bar would let a visitor
     * load any other document URL into the page. Deep links and configuration from the
     * query string stay off for the same reason.
     */
    private initializerScript(): string {
        const options = {
            url: this._documentRoute,
            dom_id: '#swagger-ui',
            layout: 'BaseLayout',
            deepLinking: false,
            queryConfigEnabled: false,
            validatorUrl: null,
            supportedSubmitMethods: ['post']
        };
        return '"use strict";\n'
            + 'window.addEventListener("load", function () {\n'
            + '    var options = ' + JSON.stringify(options, null, 4).replace(/\n/g, '\n    ') + ';\n'
            + '    options.presets = [SwaggerUIBundle.presets.apis];\n'
            + '    window.ui = SwaggerUIBundle(options);\n'
            + '});\n';
    }

    /** Absolute asset paths: relative ones would resolve against / when the page is /swagger. */
    private static pageHtml(root: string): string {
        return '<!DOCTYPE html>\n'
            + '<html lang="en">\n'
            + '<head>\n'
            + '    <meta charset="utf-8">\n'
            + '    <title>service-sessions API</title>\n'
            + '    <link rel="stylesheet" href="' + root + '/swagger-ui.css">\n'
            + '    <link rel="stylesheet" href="' + root + '/index.css">\n'
            + '    <link rel="icon" type="image/png" href="' + root + '/favicon-32x32.png" sizes="32x32">\n'
            + '    <link rel="icon" type="image/png" href="' + root + '/favicon-16x16.png" sizes="16x16">\n'
            + '</head>\n'
            + '<body>\n'
            + '    <div id="swagger-ui"></div>\n'
            + '    <script src="' + root + '/swagger-ui-bundle.js"></script>\n'
            + '    <script src="' + root + '/swagger-initializer.js"></script>\n'
            + '</body>\n'
            + '</html>\n';
    }
}
