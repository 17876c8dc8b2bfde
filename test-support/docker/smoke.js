#!/usr/bin/env node
'use strict';

/**
 * Docker smoke test (npm run docker:smoke): builds the repository's unchanged Dockerfile, runs
 * the image with the file store on a named volume at /app/data and probes it over real HTTP
 * from the host, across a container restart. Uses a real Docker engine when one answers,
 * podman otherwise (see engine.js; the base image comes from base-image.js when Docker Hub
 * cannot be reached). Removes its container and volume whatever happens; keeps the images,
 * which are the build cache. Exits 1 on any failure, after printing the container's logs.
 */

const http = require('http');
const net = require('net');
const path = require('path');
const { openEngine, log } = require('./engine');
const { ensureBaseImage, BASE_IMAGE } = require('./base-image');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const IMAGE = 'localhost/service-sessions:smoke';
const BUILD_STAGE_IMAGE = 'localhost/service-sessions:smoke-build';
const NAME = `service-sessions-smoke-${process.pid}`;
const CONTAINER_PORT = 8080;
// Bounds on waiting for the service to answer, not timings under test: a cold start on a busy
// two-core machine takes a few seconds.
const READY_TIMEOUT_MS = 90000;
const REQUEST_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_S = 10;
const SESSION = { user_id: 'u1', user_name: 'User 1', address: '127.0.0.1', client: 'smoke' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

let stepNumber = 0;
const step = (text) => log(`--- step ${++stepNumber}: ${text}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One HTTP request on its own connection (a kept-alive one would not survive the restart). */
function request(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path: urlPath,
      agent: false,
      timeout: REQUEST_TIMEOUT_MS,
      headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A reply for a failure message: an error's code and message, never a session's fields. */
function describeReply(res) {
  const body = parseJson(res.text);
  if (body && typeof body === 'object' && typeof body.code === 'string') return `${res.status} ${body.code}: ${body.message}`;
  return `${res.status} (${Buffer.byteLength(res.text)} bytes${body && typeof body === 'object' ? ' of JSON' : ''})`;
}

function containerRunning(engine) {
  const r = engine.tryRun(['container', 'inspect', '--format', '{{.State.Running}}', NAME]);
  return r.ok && r.out === 'true';
}

/** Polls /heartbeat until it answers 200; fails early when the container has stopped. */
async function waitForHeartbeat(engine, port) {
  const t0 = Date.now();
  let last = 'no answer';
  while (Date.now() - t0 < READY_TIMEOUT_MS) {
    try {
      const res = await request(port, 'GET', '/heartbeat');
      if (res.status === 200) return { ms: Date.now() - t0, res };
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    if (!containerRunning(engine)) throw new Error(`the container stopped before /heartbeat answered (${last})`);
    await sleep(250);
  }
  throw new Error(`/heartbeat did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

async function getSession(port, id) {
  const res = await request(port, 'POST', '/v1/sessions/get_session_by_id', { session_id: id });
  const session = parseJson(res.text);
  if (res.status !== 200 || !session || session.id !== id || session.user_id !== SESSION.user_id || session.user_name !== SESSION.user_name) {
    throw new Error(`get_session_by_id did not answer 200 with the session opened: ${describeReply(res)}`);
  }
  return session;
}

/** Runs the image's own HEALTHCHECK command the way the engine would. */
function runHealthcheck(engine) {
  if (engine.name === 'podman') {
    // Podman schedules health checks with systemd timers, which these machines lack (it logs
    // an error at start and goes on); `healthcheck run` runs the configured check at once.
    engine.run(['healthcheck', 'run', NAME]);
    return 'podman healthcheck run: healthy';
  }
  const test = JSON.parse(engine.run(['image', 'inspect', '--format', '{{json .Config.Healthcheck.Test}}', IMAGE]) || 'null');
  if (!Array.isArray(test) || !['CMD', 'CMD-SHELL'].includes(test[0])) throw new Error(`the image has no HEALTHCHECK command (${JSON.stringify(test)})`);
  const command = test[0] === 'CMD' ? test.slice(1) : ['/bin/sh', '-c', test[1]];
  engine.run(['exec', NAME, ...command]);
  return `exec of the HEALTHCHECK command: exit 0`;
}

function cleanUp(engine) {
  engine.tryRun(['rm', '-f', '-t', '0', NAME]);
  engine.tryRun(['volume', 'rm', '-f', NAME]);
  if (engine.name === 'podman') {
    // Each changed build leaves the previous images untagged; without this a machine that
    // keeps its storage grows by up to a few hundred MB per run. Tagged images (this image,
    // its build stage, the base images) and their layers, the build cache, stay. Not done
    // with Docker, whose engine may hold a developer's own untagged images.
    engine.tryRun(['image', 'prune', '-f']);
  }
}

async function main() {
  const results = [];
  const pass = (probe, detail) => {
    results.push({ probe, ok: true, detail });
    log(`PASS ${probe}: ${detail}`);
  };
  const summary = { engine: '', base: '', buildMs: 0, sizeMb: '' };
  let engine = null;
  let containerCreated = false;
  const t0 = Date.now();

  const onSignal = (signal) => {
    if (engine) cleanUp(engine);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    step('container engine');
    engine = openEngine();
    summary.engine = `${engine.name} ${engine.version}`;
    log(`using ${summary.engine}${engine.name === 'podman' ? ' (no Docker engine answers)' : ''}`);

    step(`base image ${BASE_IMAGE}`);
    summary.base = ensureBaseImage(engine);
    log(summary.base);

    step(`build ${IMAGE} from the Dockerfile`);
    const buildStart = Date.now();
    // --format docker: the OCI format has no HEALTHCHECK, and podman would drop it.
    const buildArgs = ['build', ...(engine.name === 'podman' ? ['--pull=never', '--format', 'docker'] : []),
      '-f', path.join(REPO_ROOT, 'Dockerfile')];
    if (engine.name === 'podman') {
      // The build stage gets a tag of its own so that pruning (below) keeps it as the cache.
      engine.run([...buildArgs, '--target', 'build', '-t', BUILD_STAGE_IMAGE, REPO_ROOT], { inherit: true });
    }
    engine.run([...buildArgs, '-t', IMAGE, REPO_ROOT], { inherit: true });
    summary.buildMs = Date.now() - buildStart;
    summary.sizeMb = (Number(engine.run(['image', 'inspect', '--format', '{{.Size}}', IMAGE])) / 1e6).toFixed(0);
    pass('build', `${seconds(summary.buildMs)}, image ${summary.sizeMb} MB`);

    step('run the container, file store on a named volume at /app/data');
    const port = await freePort();
    engine.run(['volume', 'create', NAME]);
    containerCreated = true;
    // Standard port publishing works with podman here (netavark bridge), so no host networking.
    engine.run(['run', '-d', '--name', NAME, '-p', `127.0.0.1:${port}:${CONTAINER_PORT}`,
      '-v', `${NAME}:/app/data`, IMAGE]);
    const ready = await waitForHeartbeat(engine, port);
    pass('GET /heartbeat', `200 ${ready.res.text} after ${seconds(ready.ms)} (127.0.0.1:${port} -> ${CONTAINER_PORT})`);

    step('user and health check');
    const uid = engine.run(['exec', NAME, 'id', '-u']);
    const user = engine.run(['exec', NAME, 'id', '-un']);
    if (uid === '0') throw new Error('the service runs as root');
    pass('non-root user', `${user} (uid ${uid})`);
    const nodeVersion = engine.run(['exec', NAME, 'node', '--version']);
    if (!/^v24\./.test(nodeVersion)) throw new Error(`the image runs Node.js ${nodeVersion}, not 24`);
    pass('Node.js', nodeVersion);
    pass('HEALTHCHECK', runHealthcheck(engine));

    step('open a session and read it back');
    const opened = await request(port, 'POST', '/v1/sessions/open_session', SESSION);
    const session = parseJson(opened.text);
    if (opened.status !== 200 || !session || typeof session.id !== 'string' || !session.id) {
      throw new Error(`open_session did not answer 200 with an id: ${describeReply(opened)}`);
    }
    // Only a prefix of the id: full session ids are not for logs.
    const shortId = `${session.id.slice(0, 6)}...`;
    pass('open_session', `200, session ${shortId}`);
    await getSession(port, session.id);
    pass('get_session_by_id', `200, same session, user ${SESSION.user_id}`);

    step('restart the container');
    const restartStart = Date.now();
    engine.run(['restart', '-t', String(STOP_TIMEOUT_S), NAME]);
    await waitForHeartbeat(engine, port);
    pass('restart', `answering again ${seconds(Date.now() - restartStart)} after the restart began`);
    const survived = await getSession(port, session.id);
    pass('session survived the restart', `200, session ${shortId}, active ${survived.active}`);
  } catch (err) {
    log(`FAIL: ${err.message}`);
    if (engine && containerCreated) {
      log(`--- logs of ${NAME} ---`);
      const logs = engine.tryRun(['logs', NAME]);
      process.stdout.write(`${logs.out}\n`);
      log('--- end of logs ---');
    }
    results.push({ probe: 'smoke test', ok: false, detail: err.message.split('\n')[0] });
  } finally {
    if (engine) cleanUp(engine);
  }

  const failed = results.some((r) => !r.ok);
  log('=== summary ===');
  log(`engine:     ${summary.engine || '-'}`);
  log(`base image: ${summary.base || '-'}`);
  log(`build time: ${summary.buildMs ? seconds(summary.buildMs) : '-'}`);
  log(`image size: ${summary.sizeMb ? `${summary.sizeMb} MB` : '-'}`);
  for (const r of results) log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.probe}: ${r.detail}`);
  log(`${failed ? 'FAILED' : 'passed'} in ${seconds(Date.now() - t0)}`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`[docker-smoke] ERROR: ${err.stack || err.message}\n`);
  process.exit(1);
});
