/**
 * SPEC invariant 8: a shipment only moves forward. Storms of 20 concurrent ship and deliver
 * requests on one shipment, spread over two replicas (two apps, two connections, two outbox
 * relays, one database and nats-server): the state moves forward once per step, the losers answer
 * from the winner's state, and the SHIPMENTS stream holds exactly created → shipped → delivered
 * for it, versions 0, 1, 2. A buyer's cancel racing the seller's ship has one winner: the shipment
 * ends shipped or cancelled, never both, with exactly one of shipment.shipped / shipment.cancelled.
 */
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, installDatabasePlugins, OutboxRelay, Streams } from '@jetmart/common';
import { eventually, readStream, signinCookie, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../../app';
import { shippingModels, type ShipmentDoc, type ShippingModels } from '../../models';
import { APP_OPTIONS, seedShipment } from '../../__tests__/support/fixtures';

const db = useTestDatabase({ prefix: 'shipping_concurrency' });
const logger = createLogger('shipping-test', { level: 'silent' });
const models = shippingModels(db.connection);

let replicaConnection: mongoose.Connection;
let replicaModels: ShippingModels;
beforeAll(async () => {
  replicaConnection = mongoose.createConnection(db.url());
  installDatabasePlugins(replicaConnection);
  replicaModels = shippingModels(replicaConnection);
  await replicaConnection.asPromise();
});
afterAll(() => replicaConnection.close());

const appOn = (m: ShippingModels) => buildApp({ logger, isReady: () => true, models: m }, APP_OPTIONS);
let apps: Express[];
beforeAll(() => {
  apps = [appOn(models), appOn(replicaModels)];
});

let relays: OutboxRelay[] = [];
const jet = useTestBus({
  name: 'shipping-concurrency',
  logger,
  freshStreams: ['SHIPMENTS'],
  beforeDrain: () => Promise.all(relays.map((r) => r.stop())),
});
beforeEach(() => {
  relays = [
    new OutboxRelay(jet.bus, [models.Shipment], { logger, intervalMs: 100 }),
    new OutboxRelay(jet.bus, [replicaModels.Shipment], { logger, intervalMs: 100 }),
  ];
  for (const r of relays) r.start();
});

const as = (id: string) => signinCookie({ id });
/** The i-th request goes to replica i % 2. */
const ship = (i: number, s: ShipmentDoc, trackingNumber: string) =>
  request(apps[i % 2])
    .post(`/api/shipments/${s.id}/ship`)
    .set('Cookie', as(s.sellerId))
    .send({ carrier: 'DHL', trackingNumber });
const deliver = (i: number, s: ShipmentDoc, userId: string) =>
  request(apps[i % 2])
    .post(`/api/shipments/${s.id}/deliver`)
    .set('Cookie', as(userId));

/** The shipment's events in the SHIPMENTS stream, once its outbox is empty (everything published). */
async function streamed(id: string): Promise<[string, number][]> {
  await eventually(async () => (await models.Shipment.findById(id).lean())!.outbox.length === 0, 15_000);
  const msgs = await readStream(jet.bus, Streams.shipments.name);
  return msgs
    .map((m) => m.json<{ subject: string; data: { id: string; version: number } }>())
    .filter((e) => e.data.id === id)
    .map((e) => [e.subject, e.data.version]);
}

const cancel = (i: number, s: ShipmentDoc) =>
  request(apps[i % 2])
    .post(`/api/shipments/${s.id}/cancel`)
    .set('Cookie', as(s.buyerId));

const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort();

it('20 concurrent ship requests (two tracking numbers) then 20 concurrent deliver requests (buyer and seller): each step taken once', async () => {
  const s = await seedShipment(models);
  const shipped = await Promise.all(Array.from({ length: 20 }, (_, i) => ship(i, s, i % 2 ? 'TRACK-A' : 'TRACK-B')));
  const winners = shipped.filter((r) => r.status === 200);
  // Every request naming the winner's tracking number answers 200, every other one 409.
  expect(statuses(shipped)).toEqual([...Array(10).fill(200), ...Array(10).fill(409)]);
  const trackingNumber = winners[0].body.trackingNumber;
  expect(winners.every((r) => r.body.trackingNumber === trackingNumber && r.body.version === 1 && r.body.status === 'shipped')).toBe(true);

  const delivered = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(i, s, i % 3 ? s.buyerId : s.sellerId)));
  expect(statuses(delivered)).toEqual(Array(20).fill(200));
  const by = delivered[0].body.deliveredBy;
  expect(delivered.every((r) => r.body.status === 'delivered' && r.body.version === 2 && r.body.deliveredBy === by)).toBe(true);

  expect(await models.Shipment.findById(s.id).lean()).toMatchObject({ status: 'delivered', trackingNumber, deliveredBy: by, version: 2 });
  expect(await streamed(s.id)).toEqual([
    ['shipment.created', 0],
    ['shipment.shipped', 1],
    ['shipment.delivered', 2],
  ]);
}, 60_000);

