import { ConfigException, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';
import { SessionsHttpRequest } from './SessionsHttpRequest';
import { SessionsHttpResponse } from './SessionsHttpResponse';
import { SessionsRestService } from './SessionsRestService';
import { SessionsStaticAsset } from './SessionsStaticAsset';

type Headers = Readonly<Record<string, string>>;

/**
 * A page of fixed files held in memory under base_route (Swagger UI, the console): the page
 * at /<route>, /<route>/ and /<route>/index.html, each other file at /<route>/<name>, and
 * nothing else. A subclass says which files (loadAssets) and with which headers.
 */
export abstract class SessionsStaticPageService extends SessionsRestService {
    private _assets: Map<string, SessionsStaticAsset> | null = null;

    protected constructor(private readonly _defaultRoute: string, private readonly _pageHeaders: Headers,
        private readonly _assetHeaders: Headers) {
        super();
        this._baseRoute = _defaultRoute;
    }

    /** The page's path: "/swagger" for base_route "swagger", "/swagger" or "swagger/". */
    public get route(): string {
        return '/' + this._baseRoute.replace(/^\/+|\/+$/g, '');
    }

    public configure(config: ConfigParams): void {
        super.configure(config);
        // The route goes into the page's HTML as it is; only plain path characters can.
        if (!/^[A-Za-z0-9._~/-]+$/.test(this._baseRoute)) {
            throw new ConfigException(undefined, SessionsErrorCode.INVALID_BASE_ROUTE,
                'base_route must be a plain path, such as "' + this._defaultRoute + '"');
        }
        this._assets = null;
    }

    public register(): void {
        const endpoint = this._endpoint;
        if (endpoint == null) return;
        const assets = this._assets ?? this.loadAssets();
        this._assets = assets;
        const root = this.route;
        for (const [name, asset] of assets) {
            const isPage = name === 'index.html';
            const headers = isPage ? this._pageHeaders : this._assetHeaders;
            for (const route of isPage ? [root, root + '/', root + '/index.html'] : [root + '/' + name]) {
                endpoint.registerRoute('get', route, null,
                    (req: SessionsHttpRequest, res: SessionsHttpResponse<SessionsHttpRequest>) => asset.send(req, res, headers));
            }
        }
    }

    /** The files by name, index.html the page; read once, when the routes are first registered. */
    protected abstract loadAssets(): Map<string, SessionsStaticAsset>;
}
