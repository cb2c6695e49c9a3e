/**
 * user.deleted of a SELLER through a real nats-server and FerretDB (SPEC invariant 13, docs/SPEC.md
 * "Data export and erasure"): shipping's real listeners and outbox relay; the test stands in for
 * auth. The seller's pending parts are cancelled once each (shipment.cancelled, reason
 * `seller-closed`: refunded and restocked downstream), their shipped parts go on, other sellers'
 * parts (of the same orders too) are untouched, a second delivery changes nothing; a ship racing
 * the deletion has one winner; a part created after the deletion is cancelled too.
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
import { createShipmentsForOrder, shipShipment } from '../../fulfilment';
import { closeSeller } from '../../forgetting';
import { shippingModels } from '../../models';
import { shippingListeners } from '../listeners';
import { ADDRESS, oid, orderCompleted } from '../../__tests__/support/fixtures';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'shipping_seller_deleted' });
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

async function databaseText(conn: Connection, skip: string[] = []): Promise<string> {
  const db = conn.db!;
  const out: Record<string, unknown> = {};
  for (const c of await db.listCollections().toArray())
    if (!skip.includes(c.name)) out[c.name] = await db.collection(c.name).find({}).sort({ _id: 1 }).toArray();
  return JSON.stringify(out);
}

const outboxEmpty = async () => (await Shipment.countDocuments({ 'outbox.0': { $exists: true } })) === 0;
const ship = (id: string, sellerId: string) =>
  shipShipment({ models, autoDeliverAfterMs: 86_400_000 }, { id, userId: sellerId, carrier: 'DHL', trackingNumber: 'JD0146' });

/** The shipment of `sellerId` in a new paid order of the given sellers. */
async function part(sellers: string[], sellerId: string): Promise<{ id: string; orderId: string }> {
  const order = orderCompleted(sellers);
  const outcome = await createShipmentsForOrder(models, order);
  if (outcome.kind !== 'split') throw new Error(JSON.stringify(outcome));
  return { id: String((await Shipment.findOne({ orderId: order.id, sellerId }).lean())!._id), orderId: order.id };
}

const cancelledEvents = async () =>
  (await readStream(bus, Streams.shipments.name, { subject: Subjects.ShipmentCancelled })).map((m) =>
    parseEvent(JSON.parse(new TextDecoder().decode(m.data)), Subjects.ShipmentCancelled),
  );

/** Waits until the listener of `subject` has delivered and acked everything up to stream sequence `seq`. */
async function drained(subject: Subject, seq: number) {
  const listener = listeners.find((l) => l.subject === subject)!;
  await eventually(async () => {
    const info = await bus.jsm.consumers.info(listener.streamName, listener.durableName);
    return info.num_pending + info.num_ack_pending === 0 && info.delivered.stream_seq >= seq;
  });
}

