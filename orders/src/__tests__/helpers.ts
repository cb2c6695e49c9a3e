import { Types, type Connection } from 'mongoose';
import { createLogger } from '@jetmart/common';
import type { Address } from '@jetmart/common/contracts';
import { TEST_JWT_KEY } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { placeOrder, type OrderRequestLine } from '../lifecycle';
import { applyProductCreated, ordersModels, type OrderDoc, type OrdersModels } from '../models';

export const jwtKey = () => process.env.JWT_KEY ?? TEST_JWT_KEY;
export const newId = () => new Types.ObjectId().toHexString();

/** The orders app and models on `conn` (a connection with jetmart's plugins installed). */
export function testApp(conn: Connection) {
  const models = ordersModels(conn);
  const app = buildApp(
    { logger: createLogger('orders'), isReady: () => true, models },
    { jwtKey: jwtKey(), jwtTtlSeconds: 3600, expirationSeconds: 900 },
  );
  return { app, models };
}

export async function syncIndexes(models: OrdersModels): Promise<void> {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
}

/** A product replica at version 0, as product.created would create it. */
export async function seedProduct(
  models: OrdersModels,
  attrs: Partial<{ id: string; title: string; priceMinor: number; quantity: number; userId: string }> = {},
) {
  const data = { id: newId(), title: 'Lamp', priceMinor: 1999, quantity: 10, userId: newId(), version: 0, ...attrs };
  await applyProductCreated(models.ProductReplica, data);
  return data;
}

/** A valid shipping address (every field, the optional ones included); `attrs` override fields. */
export function testAddress(attrs: Partial<Address> = {}): Address {
  return {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    line2: 'Flat 3',
    city: 'London',
    postalCode: 'NW1 6XE',
    country: 'GB',
    phone: '+44 20 7946 0000',
    ...attrs,
  };
}

/** placeOrder for a test that needs the order placed (fails the test otherwise). */
export async function placed(
  models: OrdersModels,
  userId: string,
  lines: OrderRequestLine[],
  expirationSeconds = 900,
  shippingAddress = testAddress(),
): Promise<OrderDoc> {
  const result = await placeOrder({ models }, userId, { items: lines, shippingAddress }, { expirationSeconds });
  if (result.kind !== 'placed') throw new Error(`order not placed: ${JSON.stringify(result)}`);
  return result.order;
}
