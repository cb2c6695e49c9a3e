/**
 * products and orders end to end over one real nats-server, each service on its own database.
 * Both run in this process: mongoose's default connection is global, so each service's models
 * are built on its own connection (productsModels(conn) / ordersModels(conn)) and every app,
 * relay and listener gets its models passed in. (Separate processes would need built dist
 * output; same-process keeps the test fast and debuggable.)
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { createLogger, EventBus, installDatabasePlugins, OutboxRelay, Subjects, type Listener, type Subject } from '@jetmart/common';
import { eventually, signinCookie, startNats, testDatabaseUrl, type NatsTestServer } from '@jetmart/common/testing';
import { buildApp as buildProductsApp } from '../../../products/src/app';
import { productsListeners } from '../../../products/src/events/listeners';
import { FsBlobStore } from '../../../products/src/images';
import { productsModels, type ProductsModels } from '../../../products/src/models';
import { buildApp as buildOrdersApp } from '../app';
import { ordersListeners } from '../events/listeners';
import { ordersModels, type OrdersModels } from '../models';
import { jwtKey, newId, testAddress } from './helpers';

interface RunningService {
  conn: Connection;
  bus: EventBus;
  relay: OutboxRelay;
  listeners: Listener<Subject>[];
}

let nats: NatsTestServer;
const running: RunningService[] = [];
let productsApp: ReturnType<typeof buildProductsApp>;
let ordersApp: ReturnType<typeof buildOrdersApp>;
let products: ProductsModels;
let orders: OrdersModels;
let bus: EventBus;

const fast = { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 };

async function startOne(
  name: string,
  build: (
    conn: Connection,
    bus: EventBus,
  ) => { models: mongoose.Model<any>[]; outbox: mongoose.Model<any>[]; listeners: (relay: OutboxRelay) => Listener<Subject>[] },
) {
  const logger = createLogger(name);
  const conn = mongoose.createConnection(testDatabaseUrl(name));
  installDatabasePlugins(conn);
  await conn.asPromise();
  const svcBus = await EventBus.connect({ servers: nats.url, name, logger });
  await svcBus.ensureStreams();
  const spec = build(conn, svcBus);
  for (const m of spec.models) await m.syncIndexes();
  const relay = new OutboxRelay(svcBus, spec.outbox, { logger, intervalMs: 100 });
  relay.start();
  const listeners = spec.listeners(relay);
  for (const l of listeners) await l.start();
  const svc = { conn, bus: svcBus, relay, listeners };
  running.push(svc);
  return { ...svc, logger };
}

beforeAll(async () => {
  nats = await startNats();
  const p = await startOne('products', (conn, b) => {
    products = productsModels(conn);
    return {
      models: Object.values(products),
      outbox: [products.Product],
      listeners: () => productsListeners(b, { models: products }, fast) as Listener<Subject>[],
    };
  });
  productsApp = buildProductsApp(
    { logger: p.logger, isReady: () => true, models: products },
    {
      jwtKey: jwtKey(),
      jwtTtlSeconds: 3600,
      // No image is uploaded here; the store is never written.
      imageStore: new FsBlobStore(mkdtempSync(path.join(os.tmpdir(), 'jetmart-images-test-'))),
    },
  );
  const o = await startOne('orders', (conn, b) => {
    orders = ordersModels(conn);
    return {
      models: Object.values(orders),
      outbox: [orders.Order],
      listeners: () => ordersListeners(b, { models: orders }, fast) as Listener<Subject>[],
    };
  });
  ordersApp = buildOrdersApp(
    { logger: o.logger, isReady: () => true, models: orders },
    { jwtKey: jwtKey(), jwtTtlSeconds: 3600, expirationSeconds: 900 },
  );
  // Stands in for payments and expiration, which publish the events orders consumes.
  bus = await EventBus.connect({ servers: nats.url, name: 'other-services', logger: createLogger('test') });
}, 60_000);

afterAll(async () => {
  for (const svc of running) {
    for (const l of svc.listeners) await l.stop();
    await svc.relay.stop();
    await svc.bus.drain();
    await svc.conn.dropDatabase().catch(() => undefined);
    await svc.conn.close();
  }
  await bus?.drain();
  await nats?.destroy();
});

const seller = { id: newId() };
const buyer = { id: newId() };

const availableOnProducts = async (id: string) =>
  (await request(productsApp).get(`/api/products/${id}`).expect(200)).body.available as number;
const replicaOf = (id: string) => orders.ProductReplica.findById(id).lean();

it('a product created and updated on products shows up in the orders replica', async () => {
  const created = (
    await request(productsApp)
      .post('/api/products')
      .set('Cookie', signinCookie(seller))
      .send({ title: 'Kettle', price: 30, quantity: 3 })
      .expect(201)
  ).body;
  expect(await eventually(() => replicaOf(created.id))).toMatchObject({
    title: 'Kettle',
    priceMinor: 3000,
    quantity: 3,
    available: 3,
    version: 0,
    userId: seller.id,
  });

  await request(productsApp)
    .put(`/api/products/${created.id}`)
    .set('Cookie', signinCookie(seller))
    .send({ title: 'Steel kettle', quantity: 5 })
    .expect(200);
  await request(productsApp).put(`/api/products/${created.id}`).set('Cookie', signinCookie(seller)).send({ price: 25.5 }).expect(200);
  const replica = await eventually(async () => {
    const r = await replicaOf(created.id);
    return r?.version === 2 ? r : null;
  });
  expect(replica).toMatchObject({ title: 'Steel kettle', priceMinor: 2550, quantity: 5, available: 5 });
});

it('creating and cancelling an order changes available on products; a paid order sells its units', async () => {
  const product = (
    await request(productsApp)
      .post('/api/products')
      .set('Cookie', signinCookie(seller))
      .send({ title: 'Mug', price: 8, quantity: 10 })
      .expect(201)
  ).body;
  await eventually(() => replicaOf(product.id));
  const place = async (quantity: number) =>
    (
      await request(ordersApp)
        .post('/api/orders')
        .set('Cookie', signinCookie(buyer))
        .send({ items: [{ productId: product.id, quantity }], shippingAddress: testAddress() })
        .expect(201)
    ).body;

  const cancelled = await place(3);
  expect(cancelled.items[0]).toMatchObject({ title: 'Mug', price: 8 });
  await eventually(async () => (await availableOnProducts(product.id)) === 7);
  await request(ordersApp).delete(`/api/orders/${cancelled.id}`).set('Cookie', signinCookie(buyer)).expect(200);
  await eventually(async () => (await availableOnProducts(product.id)) === 10);

  // Paid (payments publishes payment.created): complete, units sold on both sides.
  const paid = await place(4);
  await eventually(async () => (await availableOnProducts(product.id)) === 6);
  await bus.emit(Subjects.PaymentCreated, { id: newId(), orderId: paid.id, userId: buyer.id, amountMinor: 3200, version: 0 });
  await eventually(async () => (await orders.Order.findById(paid.id).lean())?.status === 'complete');
  await eventually(async () => (await replicaOf(product.id))?.sold === 4);
  expect(await replicaOf(product.id)).toMatchObject({ available: 6, holds: [] });
  await eventually(async () => (await products.UnitLedger.findById(`${paid.id}:${product.id}`).lean())?.state === 'sold');
  expect(await availableOnProducts(product.id)).toBe(6);
  // Lowering below what is sold is refused on products.
  await request(productsApp).put(`/api/products/${product.id}`).set('Cookie', signinCookie(seller)).send({ quantity: 3 }).expect(409);

  // Expired (expiration publishes expiration.complete): cancelled with reason expired, units back.
  const expiring = await orders.Order.findById((await place(2)).id);
  await orders.Order.updateOne({ _id: expiring!._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
  await eventually(async () => (await availableOnProducts(product.id)) === 4);
  await bus.emit(Subjects.ExpirationComplete, { orderId: expiring!.id, version: 0 });
  const expired = await eventually(async () => {
    const o = await orders.Order.findById(expiring!.id).lean();
    return o?.status === 'cancelled' ? o : null;
  });
  expect(expired.cancelReason).toBe('expired');
  await eventually(async () => (await availableOnProducts(product.id)) === 6);
  // orders' replica settles the released units on its own schedule (the expiry's background settle).
  await eventually(async () => (await replicaOf(product.id))?.available === 6);
}, 60_000);
