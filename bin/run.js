#!/usr/bin/env node
'use strict';
// Starts the standalone service; see docs/configuration.md for options.
const v8 = require('v8');
const { SessionsProcess } = require('../obj/src/container/SessionsProcess');

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

new SessionsProcess().start(process.argv.slice(2)).then(tightenHeapGrowth);
