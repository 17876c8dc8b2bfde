/** The counts of one command of one API, kept in plain numbers. */
class CommandRequests {
    public readonly byStatus = new Map<number, number>();
    /** Requests per bucket of BUCKETS (not cumulative; summed when rendered). */
    public readonly buckets: Float64Array;
    public sum = 0;
    public count = 0;

    public constructor(public readonly api: string, public readonly command: string, bucketCount: number) {
        this.buckets = new Float64Array(bucketCount + 1);
    }
}

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * sessions_requests_total and sessions_request_duration_seconds, counted in plain numbers
 * and written out in the Prometheus text format when scraped: prom-client hashed the
 * labels on every observation, a tenth of a read's time in the service.
 */
export class SessionsRequestMetrics {
    /** In the order first counted, which is the order written. */
    private readonly _commands: CommandRequests[] = [];
    /** The same counts by API, then by command: no key to join per request. */
    private readonly _byApi = new Map<string, Map<string, CommandRequests>>();

    public record(api: string, command: string, status: number, seconds: number): void {
        let commands = this._byApi.get(api);
        if (commands == null) {
            commands = new Map<string, CommandRequests>();
            this._byApi.set(api, commands);
        }
        let counts = commands.get(command);
        if (counts == null) {
            counts = new CommandRequests(api, command, BUCKETS.length);
            commands.set(command, counts);
            this._commands.push(counts);
        }
        counts.byStatus.set(status, (counts.byStatus.get(status) ?? 0) + 1);
        if (seconds < 0) return;
        let bucket = 0;
        while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) bucket++;
        counts.buckets[bucket]++;
        counts.sum += seconds;
        counts.count++;
    }

    /** Both metrics in the Prometheus text format (the label values are API and command names: no escaping needed, done anyway). */
    public text(): string {
        const lines = [
            '# HELP sessions_requests_total Requests to the sessions API by API, command and status code',
            '# TYPE sessions_requests_total counter'
        ];
        for (const counts of this._commands) {
            for (const [status, count] of counts.byStatus) {
                lines.push(`sessions_requests_total{api="${label(counts.api)}",command="${label(counts.command)}",status="${status}"} ${count}`);
            }
        }
        lines.push('# HELP sessions_request_duration_seconds Time to answer a sessions API request',
            '# TYPE sessions_request_duration_seconds histogram');
        for (const counts of this._commands) {
            if (counts.count === 0) continue;
            const labels = `api="${label(counts.api)}",command="${label(counts.command)}"`;
            let cumulative = 0;
            BUCKETS.forEach((bound, index) => {
                cumulative += counts.buckets[index];
                lines.push(`sessions_request_duration_seconds_bucket{le="${bound}",${labels}} ${cumulative}`);
            });
            lines.push(`sessions_request_duration_seconds_bucket{le="+Inf",${labels}} ${counts.count}`);
            lines.push(`sessions_request_duration_seconds_sum{${labels}} ${counts.sum}`);
            lines.push(`sessions_request_duration_seconds_count{${labels}} ${counts.count}`);
        }
        return lines.join('\n') + '\n';
    }
}

/** A label value as the text format writes it. */
function label(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
