// End-to-end tests: real service processes (built JS), real nats-server, real MongoDB-wire.
module.exports = require('../jest.config.base')(__dirname, { testTimeout: 180_000, maxWorkers: 1 });