describe("a seller's account deleted", () => {
  it('cancels each unshipped part once (seller-closed), leaves shipped parts and other sellers alone; twice is once', async () => {
    const seller = oid();
    const other = oid();
    const pendingAlone = await part([seller], seller);
    const pendingShared = await part([seller, other], seller); // an order with another seller's part too
    const shipped = await part([seller], seller);
    expect((await ship(shipped.id, seller)).kind).toBe('shipped');
    const otherPending = (await Shipment.findOne({ orderId: pendingShared.orderId, sellerId: other }).lean())!;
    const otherShipped = await part([other], other);
    expect((await ship(otherShipped.id, other)).kind).toBe('shipped');
    await eventually(outboxEmpty);

    const first = await bus.publish(makeEvent(Subjects.UserDeleted, { id: seller, version: 4 }));
    await eventually(async () => (await Shipment.countDocuments({ sellerId: seller, status: 'cancelled' })) === 2);
    await eventually(outboxEmpty);
    await drained(Subjects.UserDeleted, first.seq);
    const once = await databaseText(connection, ['_locks']);

    // Another delivery (auth may publish again after a crash) finds nothing left to do.
    const again = await bus.publish(makeEvent(Subjects.UserDeleted, { id: seller, version: 4 }));
    await drained(Subjects.UserDeleted, again.seq);
    await eventually(outboxEmpty);
    expect(await databaseText(connection, ['_locks'])).toBe(once);

    for (const p of [pendingAlone, pendingShared])
      expect(await Shipment.findById(p.id).lean()).toMatchObject({ status: 'cancelled', version: 1, shippingAddress: ADDRESS });
    expect(await Shipment.findById(shipped.id).lean()).toMatchObject({
      status: 'shipped',
      version: 1,
      carrier: 'DHL',
      shippingAddress: ADDRESS,
    });
    expect(await Shipment.findById(otherPending._id).lean()).toMatchObject({ status: 'pending', version: 0 });
    expect(await Shipment.findById(otherShipped.id).lean()).toMatchObject({ status: 'shipped', version: 1 });

    // One shipment.cancelled per cancelled part, saying why, with the refund of its lines.
    const events = (await cancelledEvents()).filter((e) => e.data.sellerId === seller);
    expect(events.map((e) => e.data.id).sort()).toEqual([pendingAlone.id, pendingShared.id].sort());
    for (const e of events) {
      const s = (await Shipment.findById(e.data.id).lean())!;
      expect(e.data).toMatchObject({
        reason: 'seller-closed',
        version: 1,
        amountMinor: s.items.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0),
      });
    }
    expect((await cancelledEvents()).filter((e) => e.data.sellerId === other)).toEqual([]);
  }, 90_000);

  it("the seller's ship racing the deletion, 12 shipments at once: each ends shipped or cancelled, with one event", async () => {
    const rounds = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const seller = oid();
        return { seller, ...(await part([seller], seller)) };
      }),
    );
    const answers = await Promise.all(rounds.map((r) => Promise.all([ship(r.id, r.seller), closeSeller({ models }, r.seller)])));
    const winners = { shipped: 0, cancelled: 0 };
    for (const [round, r] of rounds.entries()) {
      const [shipResult, closed] = answers[round];
      const final = (await Shipment.findById(r.id).lean())!;
      expect({ round, version: final.version }).toEqual({ round, version: 1 });
      if (final.status === 'shipped') {
        expect({ round, ship: shipResult.kind, closed }).toEqual({
          round,
          ship: 'shipped',
          closed: expect.objectContaining({ cancelled: 0 }),
        });
      } else {
        expect({ round, status: final.status, ship: shipResult.kind, closed }).toEqual({
          round,
          status: 'cancelled',
          ship: 'is-cancelled',
          closed: { kind: 'closed', cancelled: 1, lostToShip: 0 },
        });
      }
      winners[final.status as 'shipped' | 'cancelled']++;
    }
    expect(winners.shipped + winners.cancelled).toBe(12);

    await eventually(outboxEmpty, 30_000);
    const ids = new Set(rounds.map((r) => r.id));
    const msgs = (await readStream(bus, Streams.shipments.name))
      .map((m) => m.json<{ subject: string; data: { id: string; version: number } }>())
      .filter((e) => ids.has(e.data.id) && e.subject !== Subjects.ShipmentCreated);
    for (const r of rounds) {
      const final = (await Shipment.findById(r.id).lean())!;
      const subject = final.status === 'shipped' ? Subjects.ShipmentShipped : Subjects.ShipmentCancelled;
      expect(msgs.filter((e) => e.data.id === r.id).map((e) => [e.subject, e.data.version])).toEqual([[subject, 1]]);
    }
  }, 90_000);

  it("an order paid as the seller deleted their account: the seller's part, created after the deletion, is cancelled; the other seller's is not", async () => {
    const gone = oid();
    const other = oid();
    const deleted = await bus.publish(makeEvent(Subjects.UserDeleted, { id: gone, version: 2 }));
    await drained(Subjects.UserDeleted, deleted.seq);

    const late = orderCompleted([gone, other]);
    await bus.publish(makeEvent(Subjects.OrderCompleted, late));
    await eventually(async () => (await Shipment.countDocuments({ orderId: late.id, sellerId: gone, status: 'cancelled' })) === 1);
    await eventually(outboxEmpty);
    expect(await Shipment.findOne({ orderId: late.id, sellerId: other }).lean()).toMatchObject({ status: 'pending', version: 0 });
    const events = (await cancelledEvents()).filter((e) => e.data.orderId === late.id);
    expect(events.map((e) => [e.data.sellerId, e.data.reason, e.data.version])).toEqual([[gone, 'seller-closed', 1]]);
  }, 90_000);
});
