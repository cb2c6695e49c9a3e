/**
 * Malformed events on the subjects expiration consumes (order.created, shipment.shipped; SPEC invariant 6), through
 * a real nats-server and the service's real listener: non-JSON bytes, random JSON, missing fields,
 * wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope.
 * Every one must end in DEADLETTER (`deadletter.expiration-order-created`,
 * `deadletter.expiration-shipment-shipped`), none may schedule or
 * fire an expiry (expiration has no database: its state is the EXPIRATION stream and the held
 * messages), and a valid event afterwards still fires. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 * Payloads, publishing and the checks are `useHostileEvents` (@jetmart/common/testing).
 */
import { randomBytes } from 'node:crypto';
import { makeEvent, Streams, Subjects, type Event } from '@jetmart/common';
import { eventually, useHostileEvents } from '@jetmart/common/testing';
import { expirationListeners } from '../listeners';

const oid = () => randomBytes(12).toString('hex');

const hostile = useHostileEvents({
  name: 'expiration-hostile',
  listeners: (bus, opts) => expirationListeners(bus, { maxHoldMs: 60_000 }, opts),
  /** Expiration keeps no database: what it did is the EXPIRATION stream (fired expiries). */
  snapshot: async (bus) => JSON.stringify((await bus.jsm.streams.info(Streams.expiration.name)).state.messages),
});
const { attack } = hostile;

// ---- valid events
const created = (id: string, expiresInMs: number) =>
  makeEvent(Subjects.OrderCreated, {
    id,
    userId: 'buyer',
    status: 'created',
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    items: [{ productId: 'p', quantity: 1, title: 'T', priceMinor: 100 }],
    totalMinor: 100,
    version: 0,
  });
const others = (): Event[] => [
  makeEvent(Subjects.OrderCancelled, { id: oid(), userId: 'buyer', reason: 'buyer', items: [{ productId: 'p', quantity: 1 }], version: 1 }),
  makeEvent(Subjects.OrderCompleted, { id: oid(), userId: 'buyer', items: [{ productId: 'p', quantity: 1 }], version: 1 }),
  makeEvent(Subjects.ExpirationComplete, { orderId: oid(), version: 0 }),
  makeEvent(Subjects.PaymentCreated, { id: oid(), orderId: oid(), userId: 'buyer', amountMinor: 100, version: 0 }),
  makeEvent(Subjects.ProductCreated, { id: oid(), title: 'T', priceMinor: 100, quantity: 1, userId: 'seller', version: 0 }),
];

const shipped = (id: string, dueInMs: number) =>
  makeEvent(Subjects.ShipmentShipped, {
    id,
    orderId: oid(),
    sellerId: 'seller',
    buyerId: 'buyer',
    carrier: 'DHL',
    trackingNumber: 'JD0001',
    shippedAt: new Date(Date.now() - 60_000).toISOString(),
    autoDeliverAt: new Date(Date.now() + dueInMs).toISOString(),
    version: 1,
  });
const shipmentOthers = (): Event[] => [
  ...others(),
  created(oid(), -1_000),
  makeEvent(Subjects.ShipmentCreated, {
    id: oid(),
    orderId: oid(),
    sellerId: 'seller',
    buyerId: 'buyer',
    items: [{ productId: 'p', quantity: 1 }],
    version: 0,
  }),
  makeEvent(Subjects.ShipmentDelivered, {
    id: oid(),
    orderId: oid(),
    sellerId: 'seller',
    buyerId: 'buyer',
    deliveredAt: new Date().toISOString(),
    by: 'auto',
    version: 2,
  }),
  makeEvent(Subjects.ShipmentDeliveryDue, { shipmentId: oid(), version: 1 }),
];

describe('expiration: hostile events are dead-lettered, schedule nothing, and the service keeps consuming', () => {
  it('order.created', async () => {
    // The template has already expired: a payload wrongly taken as valid would fire at once.
    await attack(Subjects.OrderCreated, created(oid(), -1_000), others(), [
      ['id'],
      ['data', 'id'],
      ['data', 'userId'],
      ['data', 'items', '0', 'productId'],
    ]);
    expect((await hostile.bus.jsm.streams.info(Streams.expiration.name)).state.messages).toBe(0);
    const id = oid();
    await hostile.bus.publish(created(id, -1_000));
    await eventually(
      async () =>
        (
          await hostile.bus.jsm.streams.getMessage(Streams.expiration.name, { last_by_subj: Subjects.ExpirationComplete }).catch(() => null)
        )?.json<{ data: { orderId: string } }>().data.orderId === id,
    );
  }, 90_000);

  it('shipment.shipped', async () => {
    // The template is due already: a payload wrongly taken as valid would fire at once.
    await attack(Subjects.ShipmentShipped, shipped(oid(), -1_000), shipmentOthers(), [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'sellerId'],
      ['data', 'buyerId'],
    ]);
    const lastDue = async () =>
      (
        await hostile.bus.jsm.streams.getMessage(Streams.expiration.name, { last_by_subj: Subjects.ShipmentDeliveryDue }).catch(() => null)
      )?.json<{ data: { shipmentId: string; version: number } }>().data;
    expect(await lastDue()).toBeUndefined();
    const id = oid();
    await hostile.bus.publish(shipped(id, -1_000));
    await eventually(async () => (await lastDue())?.shipmentId === id);
  }, 90_000);
});
