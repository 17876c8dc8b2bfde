#!/usr/bin/env node
'use strict';
// Starts the standalone service; see README.md for options.
const { SessionsProcess } = require('../obj/src/container/SessionsProcess');

new SessionsProcess().start(process.argv.slice(2));
