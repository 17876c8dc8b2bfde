import { Descriptor } from 'pip-services3-commons-nodex';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApplicationErrors } from './ApplicationErrors';

/** The children of the request metrics for one command of one API, looked up once. */
interface CommandMetrics {
    readonly duration: ReturnType<Histogram<'api' | 'command'>['labels']>;
    readonly byStatus: Map<number, ReturnType<Counter<'api' | 'command' | 'status'>['labels']>>;
}

/**
 * The service's Prometheus metrics, in a registry of its own (so two containers in one
 * process, as in the tests, never share counts), exposed by SessionsMetricsHttpService.
 *
 * Labels are only API names, command names, status codes and store operation names: a
 * small fixed set, never anything a caller chooses (session ids, users, data).
 */
export class SessionsMetrics {
    public static readonly Descriptor = new Descriptor('service-sessions', 'metrics', 'prometheus', 'default', '1.0');

    public readonly registry = new Registry();
    private readonly _requests: Counter<'api' | 'command' | 'status'>;
    private readonly _duration: Histogram<'api' | 'command'>;
    private readonly _opened: Counter;
    private readonly _closed: Counter;
    private readonly _expired: Counter;
    private readonly _revoked: Counter;
    private readonly _evicted: Counter;
    private readonly _purged: Counter;
    private readonly _ended: Counter<'reason'>;
    private readonly _storeErrors: Counter<'operation'>;
    private readonly _commands = new Map<string, CommandMetrics>();

    public constructor() {
        const registers = [this.registry];
        this._requests = new Counter({
            name: 'sessions_requests_total', help: 'Requests to the sessions API by API, command and status code',
            labelNames: ['api', 'command', 'status'], registers
        });
        this._duration = new Histogram({
            name: 'sessions_request_duration_seconds', help: 'Time to answer a sessions API request',
            labelNames: ['api', 'command'], registers,
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        });
        this._opened = new Counter({ name: 'sessions_opened_total', help: 'Sessions opened', registers });
        this._closed = new Counter({ name: 'sessions_closed_total', help: 'Sessions closed by close_session', registers });
        this._expired = new Counter({ name: 'sessions_expired_total', help: 'Sessions closed by the expiry sweep', registers });
        this._revoked = new Counter({ name: 'sessions_revoked_total', help: 'Sessions closed by close_user_sessions', registers });
        this._ended = new Counter({
            name: 'sessions_ended_total', help: 'Sessions closed, by close_reason (logout, idle, absolute, revoked, evicted)',
            labelNames: ['reason'], registers
        });
        this._purged = new Counter({ name: 'sessions_purged_total', help: 'Closed sessions deleted by the sweep after retention_period', registers });
        this._evicted = new Counter({ name: 'sessions_evicted_total', help: 'Sessions closed to keep a user within max_sessions_per_user', registers });
        this._storeErrors = new Counter({
            name: 'sessions_store_errors_total', help: 'Store operations that failed for a reason other than bad input',
            labelNames: ['operation'], registers
        });
        collectDefaultMetrics({ register: this.registry });
    }

    public recordRequest(api: string, command: string, status: number, seconds: number): void {
        const key = api + ' ' + command;
        let metrics = this._commands.get(key);
        if (metrics == null) {
            metrics = { duration: this._duration.labels(api, command), byStatus: new Map() };
            this._commands.set(key, metrics);
        }
        let counter = metrics.byStatus.get(status);
        if (counter == null) {
            counter = this._requests.labels(api, command, String(status));
            metrics.byStatus.set(status, counter);
        }
        counter.inc();
        metrics.duration.observe(seconds);
    }

    /** A request refused before its command ran (404, 413, bad JSON...): counted, not timed, as no command ran. */
    public recordRejected(api: string, command: string, status: number): void {
        this._requests.labels(api, command, String(status)).inc();
    }

    public sessionOpened(): void {
        this._opened.inc();
    }

    public sessionClosed(): void {
        this._closed.inc();
    }

    public sessionsExpired(count: number): void {
        if (count > 0) this._expired.inc(count);
    }

    public sessionsRevoked(count: number): void {
        if (count > 0) this._revoked.inc(count);
    }

    public sessionsEvicted(count: number): void {
        if (count > 0) this._evicted.inc(count);
    }

    /** reason is one of SessionCloseReasonV1's values: a fixed set. */
    public sessionsEnded(reason: string, count: number): void {
        if (count > 0) this._ended.labels(reason).inc(count);
    }

    public sessionsPurged(count: number): void {
        if (count > 0) this._purged.inc(count);
    }

    /** Counts the failure unless the caller caused it (a 4xx such as a duplicate id). */
    public storeFailed(operation: string, error: unknown): void {
        const status = ApplicationErrors.statusOf(error);
        if (!(status >= 400 && status < 500)) this._storeErrors.labels(operation).inc();
    }

    public async text(): Promise<string> {
        return await this.registry.metrics();
    }

    public get contentType(): string {
        return this.registry.contentType;
    }
}
