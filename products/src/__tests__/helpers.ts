import mongoose from 'mongoose';
import { createLogger } from '@jetmart/common';
import { TEST_JWT_KEY } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { productsModels, type ProductsModels } from '../models';

export const jwtKey = () => process.env.JWT_KEY ?? TEST_JWT_KEY;

/**
 * The products app on the test database's connection, without a bus. Call useTestDatabase()
 * first: it installs the database plugins the models need.
 */
export function testApp(): { app: ReturnType<typeof buildApp>; models: ProductsModels } {
  const models = productsModels(mongoose.connection);
  const app = buildApp({ logger: createLogger('products'), isReady: () => true, models }, { jwtKey: jwtKey(), jwtTtlSeconds: 3600 });
  return { app, models };
}

export async function syncIndexes(models: ProductsModels): Promise<void> {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
}
