import { Descriptor } from 'pip-services3-commons-nodex';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { ApplicationErrors } from './ApplicationErrors';
import { SessionsRequestMetrics } from './SessionsRequestMetrics';
import { SessionCloseReason } from '../data/version1/SessionCloseReasonV1';

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
    private readonly _requests = new SessionsRequestMetrics();
    private readonly _opened: Counter;
    private readonly _closed: Counter;
    private readonly _expired: Counter;
    private readonly _revoked: Counter;
    private readonly _evicted: Counter;
    private readonly _purged: Counter;
    private readonly _ended: Counter<'reason'>;
    private readonly _storeErrors: Counter<'operation'>;

    public constructor() {
        const registers = [this.registry];
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
        this._requests.record(api, command, status, seconds);
    }

    /** A request refused before its command ran (404, 413, bad JSON...): counted, not timed, as no command ran. */
    public recordRejected(api: string, command: string, status: number): void {
        this._requests.record(api, command, status, -1);
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
    public sessionsEnded(reason: SessionCloseReason, count: number): void {
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
        return this._requests.text() + await this.registry.metrics();
    }

    public get contentType(): string {
        return this.registry.contentType;
    }
}
