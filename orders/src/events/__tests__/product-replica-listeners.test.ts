import { createLogger, EventBus, eventsRedelivered, Streams, Subjects, type EventData } from '@jetmart/common';
import request from 'supertest';
import { eventually, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { completeOrder } from '../../lifecycle';
import { reserveUnits } from '../../models';
import { ProductCreatedListener, ProductUpdatedListener } from '../listeners';
import { newId, placed, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { app, models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
let listeners: (ProductCreatedListener | ProductUpdatedListener)[];
const fast = { backoffMs: 50, maxBackoffMs: 200, maxDeliveries: 3, ackWaitMs: 5_000 };

beforeAll(async () => {
  await syncIndexes(models);
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'orders-test', logger: createLogger('orders') });
  await bus.ensureStreams();
  listeners = [new ProductCreatedListener(bus, models.ProductReplica, fast), new ProductUpdatedListener(bus, { models }, fast)];
  for (const l of listeners) await l.start();
});

afterAll(async () => {
  for (const l of listeners ?? []) await l.stop();
  await bus?.drain();
  await nats?.destroy();
});

type ProductData = EventData<typeof Subjects.ProductUpdated>;

async function consumerSettled(durable: string): Promise<boolean> {
  const info = await bus.jsm.consumers.info(Streams.products.name, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

const deadLetters = async () => (await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages;

describe('product replica through JetStream', () => {
  it('versions delivered 3, 1, 2, each twice, converge on version 3 without an error loop', async () => {
    const id = newId();
    const userId = newId();
    const v = (version: number, quantity: number, title: string): ProductData => ({
      id,
      title,
      priceMinor: 100 * (version + 1),
      quantity,
      userId,
      version,
    });
    await bus.emit(Subjects.ProductCreated, v(0, 10, 'v0'));
    await eventually(() => models.ProductReplica.findById(id).lean());
    // An order holds 2 units before the updates arrive: available must follow quantity changes around it.
    expect(await reserveUnits(models.ProductReplica, id, newId(), 2)).toBe(true);
    const deadBefore = await deadLetters();

    for (const event of [v(3, 12, 'v3'), v(3, 12, 'v3'), v(1, 8, 'v1'), v(1, 8, 'v1'), v(2, 6, 'v2'), v(2, 6, 'v2')]) {
      await bus.emit(Subjects.ProductUpdated, event); // a fresh event id each time: JetStream keeps both copies
    }

    const replica = await eventually(async () => {
      const r = await models.ProductReplica.findById(id).lean();
      return r?.version === 3 ? r : null;
    }, 15_000);
    expect(replica).toMatchObject({ title: 'v3', priceMinor: 400, quantity: 12, available: 10, version: 3 });
    // Everything acked: nothing waiting, nothing being retried, nothing dead-lettered.
    await eventually(() => consumerSettled('orders-product-updated'), 10_000);
    expect(await deadLetters()).toBe(deadBefore);
    const again = await models.ProductReplica.findById(id).lean();
    expect(again).toMatchObject({ version: 3, available: 10, quantity: 12 });
  });

  it('versions 1..12 of one product published back to back apply in order with no wait, beside other products', async () => {
    const userId = newId();
    const ids = [newId(), newId(), newId()];
    const v = (id: string, version: number): ProductData => ({
      id,
      title: `v${version}`,
      priceMinor: 100 + version,
      quantity: 5,
      userId,
      version,
    });
    for (const id of ids) await bus.emit(Subjects.ProductCreated, v(id, 0));
    await eventually(async () => (await models.ProductReplica.countDocuments({ _id: { $in: ids } })) === ids.length);
    const redeliveries = async () =>
      (await eventsRedelivered.get()).values.find((v) => v.labels.subject === Subjects.ProductUpdated)?.value ?? 0;
    const before = await redeliveries();
    // Without document locks, as on MongoDB: on FerretDB the locks' waiters of one document take
    // turns in arrival order, which would keep the versions in order even without the key. Each
    // product has one writer at a time here, so the writes need no lock to be correct.
    const locks = process.env.JETMART_DOCUMENT_LOCKS;
    process.env.JETMART_DOCUMENT_LOCKS = 'off';
    try {
      // Interleaved across products, each product's versions in order: the listener runs up to 8 at
      // once, so without its ordering key version N+1 could be applied before N, find a gap and be
      // sent back to wait (a redelivery).
      for (let version = 1; version <= 12; version++) for (const id of ids) await bus.emit(Subjects.ProductUpdated, v(id, version));
      await eventually(async () => (await models.ProductReplica.countDocuments({ _id: { $in: ids }, version: 12 })) === ids.length, 15_000);
      await eventually(() => consumerSettled('orders-product-updated'), 10_000);
    } finally {
      if (locks === undefined) delete process.env.JETMART_DOCUMENT_LOCKS;
      else process.env.JETMART_DOCUMENT_LOCKS = locks;
    }
    expect((await redeliveries()) - before).toBe(0);
  });

  it('an update that arrives before the product exists waits for product.created', async () => {
    const id = newId();
    const base = { id, title: 'late', priceMinor: 500, userId: newId() };
    await bus.emit(Subjects.ProductUpdated, { ...base, quantity: 4, version: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await models.ProductReplica.findById(id).lean()).toBeNull();
    await bus.emit(Subjects.ProductCreated, { ...base, quantity: 1, version: 0 });
    const replica = await eventually(async () => {
      const r = await models.ProductReplica.findById(id).lean();
      return r?.version === 1 ? r : null;
    }, 15_000);
    expect(replica).toMatchObject({ quantity: 4, available: 4 });
  });

  it('a malformed product event ends in the dead-letter stream and the listener keeps working', async () => {
    const deadBefore = await deadLetters();
    const id = newId();
    const malformed = {
      id: newId(),
      subject: Subjects.ProductUpdated,
      occurredAt: new Date().toISOString(),
      data: { id, title: '', priceMinor: -5, quantity: 1, userId: 'u', version: 1 },
    };
    await bus.js.publish(Subjects.ProductUpdated, JSON.stringify(malformed), { msgID: malformed.id });
    await eventually(async () => (await deadLetters()) === deadBefore + 1, 10_000);
    const parked = (await bus.jsm.streams.getMessage(Streams.deadLetter.name, { last_by_subj: 'deadletter.orders-product-updated' }))!;
    expect(parked.header.get('Jetmart-Error')).toMatch(/invalid event/);
    expect(JSON.parse(parked.string()).id).toBe(malformed.id);

    await bus.emit(Subjects.ProductCreated, { id, title: 'fine', priceMinor: 100, quantity: 1, userId: newId(), version: 0 });
    await eventually(() => models.ProductReplica.findById(id).lean());
  });

  it('a lower quantity that arrives after holds were taken cancels the newest unpaid order (no oversell)', async () => {
    const product = { id: newId(), title: 'Lamp', priceMinor: 100, quantity: 3, userId: newId(), version: 0 };
    await bus.emit(Subjects.ProductCreated, product);
    await eventually(() => models.ProductReplica.findById(product.id).lean());
    const first = await placed(models, newId(), [{ productId: product.id, quantity: 2 }]);
    const second = await placed(models, newId(), [{ productId: product.id, quantity: 1 }]);
    await bus.emit(Subjects.ProductUpdated, { ...product, quantity: 2, version: 1 });
    // Cancelled, and then its units released (the status is saved first).
    await eventually(async () => {
      const o = await models.Order.findById(second.id).lean();
      return o?.status === 'cancelled' && o.holdAction === null;
    }, 10_000);
    expect((await models.Order.findById(first.id).lean())!.status).toBe('created');
    const replica = (await models.ProductReplica.findById(product.id).lean())!;
    expect(replica.available).toBe(0);
    expect(replica.holds.reduce((n, h) => n + h.quantity, 0) + replica.sold).toBeLessThanOrEqual(replica.quantity);
  });

  it('an unlisted product (listed: false) refuses new orders with 409 and a clear message; a live order is paid and sells as usual; a relist takes orders again', async () => {
    const product = { id: newId(), title: 'Desk lamp', priceMinor: 100, quantity: 5, userId: newId(), version: 0 };
    await bus.emit(Subjects.ProductCreated, product);
    await eventually(() => models.ProductReplica.findById(product.id).lean());
    const live = await placed(models, newId(), [{ productId: product.id, quantity: 2 }]);
    await bus.emit(Subjects.ProductUpdated, { ...product, listed: false, version: 1 });
    await eventually(async () => (await models.ProductReplica.findById(product.id).lean())?.listed === false);

    const order = () =>
      request(app)
        .post('/api/orders')
        .set('Cookie', signinCookie({ id: newId() }))
        .send({ items: [{ productId: product.id, quantity: 1 }], shippingAddress: testAddress() });
    const refused = await order();
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ message: '"Desk lamp" is no longer listed by its seller', field: 'items.0.productId' }]);
    // Nothing held for the refused order; the live order keeps its units and completes.
    expect(await models.ProductReplica.findById(product.id).lean()).toMatchObject({
      available: 3,
      holds: [{ orderId: live.id, quantity: 2 }],
    });
    expect((await models.Order.findById(live.id).lean())!.status).toBe('created');
    expect((await completeOrder({ models }, live.id)).kind).toBe('completed');
    await eventually(async () => (await models.ProductReplica.findById(product.id).lean())?.sold === 2);

    await bus.emit(Subjects.ProductUpdated, { ...product, listed: true, version: 2 });
    await eventually(async () => (await models.ProductReplica.findById(product.id).lean())?.listed === true);
    expect((await order()).status).toBe(201);
  });
});
