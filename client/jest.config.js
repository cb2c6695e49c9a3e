// Browser tests: playwright-core + Debian chromium against `node scripts/platform.js`; and unit
// tests of the storefront's pure modules (src/**/__tests__), which need no browser.
module.exports = require('../jest.config.base')(__dirname, {
  testMatch: ['**/e2e/__tests__/**/*.test.ts', '**/src/**/__tests__/**/*.test.ts'],
  testTimeout: 240000,
  // ECharts and zrender ship ES modules only: SWC turns them into CommonJS for jest (lib/charts.ts).
  transformIgnorePatterns: ['/node_modules/(?!(echarts|zrender)/)'],
  maxWorkers: 1,
  // The run's shared platform (e2e/support/platform.ts, sharedPlatform) is stopped at the end.
  globalSetup: require.resolve('./e2e/support/global-setup.ts'),
  globalTeardown: require.resolve('./e2e/support/global-teardown.ts'),
});
