import { promises as fs } from 'fs';
import * as path from 'path';

import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { ConfigParams } from 'pip-services3-commons-nodex';
import { ContainerConfig, ContainerConfigReader } from 'pip-services3-container-nodex';
import { MongoDbConnectionResolver } from 'pip-services3-mongodb-nodex';

import { SessionsEnvironment } from '../../src/container/SessionsEnvironment';
import { SessionsProcess } from '../../src/container/SessionsProcess';
import { PACKAGE_ROOT } from '../fixtures/TestService';

const BUNDLED = path.join(PACKAGE_ROOT, 'config', 'config.yml');

/** The bundled config as the process reads it with this environment. */
function readBundled(env: Record<string, string>): ContainerConfig {
    return ContainerConfigReader.readFromFile(null as unknown as string, BUNDLED, SessionsProcess.parameters([], env));
}

/** The settings of the component of the given type and kind. */
function settingsOf(config: ContainerConfig, type: string, kind: string): ConfigParams {
    const component = Array.from(config).find(entry => entry.descriptor?.getType() === type && entry.descriptor.getKind() === kind);
    expect(component, type + ':' + kind).to.not.equal(undefined);
    return component!.config;
}

describe('SessionsEnvironment: the variables of the bundled config', () => {
    it('lists exactly the variables config/config.yml reads', async () => {
        const template = await fs.readFile(BUNDLED, 'utf8');
        const read = new Set([...template.matchAll(/\{\{[#^/]?(?:if |unless )?\{?([A-Z][A-Z0-9_]+)\}?\}\}/g)].map(match => match[1]));
        const listed = new Set(SessionsEnvironment.Variables.map(variable => variable.name));
        const switches = SessionsEnvironment.Variables.filter(variable => variable.kind === 'switch').map(variable => variable.name);
        expect([...listed].filter(name => !read.has(name) && !switches.includes(name)), 'listed but not read').to.deep.equal([]);
        expect([...read].filter(name => !listed.has(name)), 'read but not listed').to.deep.equal([]);
    });

    it('is the table of docs/configuration.md, so the docs say what the code checks', async () => {
        const readme = await fs.readFile(path.join(PACKAGE_ROOT, 'docs', 'configuration.md'), 'utf8');
        expect(readme, 'docs/configuration.md "Environment variables" is SessionsEnvironment.markdownTable()').to.contain(SessionsEnvironment.markdownTable());
    });

    it('puts each variable where its target says, with its default when unset', () => {
        const config = readBundled({ MONGO_ENABLED: 'true', REDIS_ENABLED: 'true', SENECA_ENABLED: 'true', GRPC_ENABLED: 'true', IDLE_TIMEOUT: '5' });
        for (const variable of SessionsEnvironment.Variables) {
            if (variable.target == null || variable.name === 'FILE_PATH' || variable.name === 'FILE_RECOVER') continue;
            const component = Array.from(config).find(entry => entry.descriptor?.getType() === variable.target!.type
                && SessionsEnvironment.forSetting(entry.descriptor.toString(), variable.target!.key)?.name === variable.name);
            expect(component, variable.name).to.not.equal(undefined);
            const value = component!.config.getAsNullableString(variable.target.key) ?? '';
            const expected = variable.name === 'IDLE_TIMEOUT' ? '5' : /^\d+$|^[a-z_./0-9:]*$/.test(variable.default) ? variable.default : '';
            expect(value, variable.name).to.equal(expected);
        }
    });

    it('passes values with ": ", quotes, "#", "@", backslashes and braces through unchanged', () => {
        for (const value of ['a: b', 'say "hi"', 'x #y', 'p@ss:w"rd', 'back\\slash', '{{not a template}}', '- dash', "it's"]) {
            const config = readBundled({ MONGO_ENABLED: 'true', MONGO_USER: value, MONGO_PASS: value, MONGO_COLLECTION: value });
            const mongo = settingsOf(config, 'persistence', 'mongodb');
            expect(mongo.getAsString('credential.password'), value).to.equal(value);
            expect(mongo.getAsString('credential.username'), value).to.equal(value);
            expect(mongo.getAsString('collection'), value).to.equal(value);
            const file = settingsOf(readBundled({ FILE_PATH: '/data/' + value + '/s.json' }), 'persistence', 'file');
            expect(file.getAsString('path'), value).to.equal('/data/' + value + '/s.json');
        }
    });

    it('hands MongoDB a MONGO_PASS with "@", ":" and quotes intact: the URI the toolkit composes parses back to it', async () => {
        const password = 'p@ss:w"rd/#%?';
        const mongo = settingsOf(readBundled({ MONGO_ENABLED: 'true', MONGO_USER: 'user:@', MONGO_PASS: password }), 'persistence', 'mongodb');
        const resolver = new MongoDbConnectionResolver();
        resolver.configure(mongo);
        const uri = await resolver.resolve(null as unknown as string);
        const client = new MongoClient(uri);
        expect(client.options.credentials?.password).to.equal(password);
        expect(client.options.credentials?.username).to.equal('user:@');
        await client.close();
    });

    it('names the variable behind a component setting, telling the HTTP and gRPC endpoints apart', () => {
        expect(SessionsEnvironment.forSetting('pip-services:endpoint:http:default:1.0', 'connection.port')?.name).to.equal('HTTP_PORT');
        expect(SessionsEnvironment.forSetting('pip-services:endpoint:grpc:default:1.0', 'connection.port')?.name).to.equal('GRPC_PORT');
        expect(SessionsEnvironment.forSetting('service-sessions:service:seneca:default:1.0', 'connection.port')?.name).to.equal('SENECA_PORT');
        expect(SessionsEnvironment.forSetting('service-sessions:controller:default:default:1.0', 'options.idle_timeout')?.name).to.equal('IDLE_TIMEOUT');
        expect(SessionsEnvironment.forSetting('service-sessions:controller:default:default:1.0', 'options.no_such')).to.equal(null);
    });
});
