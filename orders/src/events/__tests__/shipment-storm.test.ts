/**
 * SPEC invariant 8, orders' side: an order's derived fulfilment always matches its shipments. A
 * storm of shipment events (shuffled across subjects and orders, each one duplicated) goes through
 * a real nats-server into the real listeners; the replicas must end at each shipment's latest
 * version, with nothing dead-lettered, and the fulfilment the API shows must equal the one derived
 * from the shipments' final states. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import request from 'supertest';
import { createLogger, EventBus, Streams, Subjects, type Listener, type Subject } from '@jetmart/common';
import type { Order } from '@jetmart/common/contracts';
import { eventually, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { deriveFulfillment } from '../../fulfilment';
import { completeOrder } from '../../lifecycle';
import type { ShipmentReplicaStatus } from '../../models';
import { ordersListeners } from '../listeners';
import { newId, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_shipment_storm' });
const { app, models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
let listeners: Listener<Subject>[] = [];
// Gaps are the normal case here: retry them quickly, and often enough never to dead-letter one.
const fast = { backoffMs: 20, maxBackoffMs: 200, maxWaits: 500, ackWaitMs: 5_000 };
const DURABLES = ['orders-shipment-created', 'orders-shipment-shipped', 'orders-shipment-delivered'];

beforeAll(async () => {
  await syncIndexes(models);
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'orders-storm', logger: createLogger('orders') });
  await bus.ensureStreams();
  listeners = ordersListeners(bus, { models }, fast) as Listener<Subject>[];
  for (const l of listeners) await l.start();
}, 60_000);

afterAll(async () => {
  for (const l of listeners) await l.stop();
  await bus?.drain();
  await nats?.destroy();
});

/** Where a part ends: `none` = shipping has not created its shipment (yet). */
type Final = 'none' | ShipmentReplicaStatus;
const VERSION: Record<ShipmentReplicaStatus, number> = { pending: 0, shipped: 1, delivered: 2, cancelled: 1 };

const settled = async () => {
  for (const durable of DURABLES) {
    const info = await bus.jsm.consumers.info(Streams.shipments.name, durable);
    if (info.num_pending !== 0 || info.num_ack_pending !== 0) return false;
  }
  return true;
};
const deadLetters = async () => (await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages;

/** The events shipping publishes for one shipment on its way to `final` (created v0, shipped v1, delivered v2). */
function eventsTo(final: Final, ref: { id: string; orderId: string; sellerId: string; buyerId: string }) {
  const at = new Date().toISOString();
  const events: { subject: Subject; data: object }[] = [];
  if (final === 'none') return events;
  events.push({ subject: Subjects.ShipmentCreated, data: { ...ref, items: [{ productId: newId(), quantity: 1 }], version: 0 } });
  if (final === 'pending') return events;
  events.push({
    subject: Subjects.ShipmentShipped,
    data: { ...ref, carrier: 'UPS', trackingNumber: `1Z${ref.id}`, shippedAt: at, autoDeliverAt: at, version: 1 },
  });
  if (final === 'shipped') return events;
  events.push({ subject: Subjects.ShipmentDelivered, data: { ...ref, deliveredAt: at, by: 'auto', version: 2 } });
  return events;
}

const final = fc.constantFrom<Final>('none', 'pending', 'shipped', 'delivered');
/** Per order: the final state of each of its two sellers' parts. */
const scenario = fc.array(fc.tuple(final, final), { minLength: 2, maxLength: 4 });

it('shuffled, duplicated shipment events for orders with two sellers: replicas at the latest versions, fulfilment derived from the final states', async () => {
  const buyer = { id: newId() };
  await fc.assert(
    fc.asyncProperty(scenario, fc.integer({ min: 1, max: 3 }), fc.infiniteStream(fc.nat()), async (finals, copies, randomness) => {
      // Paid orders, each with one line from each of two sellers.
      const orders = [];
      for (const [a, b] of finals) {
        const products = [await seedProduct(models), await seedProduct(models)];
        const order = await placed(
          models,
          buyer.id,
          products.map((p) => ({ productId: p.id, quantity: 1 })),
        );
        expect((await completeOrder({ models }, order.id)).kind).toBe('completed');
        const parts = [
          { id: newId(), orderId: order.id as string, sellerId: products[0].userId, buyerId: buyer.id, final: a },
          { id: newId(), orderId: order.id as string, sellerId: products[1].userId, buyerId: buyer.id, final: b },
        ];
        orders.push({ order, parts });
      }
      // Every event 1–3 extra times, all shuffled together (a seeded Fisher–Yates from fast-check's stream).
      const storm = orders
        .flatMap(({ parts }) => parts.flatMap(({ final: f, ...ref }) => eventsTo(f, ref)))
        .flatMap((e) => Array.from({ length: 1 + copies }, () => e));
      const draws = randomness[Symbol.iterator]();
      for (let i = storm.length - 1; i > 0; i--) {
        const j = draws.next().value! % (i + 1);
        [storm[i], storm[j]] = [storm[j], storm[i]];
      }
      const deadBefore = await deadLetters();
      // A fresh event id for each copy: JetStream keeps them all, as it does a redelivered outbox entry.
      for (const e of storm) await bus.emit(e.subject as typeof Subjects.ShipmentCreated, e.data as never);

      const all = orders.flatMap((o) => o.parts);
      await eventually(async () => {
        const replicas = await models.ShipmentReplica.find({ _id: { $in: all.map((p) => p.id) } }).lean();
        const expected = all.filter((p) => p.final !== 'none');
        return (
          replicas.length === expected.length &&
          expected.every((p) => replicas.find((r) => r._id === p.id)?.version === VERSION[p.final as ShipmentReplicaStatus])
        );
      }, 30_000);
      await eventually(settled, 30_000);
      expect(await deadLetters()).toBe(deadBefore);

      const shown = new Map(
        ((await request(app).get('/api/orders').set('Cookie', signinCookie(buyer)).expect(200)).body as Order[]).map((o) => [o.id, o]),
      );
      for (const { order, parts } of orders) {
        const replicas = await models.ShipmentReplica.find({ orderId: order.id }).lean();
        // Latest versions, moved only forward: each replica holds exactly its shipment's final state.
        expect(replicas.map((r) => [r._id, r.sellerId, r.status, r.version]).sort()).toEqual(
          parts
            .filter((p) => p.final !== 'none')
            .map((p) => [p.id, p.sellerId, p.final, VERSION[p.final as ShipmentReplicaStatus]])
            .sort(),
        );
        const fromFinalStates = deriveFulfillment(
          { status: 'complete', items: parts.map((p) => ({ sellerId: p.sellerId })) },
          parts.filter((p) => p.final !== 'none').map((p) => ({ sellerId: p.sellerId, status: p.final as ShipmentReplicaStatus })),
        );
        expect(shown.get(order.id)!.fulfillment).toBe(fromFinalStates);
        expect((await request(app).get(`/api/orders/${order.id}`).set('Cookie', signinCookie(buyer)).expect(200)).body.fulfillment).toBe(
          fromFinalStates,
        );
      }
    }),
    { numRuns: Number(process.env.STORM_RUNS ?? 6), seed: 20_814 },
  );
}, 300_000);
