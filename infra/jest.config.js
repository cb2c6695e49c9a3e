/** Offline checks of the deployment files (Kubernetes, ingress routes, skaffold, workflows, Dockerfiles). */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': '@swc/jest' },
  testTimeout: 120000,
};
