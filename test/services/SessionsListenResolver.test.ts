import { expect } from 'chai';
import { ApplicationException, ConfigParams } from 'pip-services3-commons-nodex';

import { SessionsListenResolver } from '../../src/services/SessionsListenResolver';

async function resolved(...tuples: unknown[]): Promise<ConfigParams> {
    const resolver = new SessionsListenResolver();
    resolver.configure(ConfigParams.fromTuples(...tuples));
    return await resolver.resolve('test');
}

describe('SessionsListenResolver', () => {
    it('resolves port 0 (any free port) as 0, which the toolkit refuses as "not set"', async () => {
        const connection = await resolved('connection.protocol', 'http', 'connection.host', '127.0.0.1', 'connection.port', 0);
        expect(connection.getAsNullableInteger('port')).to.equal(0);
        expect(connection.getAsString('host')).to.equal('127.0.0.1');
        expect(connection.getAsString('uri')).to.equal('http://127.0.0.1:0');
        expect((await resolved('connection.protocol', 'http', 'connection.host', '0.0.0.0', 'connection.port', '0')).getAsInteger('port'),
            'as config.yml gives it, a string').to.equal(0);
    });

    it('passes any other port through as the toolkit resolves it', async () => {
        const connection = await resolved('connection.protocol', 'http', 'connection.host', '127.0.0.1', 'connection.port', 8081);
        expect(connection.getAsInteger('port')).to.equal(8081);
        expect(connection.getAsString('uri')).to.equal('http://127.0.0.1:8081');
    });

    it('still runs the toolkit\'s checks with port 0: https needs its certificate files', async () => {
        const error = await resolved('connection.protocol', 'https', 'connection.host', '127.0.0.1', 'connection.port', 0)
            .then(() => null, (err: ApplicationException) => err);
        expect(error?.code).to.equal('NO_CREDENTIAL');
        const https = await resolved('connection.protocol', 'https', 'connection.host', '127.0.0.1', 'connection.port', 0,
            'credential.ssl_key_file', 'key.pem', 'credential.ssl_crt_file', 'crt.pem');
        expect([https.getAsInteger('port'), https.getAsString('ssl_key_file'), https.getAsString('ssl_crt_file')]).to.deep.equal([0, 'key.pem', 'crt.pem']);
    });
});
