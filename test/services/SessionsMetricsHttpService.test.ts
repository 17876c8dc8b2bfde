import { expect } from 'chai';

import { TestService } from '../fixtures/TestService';

/** The value of one sample line of Prometheus' text format, or null when there is none. */
function sample(metrics: string, name: string): number | null {
    const line = metrics.split('\n').find(item => item.startsWith(name + ' '));
    return line == null ? null : Number(line.slice(name.length + 1));
}

describe('SessionsMetricsHttpService: GET /metrics over real HTTP', function () {
    this.timeout(30000);
    let service: TestService;

    before(async () => {
        // Sessions expire after half a second, so close_expired_sessions has something to count.
        service = await TestService.start({ MEMORY_ENABLED: 'true', EXPIRE_TIMEOUT: '500', CLEANUP_INTERVAL: '0' });
    });

    after(async () => {
        await service?.stop();
    });

    it('counts requests by command and status, times them, and counts sessions opened, closed and expired', async () => {
        const first = await service.call('open_session', { user_id: 'metrics-user', data: { secret: 'metrics-data' } });
        const second = await service.call('open_session', { user_id: 'metrics-user' });
        expect([first.status, second.status]).to.deep.equal([200, 200]);
        expect((await service.call('open_session', {})).status).to.equal(400);
        expect((await service.call('get_session_by_id', { session_id: 'no-such-session' })).status).to.equal(204);
        expect((await service.call('close_session', { session_id: first.body.id })).status).to.equal(200);
        await new Promise(resolve => setTimeout(resolve, 550));
        expect((await service.call('close_expired_sessions', {})).status).to.equal(204);

        const response = await fetch(service.url + '/metrics');
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
        const metrics = await response.text();

        const requests = (command: string, status: number) =>
            sample(metrics, 'sessions_requests_total{api="http",command="' + command + '",status="' + status + '"}');
        expect(requests('open_session', 200)).to.equal(2);
        expect(requests('open_session', 400)).to.equal(1);
        expect(requests('get_session_by_id', 204)).to.equal(1);
        expect(requests('close_session', 200)).to.equal(1);
        expect(requests('close_expired_sessions', 204)).to.equal(1);
        expect(sample(metrics, 'sessions_request_duration_seconds_count{api="http",command="open_session"}')).to.equal(3);
        expect(sample(metrics, 'sessions_request_duration_seconds_bucket{le="+Inf",api="http",command="open_session"}')).to.equal(3);
        expect(sample(metrics, 'sessions_opened_total')).to.equal(2);
        expect(sample(metrics, 'sessions_closed_total')).to.equal(1);
        expect(sample(metrics, 'sessions_expired_total'), 'the second session expired').to.equal(1);
        expect(sample(metrics, 'sessions_ended_total{reason="logout"}')).to.equal(1);
        expect(sample(metrics, 'sessions_ended_total{reason="idle"}')).to.equal(1);
        expect(sample(metrics, 'sessions_store_errors_total'), 'no store failed').to.equal(null);
        expect(metrics, 'Node process metrics too').to.match(/^process_resident_memory_bytes \d+/m);

        // Labels come from a fixed set: nothing a caller sent reaches the metrics.
        for (const secret of [first.body.id, second.body.id, 'metrics-user', 'metrics-data', 'no-such-session']) {
            expect(metrics).to.not.contain(secret);
        }
    });

    it('does not count a request to an unknown command under any command label', async () => {
        const before = await (await fetch(service.url + '/metrics')).text();
        expect((await service.call('no_such_command', {})).status).to.equal(404);
        const after = await (await fetch(service.url + '/metrics')).text();
        expect(after).to.not.contain('no_such_command');
        const count = (text: string) => text.split('\n').filter(line => line.startsWith('sessions_requests_total{')).length;
        expect(count(after)).to.equal(count(before));
    });
});
