/**
 * user.deleted through a real nats-server and FerretDB (SPEC invariant 13): shipping's real
 * listeners and outbox relay; the test stands in for auth. The deleted buyer's unshipped part is
 * cancelled (shipment.cancelled: refunded and restocked downstream), every shipment of theirs keeps
 * an anonymised address (status, carrier and tracking kept); another buyer's shipments are
 * untouched; a second delivery changes nothing. The proof is a scan of every collection.
 */
import type { Connection } from 'mongoose';
import {
  createLogger,
  EventBus,
  makeEvent,
  OutboxRelay,
  parseEvent,
  Streams,
  Subjects,
  type Listener,
  type Subject,
} from '@jetmart/common';
import type { Address } from '@jetmart/common/contracts';
import { eventually, readStream, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { createShipmentsForOrder, shipShipment } from '../../fulfilment';
import { rememberForgottenPerson, shippingModels } from '../../models';
import { shippingListeners } from '../listeners';
import { oid, orderCompleted } from '../../__tests__/support/fixtures';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'shipping_user_deleted' });
const models = shippingModels(connection);
const { Shipment } = models;
let nats: NatsTestServer;
let bus: EventBus;
let relay: OutboxRelay;
let listeners: Listener<Subject>[] = [];

beforeAll(async () => {
  await Shipment.syncIndexes();
  nats = await startNats();
  const logger = createLogger('shipping', { level: 'silent' });
  bus = await EventBus.connect({ servers: nats.url, name: 'shipping', logger });
  await bus.ensureStreams();
  relay = new OutboxRelay(bus, [Shipment], { logger, intervalMs: 100 });
  relay.start();
  listeners = shippingListeners(bus, { models, returnWindowMs: 86_400_000 }, { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 });
  for (const l of listeners) await l.start();
}, 60_000);
afterAll(async () => {
  for (const l of listeners) await l.stop();
  await relay?.stop();
  await bus?.drain();
  await nats?.destroy();
});

/** Every document of every collection of the database (but `skip`), as JSON. */
async function databaseText(conn: Connection, skip: string[] = []): Promise<string> {
  const db = conn.db!;
  const out: Record<string, unknown> = {};
  for (const c of await db.listCollections().toArray())
    if (!skip.includes(c.name)) out[c.name] = await db.collection(c.name).find({}).sort({ _id: 1 }).toArray();
  return JSON.stringify(out);
}

const goneAddress: Address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  line2: 'Flat 3',
  city: 'Ravenscourt',
  postalCode: 'NW1 6XE',
  country: 'GB',
  phone: '+44 20 7946 0000',
};
const keptAddress: Address = {
  name: 'Grace Hopper',
  line1: '7 Cobol Lane',
  line2: 'Rear door',
  city: 'Arlington',
  postalCode: 'VA 22201',
  country: 'US',
  phone: '+1 555 0100',
};
const strings = (a: Address) =>
  Object.entries(a)
    .filter(([k]) => k !== 'country')
    .map(([, v]) => v as string);

/** Two paid orders of `buyerId`: one shipment left pending, one shipped. */
async function seedBuyer(buyerId: string, shippingAddress: Address) {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const order = orderCompleted([oid()], { userId: buyerId, shippingAddress });
    const outcome = await createShipmentsForOrder(models, order);
    if (outcome.kind !== 'split') throw new Error(JSON.stringify(outcome));
    ids.push(String((await Shipment.findOne({ orderId: order.id }).lean())!._id));
  }
  const [pending, shipped] = ids;
  const s = (await Shipment.findById(shipped).lean())!;
  const res = await shipShipment(
    { models, autoDeliverAfterMs: 86_400_000 },
    { id: shipped, userId: s.sellerId, carrier: 'DHL', trackingNumber: 'JD0146' },
  );
  expect(res.kind).toBe('shipped');
  return { pending, shipped };
}

const outboxEmpty = async () => (await Shipment.countDocuments({ 'outbox.0': { $exists: true } })) === 0;

