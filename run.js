'use strict';
// `node run` starts the service, as the original's README says.
require('./bin/run.js');
