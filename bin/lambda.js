'use strict';
// The AWS Lambda entry point, at the original's path: set the function's handler to
// "bin/lambda.handler". The module itself is the handler too, as the original exported it.
// See docs/lambda.md.
const { handler } = require('../obj/src/container/SessionsLambdaFunction');

module.exports = handler;
module.exports.handler = handler;
