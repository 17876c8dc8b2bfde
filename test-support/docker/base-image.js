#!/usr/bin/env node
'use strict';

/**
 * The Dockerfile's base image, docker.io/library/node:24-bookworm-slim, where Docker Hub cannot
 * be reached: a stand-in built from Debian's own mirror (node-stand-in.Containerfile), with
 * the Node.js 24 binary the tests run on (test-support/node/lts.js).
 *
 * Two images, both kept in the engine's storage as the cache, each built only when missing:
 *   localhost/service-sessions-debootstrap:bookworm   debootstrap --variant=minbase, slimmed
 *   docker.io/library/node:24-bookworm-slim           + Node.js 24, this machine's npm and CA store
 * The stand-in carries a label naming its recipe (Containerfile, node and npm versions, CA
 * store); when any of them changes it is rebuilt from the first image. A base image without
 * that label (the real one) is used as it is.
 *
 * CLI: node test-support/docker/base-image.js   (builds what is missing, prints the outcome)
 */

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { openEngine, ensurePackages, runCommand, log, CACHE_DIR } = require('./engine');
const nodeLts = require('../node/lts');

const NODE_MAJOR = 24;
const BASE_IMAGE = `docker.io/library/node:${NODE_MAJOR}-bookworm-slim`;
const ROOTFS_IMAGE = 'localhost/service-sessions-debootstrap:bookworm';
const SUITE = 'bookworm';
const RECIPE_LABEL = 'service-sessions.stand-in';
const CONTAINERFILE = path.join(__dirname, 'node-stand-in.Containerfile');
const FALLBACK_MIRROR = 'http://deb.debian.org/debian';
// What debian:bookworm-slim leaves out too: it is never needed to run node.
const SLIMMED_DIRS = ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale'];

/** The first mirror apt uses for `suite` main (deb822 .sources or one-line .list files). */
function debianMirror(suite) {
  const dir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list'];
  if (fs.existsSync(dir)) files.push(...fs.readdirSync(dir).sort().map((f) => path.join(dir, f)));
  for (const file of files.filter((f) => fs.existsSync(f))) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields = {};
        for (const line of stanza.split('\n')) {
          const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (m) fields[m[1].toLowerCase()] = m[2].trim().split(/\s+/);
        }
        if ((fields.types || []).includes('deb') && (fields.suites || []).includes(suite)
          && (fields.components || []).includes('main') && fields.uris) return fields.uris[0];
      }
    } else if (file.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
        if (m && m[2] === suite && m[3].split(/\s+/).includes('main')) return m[1];
      }
    }
  }
  return FALLBACK_MIRROR;
}

/** The value of the stand-in's recipe label; '' for an image without it; null when there is no image. */
function recipeLabelOf(engine, image) {
  const r = engine.tryRun(['image', 'inspect', '--format', `{{ index .Config.Labels "${RECIPE_LABEL}" }}`, image]);
  if (!r.ok) return null;
  return r.out === '<no value>' ? '' : r.out;
}

function hostCaBundle() {
  const candidates = ['/etc/ssl/certs/ca-certificates.crt', process.env.NODE_EXTRA_CA_CERTS].filter(Boolean);
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`no CA trust store found (looked for ${candidates.join(', ')})`);
  return found;
}

/** The binary the stand-in carries: this process's node when it is of the image's line, else the pinned one. */
function standInNode() {
  if (process.versions.node.split('.')[0] === String(NODE_MAJOR)) return { binary: process.execPath, version: process.versions.node };
  return { binary: path.join(nodeLts.binDir(NODE_MAJOR), 'node'), version: nodeLts.VERSIONS[NODE_MAJOR] };
}

function hostNpmDir() {
  const besideNode = path.join(path.dirname(fs.realpathSync(process.execPath)), '..', 'lib', 'node_modules', 'npm');
  if (fs.existsSync(path.join(besideNode, 'bin', 'npm-cli.js'))) return path.resolve(besideNode);
  // The npm on PATH, wherever it lives: `npm root -g` would answer beside the running node
  // (the pinned Node 24 has no npm of its own), not where that npm is.
  const onPath = runCommand('bash', ['-c', 'command -v npm']);
  return path.resolve(path.dirname(fs.realpathSync(onPath)), '..');
}

