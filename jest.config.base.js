// Shared jest settings for every workspace: SWC transforms TypeScript (ts-jest does not support
// TypeScript 7), @jetmart/common resolves to its source, and one MongoDB-wire server per run.
const path = require('node:path');

const root = __dirname;

module.exports = (dir, overrides = {}) => ({
  rootDir: dir,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper: {
    '^@jetmart/common$': path.join(root, 'common/src/index.ts'),
    '^@jetmart/common/testing$': path.join(root, 'common/src/testing/index.ts'),
    '^@jetmart/common/contracts$': path.join(root, 'common/src/contracts.ts'),
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: path.join(root, 'common/src/testing/global-setup.ts'),
  globalTeardown: path.join(root, 'common/src/testing/global-teardown.ts'),
  // A hang detector, not a speed check: CI runs every suite on a shared 2-core machine with the
  // platform lane beside it (load 10+), where a correct property test of 200 requests or a race of
  // a few dozen events can take over a minute. 30 s ended such tests mid-run in two CI runs.
  testTimeout: 120_000,
  ...overrides,
});
