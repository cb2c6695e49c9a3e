import { stopSharedPlatform } from './platform';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a .ts source jest transforms, untyped on purpose
const common = require('../../../common/src/testing/global-teardown.ts') as { default: () => Promise<void> };

/** Stops the shared platform (if a file started it) before the MongoDB-wire server it uses. */
export default async function teardown(): Promise<void> {
  const dir = process.env.JETMART_SHARED_PLATFORM_DIR;
  if (dir) await stopSharedPlatform(dir);
  await common.default();
}
