import * as net from 'net';

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

    it('counts requests refused before a command by status, under the route\'s command or "unknown", never the URL', async () => {
        const metricsNow = async () => await (await fetch(service.url + '/metrics')).text();
        const requests = (text: string, command: string, status: number) =>
            sample(text, 'sessions_requests_total{api="http",command="' + command + '",status="' + status + '"}') ?? 0;
        const before = await metricsNow();

        expect((await service.call('no_such_command', {})).status).to.equal(404);
        expect((await service.call('get_sessions', '{not json')).status).to.equal(400);
        expect((await fetch(service.url + '/v1/sessions/get_sessions')).status).to.equal(405);
        expect((await service.call('open_session', JSON.stringify({ data: 'x'.repeat(1024 * 1024) }))).status).to.equal(413);
        const notHttp = await new Promise<string>((resolve) => {
            let text = '';
            const socket = net.connect(Number(new URL(service.url).port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
            socket.on('data', chunk => { text += chunk.toString('utf8'); });
            socket.on('close', () => resolve(text));
            socket.on('error', () => resolve(text));
        });
        expect(notHttp).to.match(/^HTTP\/1\.1 400 /);

        const after = await metricsNow();
        expect(requests(after, 'unknown', 404) - requests(before, 'unknown', 404)).to.equal(1);
        expect(requests(after, 'get_sessions', 400) - requests(before, 'get_sessions', 400)).to.equal(1);
        expect(requests(after, 'get_sessions', 405) - requests(before, 'get_sessions', 405)).to.equal(1);
        expect(requests(after, 'open_session', 413) - requests(before, 'open_session', 413)).to.equal(1);
        expect(requests(after, 'unknown', 400) - requests(before, 'unknown', 400)).to.equal(1);
        expect(after).to.not.contain('no_such_command');
        // Refused before any command ran: counted, not timed.
        expect(sample(after, 'sessions_request_duration_seconds_count{api="http",command="unknown"}')).to.equal(null);
    });
});
