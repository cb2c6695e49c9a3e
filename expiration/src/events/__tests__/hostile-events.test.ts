/**
 * Malformed events on the subjects expiration consumes (order.created, shipment.shipped, shipment.delivered; SPEC invariant 6), through
 * a real nats-server and the service's real listener: non-JSON bytes, random JSON, missing fields,
 * wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope.
 * Every one must end in DEADLETTER (`deadletter.expiration-order-created`,
 * `deadletter.expiration-shipment-shipped`, `deadletter.expiration-shipment-delivered`), none may schedule or
 * fire an expiry (expiration has no database: its state is the EXPIRATION stream and the held
 * messages), and a valid event afterwards still fires. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 * Payloads, publishing and the checks are `useHostileEvents` (@jetmart/common/testing).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { makeEvent, parseEvent, Streams, Subjects, type Event } from '@jetmart/common';
import {
  eventually,
  HOSTILE_EVENTS_RUNS,
  HOSTILE_EVENTS_SEED,
  hostileEventPayload,
  publishRaw,
  useHostileEvents,
  waitForDeadLetters,
} from '@jetmart/common/testing';
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

const delivered = (id: string, closesInMs?: number) =>
  makeEvent(Subjects.ShipmentDelivered, {
    id,
    orderId: oid(),
    sellerId: 'seller',
    buyerId: 'buyer',
    deliveredAt: new Date(Date.now() - 60_000).toISOString(),
    by: 'buyer',
    ...(closesInMs === undefined ? {} : { returnableUntil: new Date(Date.now() + closesInMs).toISOString() }),
    version: 2,
  });
const deliveredOthers = (): Event[] => [
  ...shipmentOthers().filter((e) => e.subject !== Subjects.ShipmentDelivered),
  shipped(oid(), -1_000),
  makeEvent(Subjects.ReturnWindowClosed, { shipmentId: oid(), orderId: oid(), sellerId: 'seller', version: 2 }),
];
const lastClosed = async () =>
  (
    await hostile.bus.jsm.streams.getMessage(Streams.expiration.name, { last_by_subj: Subjects.ReturnWindowClosed }).catch(() => null)
  )?.json<{ data: { shipmentId: string; version: number } }>().data;

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

  it('shipment.delivered in the shape of older events (no returnableUntil)', async () => {
    await attack(Subjects.ShipmentDelivered, delivered(oid()), deliveredOthers(), [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'sellerId'],
      ['data', 'buyerId'],
    ]);
    expect(await lastClosed()).toBeUndefined();
  }, 90_000);

  it('shipment.delivered with returnableUntil: invalid ones dead-lettered, valid mutations (an older event) close no window', async () => {
    const b = hostile.bus;
    const listener = hostile.listeners.find((l) => l.subject === Subjects.ShipmentDelivered)!;
    // The window has closed already: a payload wrongly taken as valid would fire at once.
    const good = delivered(oid(), -1_000);
    const before = (await b.jsm.streams.info(Streams.expiration.name)).state.messages;
    const payloads = fc.sample(
      hostileEventPayload(
        good,
        [['id'], ['data', 'id'], ['data', 'orderId'], ['data', 'sellerId'], ['data', 'buyerId']],
        deliveredOthers(),
      ),
      { seed: HOSTILE_EVENTS_SEED + 1, numRuns: HOSTILE_EVENTS_RUNS },
    );
    // Dropping returnableUntil leaves a valid event from before returns: acked, no timer. Every
    // other payload is invalid.
    const valid = (p: Uint8Array) => {
      try {
        parseEvent(JSON.parse(new TextDecoder().decode(p)), Subjects.ShipmentDelivered);
        return true;
      } catch {
        return false;
      }
    };
    const seqs = await publishRaw(b, Subjects.ShipmentDelivered, payloads);
    const invalid = payloads.map((p, i) => [p, seqs[i]] as const).filter(([p]) => !valid(p));
    expect(invalid.length).toBeGreaterThan(payloads.length / 2);
    await waitForDeadLetters(
      b,
      listener.durableName,
      invalid.map(([, seq]) => seq),
      invalid.map(([p]) => p),
      Subjects.ShipmentDelivered,
    );
    await eventually(async () => {
      const c = await b.jsm.consumers.info(listener.streamName, listener.durableName);
      return c.num_pending + c.num_ack_pending === 0;
    }, 30_000);
    expect((await b.jsm.streams.info(Streams.expiration.name)).state.messages).toBe(before);
    expect(await lastClosed()).toBeUndefined();

    // Still consuming: the valid event closes its window.
    await b.publish(good);
    await eventually(async () => (await lastClosed())?.shipmentId === good.data.id);
  }, 90_000);
});
