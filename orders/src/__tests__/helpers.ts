import mongoose, { Types, type Connection } from 'mongoose';
import { createLogger, documentLocksCapability, GUARD_READ_COMMENT, installDatabasePlugins } from '@jetmart/common';
import type { Address } from '@jetmart/common/contracts';
import { TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { completeOrder, placeOrder, type OrderRequestLine } from '../lifecycle';
import { applyProductCreated, applyShipmentCreated, applyShipmentStep, ordersModels, type OrderDoc, type OrdersModels } from '../models';

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

/** One command the driver sent: its kind, collection and filter, and whether it was a lock's guard read. */
export interface SentCommand {
  command: 'find' | 'findAndModify' | 'update' | 'insert' | 'delete' | 'aggregate';
  collection: string;
  filter?: Record<string, unknown>;
  guard: boolean;
}

/**
 * The orders models on a connection of their own whose commands are recorded (`sent`, emptied by
 * `reset`), to assert what a step sends to the database. `locksOn`: FerretDB's document locks.
 */
export async function monitoredModels(url: string) {
  const conn = await mongoose.createConnection(url, { monitorCommands: true }).asPromise();
  installDatabasePlugins(conn);
  const models = ordersModels(conn);
  await syncIndexes(models);
  const locksOn = (await documentLocksCapability(conn)).enabled;
  const sent: SentCommand[] = [];
  const kinds = ['find', 'findAndModify', 'update', 'insert', 'delete', 'aggregate'] as const;
  conn.getClient().on('commandStarted', (e) => {
    const c = e.command as Record<string, any>;
    const command = kinds.find((k) => typeof c[k] === 'string');
    if (!command || c[command] === '_locks') return;
    const filter = c.query ?? c.filter ?? c.updates?.[0]?.q ?? c.deletes?.[0]?.q;
    sent.push({ command, collection: c[command], filter, guard: c.comment === GUARD_READ_COMMENT });
  });
  return { conn, models, locksOn, sent, reset: () => sent.splice(0) };
}

type Monitored = Awaited<ReturnType<typeof monitoredModels>>;

/** A test file's database (useTestDatabase) with monitoredModels on it: filled in before the first test, closed after the last. */
export function useMonitoredModels(prefix: string): Monitored {
  const db = useTestDatabase({ prefix });
  const monitored = {} as Monitored;
  beforeAll(async () => {
    Object.assign(monitored, await monitoredModels(db.url()));
  });
  afterAll(() => monitored.conn.close());
  return monitored;
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

/**
 * A paid order of `buyerId` whose lines (each from `sellerId`) have reached its shipment replica
 * as `final` (created, shipped, delivered with returnableUntil): the state shipping's events
 * leave. Returns the order and the shipment's id.
 */
export async function paidOrderWithShipment(
  models: OrdersModels,
  buyerId: string,
  opts: { sellerId?: string; lines?: { quantity: number; priceMinor?: number }[]; final?: 'pending' | 'shipped' | 'delivered' } = {},
) {
  const sellerId = opts.sellerId ?? newId();
  const products = [];
  for (const l of opts.lines ?? [{ quantity: 2 }])
    products.push(
      await seedProduct(models, {
        userId: sellerId,
        quantity: Math.max(10, l.quantity),
        ...(l.priceMinor ? { priceMinor: l.priceMinor } : {}),
      }),
    );
  const order = await placed(
    models,
    buyerId,
    products.map((p, i) => ({ productId: p.id, quantity: (opts.lines ?? [{ quantity: 2 }])[i].quantity })),
  );
  const done = await completeOrder({ models }, order.id);
  if (done.kind !== 'completed') throw new Error(`order not completed: ${done.kind}`);
  const ref = { id: newId(), orderId: order.id as string, sellerId, buyerId };
  await applyShipmentCreated(models.ShipmentReplica, {
    ...ref,
    items: done.order.items.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    version: 0,
  });
  const final = opts.final ?? 'delivered';
  const at = new Date().toISOString();
  if (final !== 'pending') {
    await applyShipmentStep(
      models.ShipmentReplica,
      { ...ref, carrier: 'DHL', trackingNumber: 'T1', shippedAt: at, autoDeliverAt: at, version: 1 },
      'shipped',
    );
  }
  if (final === 'delivered') {
    const returnableUntil = new Date(Date.now() + 30 * 86_400_000).toISOString();
    await applyShipmentStep(models.ShipmentReplica, { ...ref, deliveredAt: at, by: 'buyer', returnableUntil, version: 2 }, 'delivered');
  }
  return { order: done.order as OrderDoc, shipmentId: ref.id, sellerId, products };
}
