#!/usr/bin/env node
'use strict';

/**
 * Control script for the FerretDB-based MongoDB-wire test server (see main.go).
 *
 * CLI (run from anywhere):
 *   node test-support/mongo-server/control.js build
 *   node test-support/mongo-server/control.js start  [--port N]   # prints mongodb://127.0.0.1:N on stdout
 *   node test-support/mongo-server/control.js stop   [--port N]
 *   node test-support/mongo-server/control.js status [--port N]   # exit 0 = running, 1 = stopped
 *
 * Library (e.g. mocha root hooks):
 *   const srv = require('./test-support/mongo-server/control');
 *   const { uri } = await srv.start(27018); ... await srv.stop(27018);
 *
 * Progress messages go to stderr; only the URI (start) / state (status) go to stdout.
 * No npm dependencies: the readiness check is a hand-written OP_MSG ping.
 */

const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const DEFAULT_PORT = 27018;
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 10000;

const SRC_DIR = __dirname;
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'mongo-server');
const BINARY = path.join(CACHE_DIR, 'ferretdb-test-server');
// Every Go file of the package, so adding one also makes the binary stale.
const sources = () => fs.readdirSync(SRC_DIR)
  .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
  .map((f) => path.join(SRC_DIR, f));

const children = new Map(); // port -> ChildProcess spawned by this process

const log = (msg) => process.stderr.write(`[mongo-server] ${msg}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function files(port) {
  return {
    pidFile: path.join(CACHE_DIR, `server-${port}.pid`),
    logFile: path.join(CACHE_DIR, `server-${port}.log`),
    dataDir: path.join(CACHE_DIR, `data-${port}`),
  };
}

function checkPort(port) {
  const p = Number(port);
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port: ${port}`);
  return p;
}

// ---------------------------------------------------------------------------------------------
// build

function needsBuild() {
  if (!fs.existsSync(BINARY)) return 'binary missing';
  const binTime = fs.statSync(BINARY).mtimeMs;
  const newer = sources().filter((f) => fs.statSync(f).mtimeMs > binTime);
  return newer.length ? `newer sources: ${newer.map((f) => path.basename(f)).join(', ')}` : null;
}

