/**
 * user.deleted through a real nats-server and FerretDB (SPEC invariant 13): orders' real listeners
 * and outbox relay; the test stands in for auth. The deleted buyer's unpaid order is cancelled
 * (order.cancelled, units released), every order of theirs keeps an anonymised address and their
 * return notes are gone; another buyer's orders and notes are untouched; a second delivery changes
 * nothing. The proof is a scan of every collection of the database for the person's strings.
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
import { eventually, readStream, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { newReturn } from '../../models';
import { ordersListeners } from '../listeners';
import { newId, paidOrderWithShipment, placed, seedProduct, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_user_deleted' });
const { models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
let relay: OutboxRelay;
let listeners: Listener<Subject>[] = [];

beforeAll(async () => {
  await syncIndexes(models);
  nats = await startNats();
  const logger = createLogger('orders', { level: 'silent' });
  bus = await EventBus.connect({ servers: nats.url, name: 'orders', logger });
  await bus.ensureStreams();
  relay = new OutboxRelay(bus, [models.Order, models.Return], { logger, intervalMs: 100 });
  relay.start();
  listeners = ordersListeners(bus, { models }, { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 }) as Listener<Subject>[];
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

const gone = {
  address: testAddress({
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    line2: 'Flat 3',
    city: 'Ravenscourt',
    postalCode: 'NW1 6XE',
    phone: '+44 20 7946 0000',
  }),
  note: 'call Ada on 0207 946 0000 before noon',
};
const kept = {
  address: testAddress({
    name: 'Grace Hopper',
    line1: '7 Cobol Lane',
    line2: 'Rear door',
    city: 'Arlington',
    postalCode: 'VA 22201',
    country: 'US',
    phone: '+1 555 0100',
  }),
  note: 'leave it with Grace at the porch',
};
const strings = (p: typeof gone) => [...Object.values(p.address).filter((v) => v !== 'GB' && v !== 'US'), p.note];

async function seedBuyer(buyerId: string, person: typeof gone) {
  const product = await seedProduct(models, { quantity: 10 });
  const unpaid = await placed(models, buyerId, [{ productId: product.id, quantity: 3 }], 900, person.address);
  const { order: paid, shipmentId, sellerId } = await paidOrderWithShipment(models, buyerId);
  // The paid order's address is the helper's; give it the person's (as checkout would have).
  await models.Order.updateOne({ _id: paid.id }, { $set: { shippingAddress: person.address } });
  const ret = newReturn(models.Return, {
    orderId: paid.id,
    shipmentId,
    sellerId,
    buyerId,
    items: paid.items.map((l) => ({ productId: l.productId, title: l.title, priceMinor: l.priceMinor, quantity: 1 })),
    reason: 'damaged',
    note: person.note,
  });
  await ret.save();
  return { product, unpaid, paid, ret };
}

const outboxesEmpty = async () =>
  (await models.Order.countDocuments({ 'outbox.0': { $exists: true } })) === 0 &&
  (await models.Return.countDocuments({ 'outbox.0': { $exists: true } })) === 0;

describe('user.deleted', () => {
  it('cancels the unpaid order, anonymises every address, clears return notes; the other buyer is untouched; twice is once', async () => {
    const deletedId = newId();
    const otherId = newId();
    const mine = await seedBuyer(deletedId, gone);
    const theirs = await seedBuyer(otherId, kept);
    await eventually(outboxesEmpty);
    const before = await databaseText(connection);
    for (const s of [...strings(gone), ...strings(kept)]) expect(before).toContain(s);
    const paidBefore = (await models.Order.findById(mine.paid.id).lean())!;

    await bus.publish(makeEvent(Subjects.UserDeleted, { id: deletedId, version: 3 }));
    await eventually(async () => {
      const o = await models.Order.findById(mine.unpaid.id).lean();
      return o?.status === 'cancelled' && o.holdAction === null && o.shippingAddress?.name === 'deleted user';
    });
    await eventually(async () => (await models.Return.findById(mine.ret.id).lean())?.note === undefined);
    await eventually(outboxesEmpty);
    const once = await databaseText(connection, ['_locks']);

    // A second delivery (a new message: auth may publish again after a crash) finds nothing left to do.
    await bus.publish(makeEvent(Subjects.UserDeleted, { id: deletedId, version: 3 }));
    const listener = listeners.find((l) => l.subject === Subjects.UserDeleted)!;
    await eventually(async () => {
      const info = await bus.jsm.consumers.info(listener.streamName, listener.durableName);
      return info.num_pending + info.num_ack_pending === 0 && info.delivered.stream_seq >= 2;
    });
    await eventually(outboxesEmpty);
    const after = await databaseText(connection);

    for (const s of strings(gone)) expect(after).not.toContain(s);
    for (const s of strings(kept)) expect(after).toContain(s);
    // Only the document locks' bookkeeping may differ after the second delivery.
    expect(await databaseText(connection, ['_locks'])).toBe(once);

    // The sellers' books: the paid order keeps its lines, amount, status and published version.
    const paidAfter = (await models.Order.findById(mine.paid.id).lean())!;
    expect(paidAfter).toMatchObject({
      status: 'complete',
      totalMinor: paidBefore.totalMinor,
      items: paidBefore.items,
      version: paidBefore.version,
    });
    expect(paidAfter.shippingAddress).toEqual({ name: 'deleted user', line1: '-', city: '-', postalCode: '-', country: 'GB' });
    expect(await models.Return.findById(mine.ret.id).lean()).toMatchObject({ status: 'requested', reason: 'damaged', version: 0 });
    // The unpaid order was cancelled through the normal transition: order.cancelled, units released.
    const cancelled = (await readStream(bus, Streams.orders.name, { subject: Subjects.OrderCancelled })).map((m) =>
      parseEvent(JSON.parse(new TextDecoder().decode(m.data)), Subjects.OrderCancelled),
    );
    expect(cancelled.filter((e) => e.data.id === mine.unpaid.id).map((e) => [e.data.reason, e.data.version])).toEqual([['buyer', 1]]);
    expect(await models.ProductReplica.findById(mine.product.id).lean()).toMatchObject({ available: 10 });
    // The other buyer's unpaid order is still open.
    expect(await models.Order.findById(theirs.unpaid.id).lean()).toMatchObject({ status: 'created', shippingAddress: kept.address });
    expect(await models.Return.findById(theirs.ret.id).lean()).toMatchObject({ note: kept.note });
  }, 90_000);
});
