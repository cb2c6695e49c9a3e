import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The global setup every workspace runs (the run's MongoDB-wire server), from its source as
// jest.config.base.js names it (not type-checked here: the storefront's types are not the services').
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a .ts source jest transforms, untyped on purpose
const common = require('../../../common/src/testing/global-setup.ts') as { default: () => Promise<void> };

/** The run's MongoDB-wire server (as every workspace), and a directory for the shared platform (sharedPlatform). */
export default async function setup(): Promise<void> {
  await common.default();
  process.env.JETMART_SHARED_PLATFORM_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-shared-platform-'));
}