/** Builds the binary if it is missing or older than a .go file, go.mod or go.sum. Returns true if built. */
function build() {
  const reason = needsBuild();
  if (!reason) {
    log(`binary up to date: ${path.relative(REPO_ROOT, BINARY)}`);
    return false;
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  log(`building (${reason}): (cd ${path.relative(REPO_ROOT, SRC_DIR)} && go build -o ${BINARY} .)`);
  const t0 = Date.now();
  const r = spawnSync('go', ['build', '-o', BINARY, '.'], { cwd: SRC_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw new Error(`cannot run go: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go build failed with exit code ${r.status}`);
  // `go build -o` may leave an up-to-date output untouched; bump mtime so the staleness check holds.
  const now = new Date();
  fs.utimesSync(BINARY, now, now);
  log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// minimal BSON + OP_MSG (just enough for {ping: 1, $db: "admin"} and its reply)

function encodeDoc(obj) {
  const parts = [];
  for (const [key, value] of Object.entries(obj)) {
    const name = Buffer.from(`${key}\0`, 'utf8');
    if (typeof value === 'string') {
      const str = Buffer.from(value, 'utf8');
      const len = Buffer.alloc(4);
      len.writeInt32LE(str.length + 1);
      parts.push(Buffer.from([0x02]), name, len, str, Buffer.from([0]));
    } else if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) {
      const v = Buffer.alloc(4);
      v.writeInt32LE(value);
      parts.push(Buffer.from([0x10]), name, v);
    } else if (typeof value === 'number') {
      const v = Buffer.alloc(8);
      v.writeDoubleLE(value);
      parts.push(Buffer.from([0x01]), name, v);
    } else {
      throw new Error(`encodeDoc: unsupported value for ${key}`);
    }
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(4);
  head.writeInt32LE(4 + body.length + 1);
  return Buffer.concat([head, body, Buffer.from([0])]);
}

function decodeDoc(buf, start = 0) {
  const size = buf.readInt32LE(start);
  const end = start + size - 1; // position of the trailing 0x00
  const out = {};
  let i = start + 4;
  while (i < end) {
    const type = buf[i++];
    const nul = buf.indexOf(0, i);
    const key = buf.toString('utf8', i, nul);
    i = nul + 1;
    switch (type) {
      case 0x01: out[key] = buf.readDoubleLE(i); i += 8; break;
      case 0x02: { const n = buf.readInt32LE(i); out[key] = buf.toString('utf8', i + 4, i + 4 + n - 1); i += 4 + n; break; }
      case 0x03: case 0x04: { const n = buf.readInt32LE(i); out[key] = decodeDoc(buf, i); i += n; break; }
      case 0x05: { const n = buf.readInt32LE(i); out[key] = buf.subarray(i + 5, i + 5 + n); i += 5 + n; break; }
      case 0x07: out[key] = buf.toString('hex', i, i + 12); i += 12; break;
      case 0x08: out[key] = buf[i] === 1; i += 1; break;
      case 0x09: out[key] = new Date(Number(buf.readBigInt64LE(i))); i += 8; break;
      case 0x0a: out[key] = null; break;
      case 0x10: out[key] = buf.readInt32LE(i); i += 4; break;
      case 0x11: case 0x12: out[key] = buf.readBigInt64LE(i); i += 8; break;
      case 0x13: i += 16; break; // decimal128: skipped
      default: throw new Error(`decodeDoc: unsupported BSON type 0x${type.toString(16)} for "${key}"`);
    }
  }
  return out;
}

const OP_MSG = 2013;
let requestId = 1;

function encodeOpMsg(doc) {
  const body = encodeDoc(doc);
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + body.length, 0); // messageLength
  header.writeInt32LE(requestId++, 4); // requestID
  header.writeInt32LE(0, 8); // responseTo
  header.writeInt32LE(OP_MSG, 12); // opCode
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0 (body)
  return Buffer.concat([header, body]);
}

function decodeOpMsg(msg) {
  const opCode = msg.readInt32LE(12);
  if (opCode !== OP_MSG) throw new Error(`unexpected reply opCode ${opCode}`);
  const flags = msg.readUInt32LE(16);
  const end = flags & 1 ? msg.length - 4 : msg.length; // checksumPresent
  let i = 20;
  while (i < end) {
    const kind = msg[i++];
    if (kind === 0) return decodeDoc(msg, i);
    const n = msg.readInt32LE(i); // kind 1: document sequence, skip
    i += n;
  }
  throw new Error('reply has no body section');
}

/** Sends a single command over a fresh connection and resolves with the reply document. */
function runCommand(port, cmd, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: HOST, port: checkPort(port) });
    let data = Buffer.alloc(0);
    const done = (err, res) => {
      sock.destroy();
      if (err) reject(err);
      else resolve(res);
    };
    sock.setTimeout(timeoutMs, () => done(new Error(`timeout after ${timeoutMs} ms`)));
    sock.on('error', (err) => done(err));
    sock.on('connect', () => sock.write(encodeOpMsg(cmd)));
    sock.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= data.readInt32LE(0)) {
        try {
          done(null, decodeOpMsg(data.subarray(0, data.readInt32LE(0))));
        } catch (err) {
          done(err);
        }
      }
    });
    sock.on('end', () => done(new Error('connection closed before a full reply')));
  });
}

/** Resolves true if a MongoDB-wire server on 127.0.0.1:port answers {ping: 1} with ok == 1, else false. */
async function ping(port = DEFAULT_PORT, timeoutMs = 2000) {
  try {
    const reply = await runCommand(port, { ping: 1, $db: 'admin' }, timeoutMs);
    return reply.ok === 1 || reply.ok === true || reply.ok === 1n;
  } catch {
    return false;
  }
}

