// The 10,000-pending-expiries run (issue 4), kept out of the regular suites because it takes minutes:
//   npm run build -w common -w expiration && JETMART_MONGO=ferretdb npx jest -c bench/expiration-10k.jest.config.js
module.exports = require('../jest.config.base')(__dirname, {
  testMatch: ['<rootDir>/expiration-10k.bench.ts'],
  testTimeout: 900_000,
  maxWorkers: 1,
});
