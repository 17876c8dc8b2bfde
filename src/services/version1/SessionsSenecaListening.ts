import * as net from 'net';

import { ILogger } from 'pip-services3-components-nodex';

/** How both Seneca listeners start listening (a net or http server). */
export class SessionsSenecaListening {
    /** Listens on host:port and resolves with the port bound; fails as the bind fails. */
    public static async start(server: net.Server, host: string, port: number, logger: ILogger, kind: string): Promise<number> {
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(port, host, () => {
                server.off('error', reject);
                resolve();
            });
        });
        // Once listening, the server only fails to accept (out of file descriptors); it keeps listening.
        server.on('error', (err: NodeJS.ErrnoException) => logger.warn('', 'Seneca %s listener: %s', kind, err.code ?? err.message));
        return (server.address() as net.AddressInfo).port;
    }
}