it('20 concurrent requests mixing ship and deliver: delivery never comes before shipping, and each step happens once', async () => {
  const s = await seedShipment(models);
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? deliver(i, s, s.buyerId) : ship(i, s, 'TRACK-A'))));
  for (const [i, r] of answers.entries()) {
    if (i % 2 === 0) expect({ i, status: r.status }).toEqual({ i, status: 200 });
    // a delivery answered before the shipment was shipped is refused, never applied
    else if (r.status === 409) expect(r.body.errors[0].message).toMatch(/not been shipped/);
    else
      expect({ i, status: r.status, version: r.body.version, carrier: r.body.carrier }).toEqual({
        i,
        status: 200,
        version: 2,
        carrier: 'DHL',
      });
  }
  const final = (await models.Shipment.findById(s.id).lean())!;
  const expected: [string, number][] = [
    ['shipment.created', 0],
    ['shipment.shipped', 1],
  ];
  if (final.status === 'delivered') expected.push(['shipment.delivered', 2]);
  expect(final.version).toBe(expected.length - 1);
  expect(await streamed(s.id)).toEqual(expected);
}, 60_000);

it("a buyer's cancel racing the seller's ship, 16 shipments at once on two replicas: each ends in exactly one outcome, with one event", async () => {
  const rounds = await Promise.all(Array.from({ length: 16 }, () => seedShipment(models)));
  // Each round: two cancels and two ships of one shipment at once, spread over both replicas.
  const answers = await Promise.all(
    rounds.map((s, round) =>
      Promise.all([cancel(round, s), ship(round + 1, s, 'TRACK-A'), cancel(round + 1, s), ship(round, s, 'TRACK-A')]),
    ),
  );
  const outcomes = { shipped: 0, cancelled: 0 };
  for (const [round, s] of rounds.entries()) {
    const [c1, s1, c2, s2] = answers[round];
    const final = (await models.Shipment.findById(s.id).lean())!;
    const winner = final.status as 'shipped' | 'cancelled';
    expect({ round, status: final.status, version: final.version }).toEqual({ round, status: winner, version: 1 });
    expect(['shipped', 'cancelled']).toContain(winner);
    outcomes[winner]++;
    // The loser's requests answer 409 from the winner's state, the winner's 200 (a repeat is 200 too).
    const [cancelStatus, shipStatus] = winner === 'cancelled' ? [200, 409] : [409, 200];
    expect({ round, cancels: [c1.status, c2.status], ships: [s1.status, s2.status] }).toEqual({
      round,
      cancels: [cancelStatus, cancelStatus],
      ships: [shipStatus, shipStatus],
    });
    if (winner === 'shipped') expect(c1.body.errors[0].message).toMatch(/already shipped/);
    else expect(s1.body.errors[0].message).toMatch(/cancelled/);
    expect(final.cancelledAt === undefined).toBe(winner === 'shipped');
    expect(final.shippedAt === undefined).toBe(winner === 'cancelled');
  }
  // Every round's events on the stream: created, then exactly one of shipped / cancelled, at version 1.
  for (const s of rounds) await eventually(async () => (await models.Shipment.findById(s.id).lean())!.outbox.length === 0, 30_000);
  const msgs = (await readStream(jet.bus, Streams.shipments.name)).map((m) =>
    m.json<{ subject: string; data: { id: string; version: number } }>(),
  );
  for (const [round, s] of rounds.entries()) {
    const final = (await models.Shipment.findById(s.id).lean())!;
    const events = msgs.filter((e) => e.data.id === s.id).map((e) => [e.subject, e.data.version]);
    expect({ round, events }).toEqual({
      round,
      events: [
        ['shipment.created', 0],
        [final.status === 'shipped' ? 'shipment.shipped' : 'shipment.cancelled', 1],
      ],
    });
  }
  expect(outcomes.shipped + outcomes.cancelled).toBe(16);
}, 120_000);