describe('user.deleted', () => {
  it('cancels the unshipped part, anonymises every address, keeps carrier and tracking; the other buyer is untouched; twice is once', async () => {
    const deletedId = oid();
    const mine = await seedBuyer(deletedId, goneAddress);
    const theirs = await seedBuyer(oid(), keptAddress);
    await eventually(outboxEmpty);
    const before = await databaseText(connection);
    for (const s of [...strings(goneAddress), ...strings(keptAddress)]) expect(before).toContain(s);

    await bus.publish(makeEvent(Subjects.UserDeleted, { id: deletedId, version: 3 }));
    await eventually(async () => (await Shipment.findById(mine.shipped).lean())?.shippingAddress.name === 'deleted user');
    await eventually(async () => (await Shipment.findById(mine.pending).lean())?.shippingAddress.name === 'deleted user');
    await eventually(outboxEmpty);
    const once = await databaseText(connection, ['_locks']);

    // A second delivery (a new message: auth may publish again after a crash) finds nothing left to do.
    await bus.publish(makeEvent(Subjects.UserDeleted, { id: deletedId, version: 3 }));
    const listener = listeners.find((l) => l.subject === Subjects.UserDeleted)!;
    await eventually(async () => {
      const info = await bus.jsm.consumers.info(listener.streamName, listener.durableName);
      return info.num_pending + info.num_ack_pending === 0 && info.delivered.stream_seq >= 2;
    });
    await eventually(outboxEmpty);
    expect(await databaseText(connection, ['_locks'])).toBe(once);

    const after = await databaseText(connection);
    for (const s of strings(goneAddress)) expect(after).not.toContain(s);
    for (const s of strings(keptAddress)) expect(after).toContain(s);

    const anonymised = { name: 'deleted user', line1: '-', city: '-', postalCode: '-', country: 'GB' };
    expect(await Shipment.findById(mine.pending).lean()).toMatchObject({ status: 'cancelled', version: 1, shippingAddress: anonymised });
    const shipped = (await Shipment.findById(mine.shipped).lean())!;
    expect(shipped).toMatchObject({ status: 'shipped', carrier: 'DHL', trackingNumber: 'JD0146', version: 1 });
    expect(shipped.shippingAddress).toEqual(anonymised);
    // The cancel went out once, as the buyer's own cancel does (payments refunds it, products restocks).
    const cancelled = (await readStream(bus, Streams.shipments.name, { subject: Subjects.ShipmentCancelled })).map((m) =>
      parseEvent(JSON.parse(new TextDecoder().decode(m.data)), Subjects.ShipmentCancelled),
    );
    expect(cancelled.map((e) => e.data.id)).toEqual([mine.pending]);
    expect(await Shipment.findById(theirs.pending).lean()).toMatchObject({ status: 'pending', shippingAddress: keptAddress });
    expect(await Shipment.findById(theirs.shipped).lean()).toMatchObject({ status: 'shipped', shippingAddress: keptAddress });
  }, 90_000);

  it('a late order.completed after user.deleted never stores the address: anonymised from the start, cancelled and refunded like the others', async () => {
    const goneId = oid();
    await bus.publish(makeEvent(Subjects.UserDeleted, { id: goneId, version: 2 }));
    await eventually(async () => (await models.ForgottenPerson.exists({ _id: goneId })) !== null);
    // The record holds the id only.
    expect(Object.keys((await models.ForgottenPerson.findById(goneId).lean())!).sort()).toEqual(['_id', 'forgottenAt']);

    const late = orderCompleted([oid(), oid()], { userId: goneId, shippingAddress: goneAddress });
    await bus.publish(makeEvent(Subjects.OrderCompleted, late));
    await eventually(async () => (await Shipment.countDocuments({ orderId: late.id, status: 'cancelled' })) === 2);
    await eventually(outboxEmpty);

    const anonymised = { name: 'deleted user', line1: '-', city: '-', postalCode: '-', country: 'GB' };
    for (const s of await Shipment.find({ orderId: late.id }).lean()) expect(s.shippingAddress).toEqual(anonymised);
    const text = await databaseText(connection);
    for (const s of strings(goneAddress)) expect(text).not.toContain(s);
    const cancelled = (await readStream(bus, Streams.shipments.name, { subject: Subjects.ShipmentCancelled })).map((m) =>
      parseEvent(JSON.parse(new TextDecoder().decode(m.data)), Subjects.ShipmentCancelled),
    );
    expect(cancelled.filter((e) => e.data.orderId === late.id).map((e) => e.data.version)).toEqual([1, 1]);

    // Another delivery of the same order.completed changes nothing.
    await bus.publish(makeEvent(Subjects.OrderCompleted, late));
    const listener = listeners.find((l) => l.subject === Subjects.OrderCompleted)!;
    await eventually(async () => {
      const info = await bus.jsm.consumers.info(listener.streamName, listener.durableName);
      return info.num_pending + info.num_ack_pending === 0;
    });
    expect(await Shipment.countDocuments({ orderId: late.id })).toBe(2);
  }, 90_000);

  it('the re-check after the insert: a buyer forgotten while the shipments were being created is forgotten in them too', async () => {
    const buyerId = oid();
    const order = orderCompleted([oid()], { userId: buyerId, shippingAddress: goneAddress });
    // user.deleted handled between the first check and the insert: its scan found no shipment yet.
    const check = models.ForgottenPerson.exists.bind(models.ForgottenPerson);
    let calls = 0;
    const spy = jest.spyOn(models.ForgottenPerson, 'exists').mockImplementation(((filter: never) => {
      calls++;
      if (calls === 1) {
        const before = check(filter);
        return before.then(async (r) => {
          await rememberForgottenPerson(models.ForgottenPerson, buyerId);
          return r;
        });
      }
      return check(filter);
    }) as never);
    try {
      const outcome = await createShipmentsForOrder(models, order);
      expect(outcome).toMatchObject({ kind: 'split', created: 1, buyerForgotten: true });
    } finally {
      spy.mockRestore();
    }
    const s = (await Shipment.findOne({ orderId: order.id }).lean())!;
    expect(s).toMatchObject({ status: 'cancelled', shippingAddress: { name: 'deleted user', line1: '-', country: 'GB' } });
  }, 30_000);
});
