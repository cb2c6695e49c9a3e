import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { createLogger } from '@jetmart/common';
import { TEST_JWT_KEY } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { FsBlobStore, type BlobStore } from '../images';
import { productsModels, type ProductsModels } from '../models';

/** The admin of the test app (ADMIN_EMAILS): reviews' moderation. */
export const TEST_ADMIN_EMAIL = 'admin@jetmart.test';

export const jwtKey = () => process.env.JWT_KEY ?? TEST_JWT_KEY;

/**
 * The products app on the test database's connection, without a bus. Call useTestDatabase()
 * first: it installs the database plugins the models need.
 */
export function testApp(opts: { imageStore?: BlobStore; admins?: ReadonlySet<string> } = {}): {
  app: ReturnType<typeof buildApp>;
  models: ProductsModels;
  imageStore: BlobStore;
} {
  const models = productsModels(mongoose.connection);
  // Images in a fresh directory of their own unless the test brings a store.
  const imageStore = opts.imageStore ?? new FsBlobStore(mkdtempSync(path.join(os.tmpdir(), 'jetmart-images-test-')));
  const app = buildApp(
    { logger: createLogger('products'), isReady: () => true, models },
    { jwtKey: jwtKey(), jwtTtlSeconds: 3600, imageStore, admins: opts.admins ?? new Set([TEST_ADMIN_EMAIL]) },
  );
  return { app, models, imageStore };
}

export async function syncIndexes(models: ProductsModels): Promise<void> {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
}
