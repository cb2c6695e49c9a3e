import request from 'supertest';
import { createLogger, EventBus, RetryLater } from '@jetmart/common';
import { signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { ExpirationCompleteListener, PaymentCreatedListener } from '../listeners';
import { newId, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { app, models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
let payment: PaymentCreatedListener;
let expiration: ExpirationCompleteListener;
const log = createLogger('orders');

beforeAll(async () => {
  await syncIndexes(models);
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'orders-test', logger: log });
  payment = new PaymentCreatedListener(bus, { models });
  expiration = new ExpirationCompleteListener(bus, { models });
});
afterAll(async () => {
  await bus?.drain();
  await nats?.destroy();
});

// The handlers are called directly (their delivery, retries and dead-lettering are the Listener's, tested in common).
const ctx = { log } as never;
const paid = (orderId: string) => payment.onMessage({ id: newId(), orderId, userId: 'u', amountMinor: 1, version: 0 }, ctx);
const expired = (orderId: string) => expiration.onMessage({ orderId, version: 0 }, ctx);
const replica = (id: string) => models.ProductReplica.findById(id).lean();

async function newOrder(quantity = 2, expiresInSeconds = 900) {
  const product = await seedProduct(models, { quantity: 5 });
  const userId = newId();
  const order = await placed(models, userId, [{ productId: product.id, quantity }], expiresInSeconds);
  return { product, order, user: { id: userId } };
}

describe('payment.created', () => {
  it('completes a created order once, sells its units, queues order.completed at version 1; a duplicate changes nothing', async () => {
    const { product, order } = await newOrder(2);
    await paid(order.id);
    await paid(order.id);
    const stored = (await models.Order.findById(order.id).lean())!;
    expect(stored).toMatchObject({ status: 'complete', version: 1, holdAction: null });
    expect(stored.outbox.map((e) => [e.subject, (e.event.data as { version?: number }).version])).toEqual([
      ['order.created', 0],
      ['order.completed', 1],
    ]);
    expect(await replica(product.id)).toMatchObject({ available: 3, sold: 2, holds: [] });
  });

  it('leaves a cancelled order cancelled', async () => {
    const { product, order, user } = await newOrder(2);
    await request(app).delete(`/api/orders/${order.id}`).set('Cookie', signinCookie(user)).expect(200);
    await paid(order.id);
    expect(await models.Order.findById(order.id).lean()).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await replica(product.id)).toMatchObject({ available: 5, sold: 0 });
  });

  it('fails (to be retried, then dead-lettered) for an unknown order', async () => {
    await expect(paid(newId())).rejects.toThrow(/unknown order/);
  });

  it('racing a cancel: exactly one end wins, and units match it', async () => {
    for (let i = 0; i < 5; i++) {
      const { product, order, user } = await newOrder(2);
      const [cancel] = await Promise.all([
        request(app).delete(`/api/orders/${order.id}`).set('Cookie', signinCookie(user)),
        paid(order.id),
      ]);
      const stored = (await models.Order.findById(order.id).lean())!;
      expect(stored.version).toBe(1);
      expect(stored.outbox).toHaveLength(2); // created + exactly one end
      const r = (await replica(product.id))!;
      if (stored.status === 'complete') {
        expect(cancel.status).toBe(409);
        expect(r).toMatchObject({ available: 3, sold: 2, holds: [] });
      } else {
        expect(stored.status).toBe('cancelled');
        expect(cancel.status).toBe(200);
        expect(r).toMatchObject({ available: 5, sold: 0, holds: [] });
      }
    }
  });
});

describe('expiration.complete', () => {
  it('cancels an unpaid order with reason expired and releases its units; a duplicate changes nothing', async () => {
    const { product, order } = await newOrder(2, 1);
    await models.Order.updateOne({ _id: order._id }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    await expired(order.id);
    await expired(order.id);
    const stored = (await models.Order.findById(order.id).lean())!;
    expect(stored).toMatchObject({ status: 'cancelled', cancelReason: 'expired', version: 1 });
    expect(stored.outbox[1].event.data).toMatchObject({ reason: 'expired', version: 1 });
    expect(await replica(product.id)).toMatchObject({ available: 5, holds: [] });
  });

  it('does nothing to a paid order', async () => {
    const { product, order } = await newOrder(2, 1);
    await paid(order.id);
    await expired(order.id);
    expect(await models.Order.findById(order.id).lean()).toMatchObject({ status: 'complete', version: 1 });
    expect(await replica(product.id)).toMatchObject({ available: 3, sold: 2 });
  });

  it('arriving well before the order expires, waits (RetryLater) instead of cancelling', async () => {
    const { order } = await newOrder(1, 900);
    await expect(expired(order.id)).rejects.toBeInstanceOf(RetryLater);
    expect((await models.Order.findById(order.id).lean())!.status).toBe('created');
  });

  it('ignores an unknown order', async () => {
    await expect(expired(newId())).resolves.toBeUndefined();
  });
});
