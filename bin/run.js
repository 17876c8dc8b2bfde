#!/usr/bin/env node
'use strict';
// Starts the standalone service; see README.md for options.
const v8 = require('v8');

// With a million sessions live, V8's default heap growth (up to 4x the live size between
// full collections) let the process pass 2.5 GB under load; 1.5x keeps it near 1.3 GB
// at the same throughput (measured with npm run bench). Set once the stores have loaded:
// during a load nearly everything allocated stays live, and the tighter growth made
// loading a million sessions about 1.5 s slower for no memory saved. A flag given on the
// command line wins.
const tightenHeapGrowth = () => {
    if (!process.execArgv.some(arg => arg.startsWith('--heap-growing-percent'))) {
        v8.setFlagsFromString('--heap-growing-percent=50');
    }
};

// The toolkit loads restify, whose spdy/http-deceiver modules touch a deprecated Node API
// when loaded (DEP0111), although our HTTP endpoint never uses them. Silenced for that
// load only, so every start does not print a stack that is not ours (and LOG_FORMAT=json
// stays one JSON object per line); later deprecations still show.
const noDeprecation = process.noDeprecation;
process.noDeprecation = true;
const { SessionsProcess } = require('../obj/src/container/SessionsProcess');
process.noDeprecation = noDeprecation;

new SessionsProcess().start(process.argv.slice(2)).then(tightenHeapGrowth);
