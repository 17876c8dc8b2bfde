import { ConfigException } from 'pip-services3-commons-nodex';
import { ContainerConfig } from 'pip-services3-container-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/**
 * Refuses configurations that make no sense before anything starts: more than one store
 * (the last one declared used to win without a word), and a process with no API at all
 * (it used to log "started" and exit 0).
 */
export class SessionsConfigShape {
    public static check(config: ContainerConfig, needsApi: boolean): void {
        // Array.from: ContainerConfig's constructor breaks the species that map() would build.
        const typed = (type: string) => Array.from(config, component => component.descriptor)
            .filter(descriptor => descriptor != null && descriptor.getType() === type)
            .map(descriptor => descriptor.getKind());
        const stores = typed('persistence');
        if (stores.length > 1) {
            throw new ConfigException(undefined, SessionsErrorCode.TWO_STORES, 'More than one store is enabled (' + stores.join(', ')
                + '): enable one of MEMORY_ENABLED, FILE_ENABLED, MONGO_ENABLED, REDIS_ENABLED (or declare one persistence in the config file)');
        }
        if (needsApi && typed('service').length === 0) {
            throw new ConfigException(undefined, SessionsErrorCode.NO_API, 'No API is enabled: set HTTP_ENABLED, SENECA_ENABLED or GRPC_ENABLED '
                + 'to true (or declare a service in the config file)');
        }
    }
}
