/**
 * Hostile events on shipment.delivered, the subject products consumes for reviews (SPEC invariant
 * 6), through a real nats-server and the service's real listeners: every malformed payload ends
 * in DEADLETTER and records no delivered line (nothing in the database changes); a valid event
 * afterwards is still applied. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS); the payloads
 * and checks are `useHostileEvents` (@jetmart/common/testing), as in hostile-events.test.ts.
 */
import mongoose from 'mongoose';
import { makeEvent, Subjects, type Event } from '@jetmart/common';
import { deadLetteredSequences, eventually, snapshotModels, useHostileEvents, useTestDatabase } from '@jetmart/common/testing';
import { productsModels, recordDeliveredLines } from '../../models';
import { productsListeners } from '../listeners';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'products_hostile_delivered' });
const models = productsModels(connection);
const oid = () => new mongoose.Types.ObjectId().toHexString();
const productId = oid();
const buyerId = oid();

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
  // Existing state a wrongly applied event could change: a delivered line of another product.
  await recordDeliveredLines(models.DeliveredLine, { buyerId, shipmentId: oid(), deliveredAt: new Date(), productIds: [oid()] });
}, 60_000);
const hostile = useHostileEvents({
  name: 'products-hostile-delivered',
  listeners: (bus, opts) => productsListeners(bus, { models }, opts),
  snapshot: () => snapshotModels(models),
});

const delivered = (items = [{ productId, quantity: 2 }]) =>
  makeEvent(Subjects.ShipmentDelivered, {
    id: oid(),
    orderId: oid(),
    sellerId: oid(),
    buyerId,
    deliveredAt: new Date().toISOString(),
    by: 'auto',
    returnableUntil: new Date(Date.now() + 86_400_000).toISOString(),
    items,
    version: 2,
  });
const others: Event[] = [
  makeEvent(Subjects.ShipmentCancelled, {
    id: oid(),
    orderId: oid(),
    sellerId: oid(),
    buyerId,
    items: [{ productId, quantity: 1, priceMinor: 1500 }],
    amountMinor: 1500,
    cancelledAt: new Date().toISOString(),
    version: 1,
  }),
  makeEvent(Subjects.ShipmentShipped, {
    id: oid(),
    orderId: oid(),
    sellerId: oid(),
    buyerId,
    carrier: 'DHL',
    trackingNumber: 'JD1',
    shippedAt: new Date().toISOString(),
    autoDeliverAt: new Date().toISOString(),
    version: 1,
  }),
  makeEvent(Subjects.UserDeleted, { id: buyerId, version: 2 }),
];

describe('products: hostile shipment.delivered events are dead-lettered, record nothing, and the service keeps consuming', () => {
  it('shipment.delivered', async () => {
    await hostile.attack(Subjects.ShipmentDelivered, delivered(), others, [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'sellerId'],
      ['data', 'buyerId'],
      ['data', 'items', '0', 'productId'],
    ]);
    expect(await models.DeliveredLine.countDocuments({ productId })).toBe(0);
    const valid = delivered();
    await hostile.bus.publish(valid);
    expect(await eventually(() => models.DeliveredLine.findById(`${buyerId}:${productId}`).lean())).toMatchObject({
      shipmentId: valid.data.id,
    });
  }, 120_000);

  it('hand-made hostile items (operators, empty list, zero quantity, a huge product id) are dead-lettered too', async () => {
    const before = await snapshotModels(models);
    const base = delivered() as unknown as { data: Record<string, unknown> };
    const bad = [
      { ...base, id: oid(), data: { ...base.data, items: [] } },
      { ...base, id: oid(), data: { ...base.data, items: [{ productId: { $gt: '' }, quantity: 1 }] } },
      { ...base, id: oid(), data: { ...base.data, items: [{ productId: oid(), quantity: 0 }] } },
      { ...base, id: oid(), data: { ...base.data, items: [{ productId: 'x'.repeat(5000), quantity: 1 }] } },
      { ...base, id: oid(), data: { ...base.data, items: { productId: oid(), quantity: 1 } } },
    ];
    const listener = hostile.listeners.find((l) => l.subject === Subjects.ShipmentDelivered)!;
    const seqs: number[] = [];
    for (const b of bad) seqs.push((await hostile.bus.js.publish(Subjects.ShipmentDelivered, JSON.stringify(b))).seq);
    await eventually(async () => {
      const dl = await deadLetteredSequences(hostile.bus, listener.durableName);
      return seqs.every((s) => dl.has(s)) || undefined;
    });
    expect(await snapshotModels(models)).toBe(before);
  }, 60_000);
});
