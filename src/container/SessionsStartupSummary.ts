import { Descriptor, IReferences } from 'pip-services3-commons-nodex';

import { SessionsController } from '../logic/SessionsController';
import { SessionRulesInForce } from '../logic/SessionRulesInForce';
import { SessionsFilePersistence } from '../persistence/file/SessionsFilePersistence';
import { SessionsMemoryPersistence } from '../persistence/memory/SessionsMemoryPersistence';
import { SessionsMongoDbPersistence } from '../persistence/mongodb/SessionsMongoDbPersistence';
import { SessionsRedisPersistence } from '../persistence/redis/SessionsRedisPersistence';
import { SessionsApiAccess } from '../services/SessionsApiAccess';
import { SessionsConsoleService } from '../services/SessionsConsoleService';
import { SessionsHttpEndpoint } from '../services/SessionsHttpEndpoint';
import { SessionsGrpcEndpoint } from '../services/version1/SessionsGrpcEndpoint';
import { SessionsSenecaServiceV1 } from '../services/version1/SessionsSenecaServiceV1';

/** What a started process tells its operator, in one line or one JSON object. */
export interface SessionsStartupFacts {
    version: string;
    config: string;
    store: { kind: string; location: string | null; sessions: number | null };
    apis: Array<{ api: string; address: string }>;
    /** The operator console's address, null when it is off. */
    console: string | null;
    api_key: boolean;
    app_api_key: boolean;
    rules: SessionRulesInForce | null;
}

/**
 * The start-up summary: gathered from the opened components, so it shows what is in force
 * (the real port when 0 was asked for, the timeouts after their defaults), and the warning
 * for a service that any host can reach without an API key.
 */
export class SessionsStartupSummary {
    public constructor(public readonly facts: SessionsStartupFacts) {}

    public static collect(references: IReferences, version: string, configPath: string): SessionsStartupSummary {
        const find = <T>(group: string, type: string, kind = '*'): T | null =>
            references.getOneOptional<T>(new Descriptor(group, type, kind, '*', '*'));
        const apis: SessionsStartupFacts['apis'] = [];
        const http = find<SessionsHttpEndpoint>('*', 'endpoint', 'http');
        if (http instanceof SessionsHttpEndpoint && http.address != null) apis.push({ api: 'HTTP', address: http.address });
        const seneca = find<SessionsSenecaServiceV1>('*', 'service', 'seneca');
        if (seneca instanceof SessionsSenecaServiceV1 && seneca.address != null) apis.push({ api: 'Seneca', address: seneca.address });
        const grpc = find<SessionsGrpcEndpoint>('*', 'endpoint', 'grpc');
        if (grpc instanceof SessionsGrpcEndpoint && grpc.address != null) apis.push({ api: 'gRPC', address: grpc.address });
        const consolePage = find<SessionsConsoleService>('service-sessions', 'console', 'http');
        const consoleAddress = consolePage instanceof SessionsConsoleService && http instanceof SessionsHttpEndpoint && http.address != null
            ? http.address + consolePage.route : null;
        const access = find<SessionsApiAccess>('service-sessions', 'access');
        const controller = find<SessionsController>('service-sessions', 'controller');
        return new SessionsStartupSummary({
            version,
            config: configPath,
            store: SessionsStartupSummary.store(find<unknown>('*', 'persistence')),
            apis,
            console: consoleAddress,
            api_key: access instanceof SessionsApiAccess && access.enabled,
            app_api_key: access instanceof SessionsApiAccess && access.applicationKeyEnabled,
            rules: controller instanceof SessionsController ? controller.rulesInForce : null
        });
    }

    /** The one-line form. */
    public get line(): string {
        const { facts } = this;
        const store = facts.store.kind + (facts.store.location ? ' ' + facts.store.location : '')
            + (facts.store.sessions != null ? ' (' + facts.store.sessions + ' sessions loaded)' : '');
        const parts = [
            'config ' + facts.config,
            'store ' + store,
            facts.apis.map(api => api.api + ' ' + api.address).join(', ') || 'no API',
            ...(facts.console != null ? ['console ' + facts.console] : []),
            'API key ' + (facts.api_key ? 'on' + (facts.app_api_key ? ' (and an application key)' : '') : 'off')
        ];
        const rules = facts.rules;
        if (rules != null) {
            parts.push('idle timeout ' + SessionsStartupSummary.duration(rules.idle_timeout)
                + ', absolute timeout ' + SessionsStartupSummary.duration(rules.absolute_timeout)
                + ', touch interval ' + SessionsStartupSummary.duration(rules.touch_interval)
                + ', sessions per user ' + (rules.max_sessions_per_user > 0
                    ? rules.max_sessions_per_user + ' (' + rules.session_limit_policy + ')' : 'unlimited')
                + ', retention ' + (rules.retention_period > 0 ? SessionsStartupSummary.duration(rules.retention_period) : 'for ever')
                + ', sweep every ' + SessionsStartupSummary.duration(rules.cleanup_interval));
        }
        return 'service-sessions ' + facts.version + ' started: ' + parts.join('; ');
    }

    /**
     * The warning for APIs reachable from other hosts with no key: session ids are bearer
     * secrets and get_sessions lists them. Null when every API is on loopback or a key is set.
     */
    public get exposureWarning(): string | null {
        if (this.facts.api_key) return null;
        const exposed = this.facts.apis.filter(api => !SessionsStartupSummary.isLoopback(api.address));
        if (exposed.length === 0) return null;
        return 'No API key is set and ' + exposed.map(api => api.api + ' listens on ' + api.address).join(', ')
            + ': anyone who can reach it can list every session id (bearer secrets) and act on any session. '
            + 'Set HTTP_API_KEY (16+ characters), or listen on 127.0.0.1 only (HTTP_HOST, SENECA_HOST, GRPC_HOST)';
    }

    private static store(persistence: unknown): SessionsStartupFacts['store'] {
        if (persistence instanceof SessionsFilePersistence) {
            return { kind: 'file', location: persistence.snapshotPath, sessions: persistence.size };
        }
        if (persistence instanceof SessionsMemoryPersistence) return { kind: 'memory', location: null, sessions: persistence.size };
        if (persistence instanceof SessionsMongoDbPersistence) return { kind: 'mongodb', location: persistence.location, sessions: null };
        if (persistence instanceof SessionsRedisPersistence) return { kind: 'redis', location: persistence.location, sessions: null };
        return { kind: 'custom', location: null, sessions: null };
    }

    private static isLoopback(address: string): boolean {
        const host = address.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
        return host === 'localhost' || host === '::1' || /^127\./.test(host);
    }

    /** 86400000 -> "24h", 90000 -> "90s", 0 -> "off". */
    private static duration(ms: number): string {
        if (ms <= 0) return 'off';
        for (const [unit, size] of [['h', 3600000], ['m', 60000], ['s', 1000]] as const) {
            if (ms % size === 0) return ms / size + unit;
        }
        return ms + 'ms';
    }
}
