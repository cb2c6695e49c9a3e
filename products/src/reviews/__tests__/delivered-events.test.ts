/**
 * Eligibility through a real nats-server and the database: products' real listeners and outbox
 * relay; the test stands in for shipping and auth. A review asked for before shipment.delivered
 * has arrived is a 403, and the same request succeeds once the event is consumed. Delivered lines
 * are recorded once per (buyer, product) whatever the duplicates and the order of deliveries; an
 * older event without items is acked with a warning. Rating changes reach the PRODUCTS stream as
 * product.rating-changed, versions 1, 2, 3… with the last one carrying the aggregate. user.deleted
 * anonymises the person's reviews and keeps their reports as counts.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { makeEvent, OutboxRelay, parseEvent, Streams, Subjects, type Event, type Listener, type Subject } from '@jetmart/common';
import { capturingLogger, eventually, readStream, signinCookie, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { productsListeners } from '../../events/listeners';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase({ prefix: 'products_reviews_events' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));
const { logger, lines } = capturingLogger('products-reviews-events-test', 'warn');
const oid = () => new mongoose.Types.ObjectId().toHexString();
const as = (id: string) => signinCookie({ id });

let listeners: Listener<Subject>[] = [];
let relay: OutboxRelay | undefined;
const jet = useTestBus({
  name: 'products-reviews-events-test',
  logger,
  freshStreams: ['SHIPMENTS', 'PRODUCTS', 'USERS', 'DEADLETTER'],
  beforeDrain: async () => {
    await relay?.stop();
    await Promise.all(listeners.map((l) => l.stop()));
  },
});
beforeEach(async () => {
  relay = new OutboxRelay(jet.bus, [models.ProductRating], { logger, intervalMs: 100 });
  relay.start();
  listeners = productsListeners(jet.bus, { models }, { backoffMs: 50, maxBackoffMs: 300 });
  for (const l of listeners) await l.start();
});

async function newProduct(): Promise<string> {
  const res = await request(app).post('/api/products').set('Cookie', as(oid())).send({ title: 'Lamp', price: 15, quantity: 9 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const delivered = (buyerId: string, productIds: string[] | null, shipmentId = oid()) =>
  makeEvent(Subjects.ShipmentDelivered, {
    id: shipmentId,
    orderId: oid(),
    sellerId: oid(),
    buyerId,
    deliveredAt: new Date().toISOString(),
    by: 'buyer',
    returnableUntil: new Date(Date.now() + 86_400_000).toISOString(),
    ...(productIds ? { items: productIds.map((productId) => ({ productId, quantity: 1 })) } : {}),
    version: 2,
  });
const drained = async (subject: Subject) => {
  const l = listeners.find((x) => x.subject === subject)!;
  await eventually(async () => {
    const c = await jet.bus.jsm.consumers.info(l.streamName, l.durableName);
    return c.num_pending + c.num_ack_pending === 0 || undefined;
  });
};
const deadLettered = async () => (await readStream(jet.bus, Streams.deadLetter.name)).length;
const post = (productId: string, buyer: string, rating = 4) =>
  request(app).post(`/api/products/${productId}/reviews`).set('Cookie', as(buyer)).send({ rating, text: 'As described' });
const ratingEvents = async () =>
  (await readStream(jet.bus, Streams.products.name, { subject: Subjects.ProductRatingChanged })).map(
    (m) => parseEvent(JSON.parse(new TextDecoder().decode(m.data)), Subjects.ProductRatingChanged).data,
  );

describe('shipment.delivered → delivered lines → reviews', () => {
  it('a review before the delivered event arrived is a 403; the same request succeeds once it has', async () => {
    const productId = await newProduct();
    const buyer = oid();
    const early = await post(productId, buyer);
    expect(early.status).toBe(403);
    expect(early.body.errors[0].message).toBe('only buyers who received this product can review it');
    await jet.bus.publish(delivered(buyer, [productId, await newProduct()]));
    const later = await eventually(async () => {
      const res = await post(productId, buyer);
      return res.status === 201 ? res : undefined;
    });
    expect(later.body).toMatchObject({ productId, userId: buyer, rating: 4, status: 'visible' });
    expect(await models.DeliveredLine.countDocuments({ buyerId: buyer })).toBe(2);
  });

  it('duplicated and out-of-order deliveries record each (buyer, product) once, first delivery kept; nothing dead-lettered', async () => {
    const [p1, p2] = [await newProduct(), await newProduct()];
    const buyer = oid();
    const first = delivered(buyer, [p1]);
    const second = delivered(buyer, [p1, p2]);
    // The second shipment's event arrives first, then both again, then a re-publish under a new
    // event id (a relay's re-send after the duplicate window): each line recorded once.
    const replay: Event = { ...first, id: oid() };
    for (const e of [second, first, second, first, replay]) await jet.bus.publish(e);
    await drained(Subjects.ShipmentDelivered);
    const lines = await models.DeliveredLine.find({ buyerId: buyer }).sort({ productId: 1 }).lean();
    expect(lines.map((l) => l.productId).sort()).toEqual([p1, p2].sort());
    expect(lines.find((l) => l.productId === p1)!.shipmentId).toBe(second.data.id);
    expect(await deadLettered()).toBe(0);
  });

  it('an older event without items is acked with a warning, records nothing, and is not dead-lettered', async () => {
    const buyer = oid();
    const old = delivered(buyer, null);
    await jet.bus.publish(old);
    await drained(Subjects.ShipmentDelivered);
    expect(await models.DeliveredLine.countDocuments({ buyerId: buyer })).toBe(0);
    expect(await deadLettered()).toBe(0);
    expect(lines.some((l) => l.level === 40 && /without items/.test(String(l.msg)) && l.shipmentId === old.data.id)).toBe(true);
  });

  it('rating changes are published as product.rating-changed, +1 per change, the last carrying the aggregate', async () => {
    const productId = await newProduct();
    const buyers = [oid(), oid(), oid()];
    for (const b of buyers) await jet.bus.publish(delivered(b, [productId]));
    await drained(Subjects.ShipmentDelivered);
    const ids: string[] = [];
    for (const [i, b] of buyers.entries()) ids.push((await post(productId, b, i + 3).expect(201)).body.id);
    await request(app).patch(`/api/reviews/${ids[0]}`).set('Cookie', as(buyers[0])).send({ rating: 1 }).expect(200);
    // A text edit changes no aggregate: no event.
    await request(app).patch(`/api/reviews/${ids[1]}`).set('Cookie', as(buyers[1])).send({ text: 'still fine' }).expect(200);
    const events = await eventually(async () => {
      const found = (await ratingEvents()).filter((e) => e.id === productId);
      return found.length === 4 ? found : undefined;
    });
    expect(events.map((e) => e.version)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => [e.ratingCount, e.ratingSum])).toEqual([
      [1, 3],
      [2, 7],
      [3, 12],
      [3, 10],
    ]);
    expect((await request(app).get(`/api/products/${productId}`).expect(200)).body.rating).toEqual({ average: 3.33, count: 3 });
  });

  it("user.deleted keeps the person's reviews without their id and their reports as counts; a redelivery changes nothing", async () => {
    const productId = await newProduct();
    const [leaving, other] = [oid(), oid()];
    for (const b of [leaving, other]) await jet.bus.publish(delivered(b, [productId]));
    await drained(Subjects.ShipmentDelivered);
    const own = (await post(productId, leaving, 5).expect(201)).body.id as string;
    const others = (await post(productId, other, 3).expect(201)).body.id as string;
    await request(app).post(`/api/reviews/${others}/report`).set('Cookie', as(leaving)).send({ reason: 'rude' }).expect(202);

    const deleted = makeEvent(Subjects.UserDeleted, { id: leaving, version: 3 });
    await jet.bus.publish(deleted);
    await eventually(async () => (await models.Review.findById(own).lean())?.userId === undefined || undefined);
    await jet.bus.publish({ ...deleted, id: oid() });
    await drained(Subjects.UserDeleted);

    const shown = (await request(app).get(`/api/products/${productId}/reviews`).expect(200)).body;
    expect(shown.items.find((r: { id: string }) => r.id === own)).toMatchObject({ userId: null, rating: 5, text: 'As described' });
    expect(shown.rating).toEqual({ average: 4, count: 2 });
    const reported = (await models.Review.findById(others).lean())!;
    expect(reported.reportCount).toBe(1);
    expect(reported.reports).toEqual([{ reason: 'rude', at: expect.any(Date) }]);
    // Nothing in products' review collections names the person any more.
    const stored = [
      await models.Review.find({}).lean(),
      await models.ReviewAuthor.find({}).lean(),
      await models.DeliveredLine.find({}).lean(),
    ];
    expect(JSON.stringify(stored)).not.toContain(leaving);
    // Their old session cannot review again: no delivered line.
    expect((await post(productId, leaving)).status).toBe(403);
  });
});