function portInUse(port) {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: HOST, port });
    sock.setTimeout(1000, () => { sock.destroy(); resolve(false); });
    sock.on('connect', () => { sock.destroy(); resolve(true); });
    sock.on('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------------
// process management

function readPid(pidFile) {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The process id of the server this script started on port, from its pid file; null if none. */
function pidOf(port) {
  return readPid(files(port).pidFile);
}

/** True if pid exists, is not a zombie and (where /proc exists) runs our binary. */
function isOurProcess(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // ESRCH (gone) or EPERM (not ours)
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('ferretdb-test-server');
  } catch {
    return !fs.existsSync('/proc/self'); // no procfs: trust kill(pid, 0)
  }
}

function tailLog(logFile, lines = 40) {
  try {
    return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Stops the server on `port` (SIGTERM, then SIGKILL after 10 s). Idempotent. Resolves true if it was running.
 * With { removeData: true } its data dir goes too (servers on free ports would otherwise pile up in the cache).
 */
async function stop(port = DEFAULT_PORT, { removeData = false } = {}) {
  port = checkPort(port);
  const { pidFile, dataDir } = files(port);
  try {
    return await stopProcess(port, pidFile);
  } finally {
    if (removeData) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function stopProcess(port, pidFile) {
  const pid = readPid(pidFile);
  if (!pid || !isOurProcess(pid)) {
    fs.rmSync(pidFile, { force: true });
    log(`port ${port}: not running`);
    return false;
  }
  log(`port ${port}: sending SIGTERM to pid ${pid}`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isOurProcess(pid) && Date.now() < deadline) await sleep(100);
  if (isOurProcess(pid)) {
    log(`port ${port}: pid ${pid} still alive after ${STOP_TIMEOUT_MS / 1000} s, sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    while (isOurProcess(pid)) await sleep(50);
  }
  children.delete(port);
  fs.rmSync(pidFile, { force: true });
  log(`port ${port}: stopped`);
  return true;
}

/**
 * Builds if needed, (re)starts the server on `port` with a fresh empty data dir and waits for ping.
 * With { keepData: true } the data dir of an earlier run on that port is kept, so tests can
 * restart the server and check that what it stored survived.
 * Resolves { uri, pid, port, logFile, dataDir }; rejects (with the log tail in the message) on failure.
 */
async function start(port = DEFAULT_PORT, { keepData = false } = {}) {
  port = checkPort(port);
  const t0 = Date.now();
  build();
  const { pidFile, logFile, dataDir } = files(port);

  if (readPid(pidFile)) await stop(port); // a fresh data dir is promised, so restart an existing server
  if (await portInUse(port)) throw new Error(`port ${port} on ${HOST} is already in use by another process`);

  if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });

  const logFd = fs.openSync(logFile, keepData ? 'a' : 'w');
  let exited = null;
  let child;
  try {
    child = spawn(BINARY, ['-listen', `${HOST}:${port}`, '-data', dataDir], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    fs.closeSync(logFd);
  }
  child.on('exit', (code, signal) => { exited = signal || `exit code ${code}`; });
  child.on('error', (err) => { exited = err.message; });
  child.unref();
  if (!child.pid) {
    await sleep(50);
    throw new Error(`failed to spawn ${BINARY}: ${exited}`);
  }
  children.set(port, child);
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  log(`port ${port}: spawned pid ${child.pid}, log ${path.relative(REPO_ROOT, logFile)}`);

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) break;
    if (await ping(port, 1000)) {
      const uri = `mongodb://${HOST}:${port}`;
      log(`port ${port}: ready in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
      return { uri, pid: child.pid, port, logFile, dataDir };
    }
    await sleep(100);
  }

  const why = exited ? `server exited (${exited})` : `no ping reply within ${START_TIMEOUT_MS / 1000} s`;
  if (!exited) await stop(port);
  fs.rmSync(pidFile, { force: true });
  throw new Error(`mongo test server failed to start on port ${port}: ${why}\n--- ${logFile} (tail) ---\n${tailLog(logFile)}`);
}

/** Resolves { running, pid, uri } for `port` (running = our pid alive and answering ping). */
async function status(port = DEFAULT_PORT) {
  port = checkPort(port);
  const pid = readPid(files(port).pidFile);
  const running = Boolean(pid && isOurProcess(pid) && (await ping(port)));
  return { running, pid: running ? pid : null, uri: `mongodb://${HOST}:${port}` };
}

module.exports = { start, stop, pidOf, ping, status, build, runCommand, DEFAULT_PORT, BINARY, CACHE_DIR };

// ---------------------------------------------------------------------------------------------
// CLI

async function main(argv) {
  const [cmd, ...rest] = argv;
  let port = DEFAULT_PORT;
  for (let i = 0; i < rest.length; i++) {
    const m = /^--port(?:=(.*))?$/.exec(rest[i]);
    if (m) port = checkPort(m[1] !== undefined ? m[1] : rest[++i]);
    else throw new Error(`unknown argument: ${rest[i]}`);
  }
  switch (cmd) {
    case 'build':
      build();
      return 0;
    case 'start':
      console.log((await start(port)).uri);
      return 0;
    case 'stop':
      await stop(port);
      return 0;
    case 'status': {
      const s = await status(port);
      console.log(s.running ? `running (pid ${s.pid}) ${s.uri}` : 'stopped');
      return s.running ? 0 : 1;
    }
    default:
      process.stderr.write('usage: node control.js build | start [--port N] | stop [--port N] | status [--port N]\n');
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[mongo-server] ERROR: ${err.message}\n`);
      process.exit(1);
    },
  );
}
