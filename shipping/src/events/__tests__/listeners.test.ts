/**
 * The listeners through a real nats-server and the test database, as two shipping replicas run them:
 * two buses, two connections, the same durables.
 *   SPEC invariant 7: every paid line is in exactly one shipment of its seller, however often
 *   order.completed is delivered (duplicates, redeliveries, a replica that did the work and died
 *   before acking) and with both replicas consuming at once.
 *   Auto-delivery: only a shipment still shipped at the timer's version is delivered.
 */
import mongoose from 'mongoose';
import {
  createLogger,
  EventBus,
  installDatabasePlugins,
  makeEvent,
  streamOf,
  Subjects,
  type Event,
  type Listener,
  type Subject,
} from '@jetmart/common';
import { eventually, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { createShipmentsForOrder, deliverShipment, shipShipment } from '../../fulfilment';
import { shippingModels, type ShippingModels } from '../../models';
import { shippingListeners } from '../listeners';
import { oid, orderCompleted, seedShipment, type OrderCompletedData } from '../../__tests__/support/fixtures';

const db = useTestDatabase({ prefix: 'shipping_listeners' });
const models = shippingModels(db.connection);
const { Shipment } = models;
const logger = createLogger('shipping-test', { level: 'silent' });
const RETURN_WINDOW_MS = 7 * 24 * 3600 * 1000;

// The second replica: its own connection to the same database, its own bus, the same durables.
let replicaConnection: mongoose.Connection;
let replicaModels: ShippingModels;
beforeAll(async () => {
  replicaConnection = mongoose.createConnection(db.url());
  installDatabasePlugins(replicaConnection);
  replicaModels = shippingModels(replicaConnection);
  await replicaConnection.asPromise();
});
afterAll(() => replicaConnection.close());

let replicaBus: EventBus;
let replicas: Listener<Subject>[][] = [];
const jet = useTestBus({
  name: 'shipping-test',
  logger,
  freshStreams: ['ORDERS', 'EXPIRATION'],
  beforeDrain: async () => {
    await Promise.all(replicas.flat().map((l) => l.stop()));
    await replicaBus?.drain();
  },
});
beforeEach(async () => {
  replicaBus = await EventBus.connect({ servers: jet.nats.url, name: 'shipping-test-replica', logger });
  replicas = [
    shippingListeners(jet.bus, { models, returnWindowMs: RETURN_WINDOW_MS }, { backoffMs: 50 }),
    shippingListeners(replicaBus, { models: replicaModels, returnWindowMs: RETURN_WINDOW_MS }, { backoffMs: 50 }),
  ];
  for (const l of replicas.flat()) await l.start();
});

const publish = async (event: Event) => (await jet.bus.js.publish(event.subject, JSON.stringify(event), { msgID: event.id })).seq;

/** Waits until the shared durable of `subject` has acked everything up to stream sequence `seq`. */
async function handled(subject: Subject, seq: number): Promise<void> {
  const listener = replicas[0].find((l) => l.subject === subject)!;
  await eventually(async () => {
    const info = await jet.bus.jsm.consumers.info(streamOf(subject), listener.durableName);
    return info.ack_floor.stream_seq >= seq && info.num_ack_pending === 0 && info.num_pending === 0;
  }, 20_000);
}

/** The shipments of an order by seller, with each one's lines as [productId, quantity]. */
async function partsOf(orderId: string) {
  const docs = await Shipment.find({ orderId }).lean();
  return Object.fromEntries(docs.map((s) => [s.sellerId, s.items.map((l) => [l.productId, l.quantity])]));
}

/** What each seller's shipment must hold: exactly their lines of the order. */
function expectedParts(order: OrderCompletedData) {
  const out: Record<string, [string, number][]> = {};
  for (const l of order.items) (out[l.sellerId!] ??= []).push([l.productId, l.quantity]);
  return out;
}

describe('order.completed → one shipment per seller (invariant 7)', () => {
  it('duplicates, redeliveries and a replica that died before acking, consumed by two replicas at once: exactly one shipment per seller with exactly its lines', async () => {
    const [a, b, c] = [oid(), oid(), oid()];
    const orders = Array.from({ length: 8 }, (_, i) => orderCompleted(i % 2 ? [a, b, a, c] : [c, a]));
    // The work of a replica that split two orders and died before acking: their messages come again.
    await createShipmentsForOrder(replicaModels, orders[0]);
    await createShipmentsForOrder(models, orders[1]);
    const copies: Event[] = [];
    for (const order of orders) {
      const event = makeEvent(Subjects.OrderCompleted, order);
      // the same message id again (JetStream drops it), and copies with new ids (an outbox relay
      // that re-sent after the duplicate window, a redelivery by another route)
      copies.push(event, event, ...Array.from({ length: 4 }, () => makeEvent(Subjects.OrderCompleted, order)));
    }
    const calls = replicas.map((set) =>
      jest.spyOn(
        set.find((l) => l.subject === Subjects.OrderCompleted)!,
        'onMessage',
      ),
    );
    let last = 0;
    // A fixed interleaving of the copies (reproducible): stride through them by a number prime to their count.
    for (let i = 0; i < copies.length; i++) last = await publish(copies[(i * 7) % copies.length]);
    await handled(Subjects.OrderCompleted, last);

    for (const order of orders) expect(await partsOf(order.id)).toEqual(expectedParts(order));
    expect(await Shipment.countDocuments()).toBe(orders.reduce((n, o) => n + new Set(o.items.map((l) => l.sellerId)).size, 0));
    // each shipment was created once: one shipment.created in its outbox, at version 0
    for (const s of await Shipment.find().lean()) {
      expect(s.outbox.map((e) => [e.subject, (e.event.data as { version?: number }).version])).toEqual([['shipment.created', 0]]);
      expect(s).toMatchObject({ status: 'pending', version: 0 });
    }
    // both replicas handled deliveries (the race the unique index decides)
    expect(calls.map((c) => c.mock.calls.length > 0)).toEqual([true, true]);
  });

  it('a shipment has the seller, the buyer, the lines with title and price, and the address of its order', async () => {
    const order = orderCompleted([oid()]);
    await handled(Subjects.OrderCompleted, await publish(makeEvent(Subjects.OrderCompleted, order)));
    const s = (await Shipment.findOne({ orderId: order.id }).lean())!;
    expect(s).toMatchObject({
      sellerId: order.items[0].sellerId,
      buyerId: order.userId,
      items: [{ productId: order.items[0].productId, title: 'Item 0', priceMinor: 1000, quantity: 1 }],
      shippingAddress: order.shippingAddress,
    });
    expect(s.outbox[0].event.data).toEqual({
      id: String(s._id),
      orderId: order.id,
      sellerId: s.sellerId,
      buyerId: order.userId,
      items: [{ productId: s.items[0].productId, quantity: 1 }],
      version: 0,
    });
  });

  it('an order.completed from before fulfilment (no seller ids, or no address) creates no shipment and is acked', async () => {
    const noSellers = orderCompleted([oid(), oid()]);
    noSellers.items = noSellers.items.map(({ sellerId: _none, ...line }) => line);
    const noAddress = orderCompleted([oid()], { shippingAddress: undefined });
    const oneWithout = orderCompleted([oid(), oid()]);
    delete oneWithout.items[1].sellerId;
    const bare = { id: oid(), userId: oid(), items: [{ productId: oid(), quantity: 1 }], version: 1 };
    let last = 0;
    for (const o of [noSellers, noAddress, oneWithout, bare]) last = await publish(makeEvent(Subjects.OrderCompleted, o));
    await handled(Subjects.OrderCompleted, last);
    expect(await Shipment.countDocuments()).toBe(0);
  });
});

describe('expiration.shipment-delivery-due → auto-delivery at the timer version', () => {
  const due = (shipmentId: string, version: number) =>
    publish(makeEvent(Subjects.ShipmentDeliveryDue, { shipmentId, version }, `delivery-due-${shipmentId}-${version}`));

  it('delivers a shipment still shipped at that version, by auto, once (a duplicate changes nothing)', async () => {
    const s = await seedShipment(models);
    await shipShipment({ models, autoDeliverAfterMs: 1000 }, { id: s.id, userId: s.sellerId, carrier: 'DHL', trackingNumber: '1' });
    await due(s.id, 1);
    await handled(Subjects.ShipmentDeliveryDue, await publish(makeEvent(Subjects.ShipmentDeliveryDue, { shipmentId: s.id, version: 1 })));
    const doc = (await Shipment.findById(s.id).lean())!;
    expect(doc).toMatchObject({ status: 'delivered', deliveredBy: 'auto', version: 2 });
    expect(doc.outbox.map((e) => e.subject)).toEqual(['shipment.created', 'shipment.shipped', 'shipment.delivered']);
    expect(doc.outbox[2].event.data).toMatchObject({ by: 'auto', version: 2 });
    // An auto-delivered part is returnable for the window from its (automatic) delivery, like any other.
    expect(doc.returnableUntil!.getTime()).toBe(doc.deliveredAt!.getTime() + RETURN_WINDOW_MS);
    expect(doc.outbox[2].event.data).toMatchObject({ returnableUntil: doc.returnableUntil!.toISOString() });
  });

  it('no-op for a stale version, an already delivered shipment, a pending one and an unknown id', async () => {
    const [stale, confirmed, pending] = [await seedShipment(models), await seedShipment(models), await seedShipment(models)];
    for (const s of [stale, confirmed])
      await shipShipment({ models, autoDeliverAfterMs: 1000 }, { id: s.id, userId: s.sellerId, carrier: 'DHL', trackingNumber: '1' });
    await deliverShipment({ models, returnWindowMs: RETURN_WINDOW_MS }, { id: confirmed.id, userId: confirmed.buyerId });
    const before = await Shipment.find().sort({ _id: 1 }).lean();

    await due(stale.id, 0);
    await due(stale.id, 2);
    await due(confirmed.id, 1);
    await due(pending.id, 0);
    await handled(Subjects.ShipmentDeliveryDue, await due(oid(), 1));

    expect(await Shipment.find().sort({ _id: 1 }).lean()).toEqual(before);
    expect(await Shipment.findById(confirmed.id).lean()).toMatchObject({ status: 'delivered', deliveredBy: 'buyer', version: 2 });
    expect(await Shipment.findById(stale.id).lean()).toMatchObject({ status: 'shipped', version: 1 });
  });
});
