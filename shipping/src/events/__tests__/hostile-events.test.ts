/**
 * Malformed events on every subject shipping consumes (SPEC invariant 6), through a real
 * nats-server and the service's real listeners: non-JSON bytes, random JSON, missing fields, wrong
 * types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope. Every
 * invalid one must end in DEADLETTER (`deadletter.<durable>`), nothing may change in the database,
 * and a valid event afterwards is still applied. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 * Payloads, publishing and the checks are from @jetmart/common/testing (hostile-events.ts).
 */
import fc from 'fast-check';
import { makeEvent, parseEvent, Subjects, type Event, type Subject } from '@jetmart/common';
import {
  eventually,
  HOSTILE_EVENTS_RUNS,
  HOSTILE_EVENTS_SEED,
  hostileEventPayload,
  publishRaw,
  snapshotModels,
  useHostileEvents,
  useTestDatabase,
  waitForDeadLetters,
} from '@jetmart/common/testing';
import { shipShipment } from '../../fulfilment';
import { shippingModels, type ShipmentDoc } from '../../models';
import { shippingListeners } from '../listeners';
import { APP_OPTIONS, oid, orderCompleted, seedShipment } from '../../__tests__/support/fixtures';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'shipping_hostile_events' });
const models = shippingModels(connection);
const { Shipment } = models;

// Existing state a wrongly applied event would change: a pending shipment and a shipped one.
let pending: ShipmentDoc;
let shipped: ShipmentDoc;
beforeAll(async () => {
  await Shipment.syncIndexes();
  pending = await seedShipment(models);
  shipped = await seedShipment(models);
  const result = await shipShipment(
    { models, autoDeliverAfterMs: 60_000 },
    { id: shipped.id, userId: shipped.sellerId, carrier: 'DHL', trackingNumber: 'T1' },
  );
  expect(result.kind).toBe('shipped');
}, 60_000);
const hostile = useHostileEvents({
  name: 'shipping-hostile',
  listeners: (bus, opts) => shippingListeners(bus, { models, returnWindowMs: APP_OPTIONS.returnWindowMs }, opts),
  snapshot: () => snapshotModels(models),
});

const due = (shipmentId: string, version: number) => makeEvent(Subjects.ShipmentDeliveryDue, { shipmentId, version });
const all = (): Event[] => [
  makeEvent(Subjects.OrderCompleted, orderCompleted()),
  due(pending.id, 0),
  makeEvent(Subjects.OrderCreated, {
    id: oid(),
    userId: oid(),
    status: 'created',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    items: [{ productId: 'p1', quantity: 2, title: 'Lamp', priceMinor: 1500 }],
    totalMinor: 3000,
    version: 0,
  }),
  makeEvent(Subjects.ShipmentShipped, {
    id: shipped.id,
    orderId: shipped.orderId,
    sellerId: shipped.sellerId,
    buyerId: shipped.buyerId,
    carrier: 'DHL',
    trackingNumber: 'T1',
    shippedAt: new Date().toISOString(),
    autoDeliverAt: new Date().toISOString(),
    version: 1,
  }),
  makeEvent(Subjects.ExpirationComplete, { orderId: oid(), version: 0 }),
];
const others = (subject: Subject) => all().filter((e) => e.subject !== subject);
const orderIds: string[][] = [['id'], ['data', 'id'], ['data', 'userId'], ['data', 'items', '0', 'productId']];

describe('shipping: hostile events are dead-lettered, change nothing, and the service keeps consuming', () => {
  it('order.completed in the shape of older events (every field required)', async () => {
    const older = { id: oid(), userId: oid(), items: [{ productId: oid(), quantity: 2 }], version: 1 };
    await hostile.attack(Subjects.OrderCompleted, makeEvent(Subjects.OrderCompleted, older), others(Subjects.OrderCompleted), orderIds);
  }, 120_000);

  it('order.completed with the fulfilment fields (sellerId, title, price, address): invalid ones dead-lettered, valid mutations create nothing', async () => {
    const b = hostile.bus;
    const listener = hostile.listeners.find((l) => l.subject === Subjects.OrderCompleted)!;
    const good = makeEvent(Subjects.OrderCompleted, orderCompleted());
    const before = await snapshotModels(models);
    const payloads = fc.sample(
      hostileEventPayload(good, [...orderIds, ['data', 'items', '0', 'sellerId']], others(Subjects.OrderCompleted)),
      {
        seed: HOSTILE_EVENTS_SEED + 1,
        numRuns: HOSTILE_EVENTS_RUNS,
      },
    );
    // Dropping an optional field (a seller id, a title, the address) leaves a valid event of an
    // order from before fulfilment: acked, and it creates no shipment. Every other payload is invalid.
    const valid = (p: Uint8Array) => {
      try {
        parseEvent(JSON.parse(new TextDecoder().decode(p)), Subjects.OrderCompleted);
        return true;
      } catch {
        return false;
      }
    };
    const seqs = await publishRaw(b, Subjects.OrderCompleted, payloads);
    const invalid = payloads.map((p, i) => [p, seqs[i]] as const).filter(([p]) => !valid(p));
    expect(invalid.length).toBeGreaterThan(payloads.length / 2);
    await waitForDeadLetters(
      b,
      listener.durableName,
      invalid.map(([, s]) => s),
      invalid.map(([p]) => p),
      'order.completed',
    );
    // the valid ones are acked: nothing left pending
    await eventually(async () => {
      const c = await b.jsm.consumers.info(listener.streamName, listener.durableName);
      return c.num_pending + c.num_ack_pending === 0;
    }, 30_000);
    expect(await snapshotModels(models)).toBe(before);

    // Still consuming: the valid event splits the order.
    await b.publish(good);
    await eventually(async () => (await Shipment.countDocuments({ orderId: good.data.id })) === 2, 15_000);
  }, 120_000);

  it('expiration.shipment-delivery-due', async () => {
    await hostile.attack(Subjects.ShipmentDeliveryDue, due(shipped.id, 1), others(Subjects.ShipmentDeliveryDue), [
      ['id'],
      ['data', 'shipmentId'],
    ]);
    await hostile.bus.publish(due(shipped.id, 1));
    await eventually(async () => (await Shipment.findById(shipped.id).lean())?.status === 'delivered', 15_000);
    expect(await Shipment.findById(shipped.id).lean()).toMatchObject({ deliveredBy: 'auto', version: 2 });
    expect(await Shipment.findById(pending.id).lean()).toMatchObject({ status: 'pending', version: 0 });
  }, 120_000);

  it('user.deleted', async () => {
    // The pending shipment's buyer: a valid user.deleted cancels it and anonymises its address.
    const good = makeEvent(Subjects.UserDeleted, { id: pending.buyerId, version: 2 });
    await hostile.attack(Subjects.UserDeleted, good, all(), [['id'], ['data', 'id']]);
    expect(await Shipment.findById(pending.id).lean()).toMatchObject({ status: 'pending', shippingAddress: { name: 'Ada Buyer' } });
    await hostile.bus.publish(good);
    await eventually(async () => (await Shipment.findById(pending.id).lean())?.shippingAddress.name === 'deleted user', 15_000);
    expect(await Shipment.findById(pending.id).lean()).toMatchObject({ status: 'cancelled', version: 1 });
  }, 120_000);
});
