'use strict';

/**
 * The container engine the Docker smoke test drives: a real Docker engine when one answers,
 * otherwise podman run as root, installed with apt-get when missing and configured by
 * containers.conf (through CONTAINERS_CONF, so the system's own configuration is untouched).
 *
 *   const { openEngine } = require('./engine');
 *   const engine = openEngine();           // { name, version, run(args), tryRun(args), ... }
 *   engine.run(['image', 'ls']);
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'service-sessions-docker');
const CONTAINERS_CONF = path.join(__dirname, 'containers.conf');
// Command -> Debian package. iptables is only "suggested" by podman, yet netavark needs it
// for the bridge network and published ports.
const PODMAN_PACKAGES = { podman: 'podman', runc: 'runc', iptables: 'iptables' };

const log = (msg) => process.stdout.write(`[docker-smoke] ${msg}\n`);

function commandExists(cmd) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs a command; throws with its output when it fails. `inherit: true` streams its output
 * (long steps, so CI shows progress); otherwise stdout is returned, trimmed.
 */
function runCommand(cmd, args, { env = process.env, inherit = false, input, timeoutMs } = {}) {
  const r = spawnSync(cmd, args, {
    env,
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
    stdio: inherit ? ['ignore', 'inherit', 'inherit'] : ['pipe', 'pipe', 'pipe'],
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    const output = inherit ? '' : `\n${(r.stderr || '').trim()}\n${(r.stdout || '').trim()}`.trimEnd();
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}${output}`);
  }
  return inherit ? '' : (r.stdout || '').trim();
}

/** Installs Debian packages: the smoke test must work on a fresh machine with nothing installed. */
function aptInstall(packages) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`missing ${packages.join(', ')}: install them (apt-get install -y ${packages.join(' ')}) or run as root`);
  }
  log(`installing with apt-get: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const t0 = Date.now();
  runCommand('apt-get', ['update', '-q'], { env });
  runCommand('apt-get', ['install', '-y', '-q', ...packages], { env });
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Installs the package of each command (a map command -> package) that is not on PATH. */
function ensurePackages(packageOfCommand) {
  const missing = Object.keys(packageOfCommand).filter((cmd) => !commandExists(cmd));
  if (missing.length) aptInstall([...new Set(missing.map((cmd) => packageOfCommand[cmd]))]);
}

function dockerAnswers() {
  if (!commandExists('docker')) return false;
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15000 });
  return r.status === 0 && r.stdout.trim() !== '';
}

/** The host's hard limits for open files and processes, or null when bash cannot tell. */
function hostHardLimits() {
  const r = spawnSync('bash', ['-c', 'ulimit -Hn; ulimit -Hu'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const [nofile, nproc] = r.stdout.trim().split('\n').map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { nofile, nproc };
}

/**
 * containers.conf as it is when the host allows its limits; otherwise a copy in the cache with
 * each limit lowered to the host's, since a container cannot be given more than its parent has.
 */
function effectiveContainersConf() {
  const limits = hostHardLimits();
  const text = fs.readFileSync(CONTAINERS_CONF, 'utf8');
  let lowered = false;
  const adjusted = text.replace(/\b(nofile|nproc)=(\d+):(\d+)/g, (whole, name, soft, hard) => {
    const max = limits ? limits[name] : Infinity;
    if (!(Number(hard) > max)) return whole;
    lowered = true;
    return `${name}=${Math.min(Number(soft), max)}:${max}`;
  });
  if (!lowered) return CONTAINERS_CONF;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, 'containers.conf');
  fs.writeFileSync(file, adjusted);
  log(`host limits are lower than containers.conf's: using ${file}`);
  return file;
}

/**
 * Docker when its engine answers, podman otherwise. The result runs the engine's CLI:
 * run() throws on failure, tryRun() returns { ok, out }.
 */
function openEngine() {
  let name;
  let env = process.env;
  if (dockerAnswers()) {
    name = 'docker';
  } else {
    ensurePackages(PODMAN_PACKAGES);
    name = 'podman';
    env = { ...process.env, CONTAINERS_CONF: effectiveContainersConf() };
  }
  const run = (args, options = {}) => runCommand(name, args, { env, ...options });
  const tryRun = (args, options = {}) => {
    try {
      return { ok: true, out: run(args, options) };
    } catch (err) {
      return { ok: false, out: err.message };
    }
  };
  const version = run(['version', '--format', name === 'docker' ? '{{.Server.Version}}' : '{{.Client.Version}}']);
  return { name, version, env, run, tryRun };
}

module.exports = { openEngine, ensurePackages, runCommand, log, CACHE_DIR };