function recipeOf(node, npmDir, caBundle) {
  const npmVersion = JSON.parse(fs.readFileSync(path.join(npmDir, 'package.json'), 'utf8')).version;
  const hash = crypto.createHash('sha256');
  hash.update(fs.readFileSync(CONTAINERFILE));
  hash.update(`\0v${node.version}\0${npmVersion}\0${SUITE}\0`);
  hash.update(fs.readFileSync(caBundle));
  return `node-${node.version}-npm-${npmVersion}-${hash.digest('hex').slice(0, 12)}`;
}

function buildRootfsImage(engine) {
  ensurePackages({ debootstrap: 'debootstrap' });
  const mirror = debianMirror(SUITE);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  // A run killed mid-way leaves its root file system behind; nothing else lives under rootfs-*.
  for (const leftover of fs.readdirSync(CACHE_DIR).filter((f) => f.startsWith('rootfs-'))) {
    fs.rmSync(path.join(CACHE_DIR, leftover), { recursive: true, force: true });
  }
  const dir = fs.mkdtempSync(path.join(CACHE_DIR, 'rootfs-'));
  const logFile = path.join(CACHE_DIR, 'debootstrap.log');
  const t0 = Date.now();
  try {
    log(`debootstrap --variant=minbase ${SUITE} from ${mirror} (log: ${logFile})`);
    const logFd = fs.openSync(logFile, 'w');
    let r;
    try {
      r = spawnSync('debootstrap', ['--variant=minbase', SUITE, dir, mirror], { stdio: ['ignore', logFd, logFd] });
    } finally {
      fs.closeSync(logFd);
    }
    if (r.error || r.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
      throw new Error(`debootstrap failed (${r.error ? r.error.message : `exit code ${r.status}`}):\n${tail}`);
    }
    for (const sub of SLIMMED_DIRS) {
      const full = path.join(dir, sub);
      if (!fs.existsSync(full)) continue;
      for (const entry of fs.readdirSync(full)) fs.rmSync(path.join(full, entry), { recursive: true, force: true });
    }
    log(`importing the root file system as ${ROOTFS_IMAGE}`);
    runCommand('bash', ['-o', 'pipefail', '-c', 'tar -C "$1" -c . | "$2" import --change \'CMD ["bash"]\' - "$3"',
      'bash', dir, engine.name, ROOTFS_IMAGE], { env: engine.env });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`${ROOTFS_IMAGE} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function buildStandIn(engine, recipe, node, npmDir, caBundle) {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'node-stand-in-'));
  const t0 = Date.now();
  try {
    fs.copyFileSync(node.binary, path.join(context, 'node'));
    fs.chmodSync(path.join(context, 'node'), 0o755);
    runCommand('cp', ['-a', npmDir, path.join(context, 'npm')]);
    fs.copyFileSync(caBundle, path.join(context, 'ca-certificates.crt'));
    log(`building the stand-in ${BASE_IMAGE} (${recipe})`);
    engine.run(['build', ...(engine.name === 'podman' ? ['--pull=never'] : []),
      '--build-arg', `NODE_VERSION=${node.version}`, '--label', `${RECIPE_LABEL}=${recipe}`,
      '-f', CONTAINERFILE, '-t', BASE_IMAGE, context]);
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
  log(`stand-in built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Makes sure BASE_IMAGE is in the engine's storage; returns how it got there. */
function ensureBaseImage(engine) {
  const node = standInNode();
  const npmDir = hostNpmDir();
  const caBundle = hostCaBundle();
  const recipe = recipeOf(node, npmDir, caBundle);
  const label = recipeLabelOf(engine, BASE_IMAGE);
  if (label === recipe) return `stand-in from the cache (${recipe})`;
  if (label === '') return 'the real image, already present';
  // Only a real Docker engine may reach Docker Hub; podman never pulls here (build --pull=never).
  if (label === null && engine.name === 'docker' && engine.tryRun(['pull', BASE_IMAGE], { timeoutMs: 180000 }).ok) {
    return 'the real image, pulled';
  }
  if (recipeLabelOf(engine, ROOTFS_IMAGE) === null) buildRootfsImage(engine);
  buildStandIn(engine, recipe, node, npmDir, caBundle);
  return `stand-in built (${label === null ? 'none cached' : `recipe changed from ${label}`})`;
}

module.exports = { ensureBaseImage, BASE_IMAGE, ROOTFS_IMAGE };

if (require.main === module) {
  try {
    const engine = openEngine();
    log(`${BASE_IMAGE}: ${ensureBaseImage(engine)}`);
  } catch (err) {
    process.stderr.write(`[docker-smoke] ERROR: ${err.message}\n`);
    process.exit(1);
  }
}
