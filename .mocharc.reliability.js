'use strict';
// The reliability suite (npm run test:reliability); pending and .only fail it under CI, as in .mocharc.js.
const strict = process.env.CI === 'true';

module.exports = {
    spec: 'obj/test/reliability/**/*.test.js',
    recursive: true,
    timeout: 600000,
    reporter: 'spec',
    exit: false,
    require: ['obj/test/fixtures/MochaHooks.js'],
    'forbid-pending': strict,
    'forbid-only': strict
};
