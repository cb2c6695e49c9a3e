// Browser tests: playwright-core + Debian chromium against `node scripts/platform.js`.
module.exports = require('../jest.config.base')(__dirname, { testMatch: ['**/e2e/__tests__/**/*.test.ts'], testTimeout: 240000, maxWorkers: 1 });
