/**
 * Malformed events on every subject orders consumes (SPEC invariant 6), through a real
 * nats-server and the service's real listeners: non-JSON bytes, random JSON, missing fields,
 * wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope.
 * Every one must end in DEADLETTER (`deadletter.<durable>`), nothing may change in the database,
 * and a valid event afterwards is still applied. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 */
import fc from 'fast-check';
import mongoose from 'mongoose';
import { DeadLetterHeaders, EventBus, createLogger, makeEvent, Streams, Subjects, type Event, type Listener, type Subject } from '@jetmart/common';
import { eventually, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { placeOrder } from '../../models';
import { ordersListeners } from '../listeners';
import { newId as oid, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile_events' });
const { models } = testApp();
const logger = createLogger('orders-test', { level: 'silent' });
const SEED = Number(process.env.HOSTILE_EVENTS_SEED ?? 20240609);
const RUNS = Number(process.env.HOSTILE_EVENTS_RUNS ?? 50);

let nats: NatsTestServer;
let bus: EventBus;
let listeners: Listener<Subject>[];
let product: Awaited<ReturnType<typeof seedProduct>>;
let payOrder = '';
let expireOrder = '';

beforeAll(async () => {
  await syncIndexes(models);
  // Existing state a wrongly applied event would change: a product replica and two created orders.
  product = await seedProduct(models, { quantity: 10 });
  payOrder = (await placeOrder(models, oid(), [{ productId: product.id, quantity: 2 }], { expirationSeconds: 900 })).id;
  expireOrder = (await placeOrder(models, oid(), [{ productId: product.id, quantity: 1 }], { expirationSeconds: 1 })).id;
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'orders-hostile', logger });
  await bus.ensureStreams();
  listeners = ordersListeners(bus, { models }, { backoffMs: 50, maxBackoffMs: 200, maxDeliveries: 3, ackWaitMs: 5_000 });
  for (const l of listeners) await l.start();
}, 60_000);
afterAll(async () => {
  for (const l of listeners ?? []) await l.stop();
  await bus?.drain();
  await nats?.destroy();
});

// ---- hostile payloads (the same families in every service's hostile-events test)
type Json = Record<string, unknown>;
const operators: unknown[] = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { $in: [] }, { $exists: true }];
/** Values no field of any event schema accepts (every field is a string, number or non-empty array). */
const wrongValue = fc.constantFrom<unknown>(...operators, null, true, false, [], [{ $gt: '' }], {}, JSON.parse('{"__proto__":{"polluted":1}}'));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const encode = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

/** Paths (into the envelope) of the required fields of `good`, one level into the first array item. */
function fieldPaths(good: Json): string[][] {
  const paths: string[][] = [['id'], ['subject'], ['occurredAt'], ['data']];
  for (const [k, v] of Object.entries(good.data as Json)) {
    paths.push(['data', k]);
    if (Array.isArray(v) && v[0] && typeof v[0] === 'object') for (const k2 of Object.keys(v[0])) paths.push(['data', k, '0', k2]);
  }
  return paths;
}
function setPath(obj: Json, path: string[], value: unknown, remove = false): Json {
  const out = clone(obj);
  let at = out as Record<string, unknown>;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string, unknown>;
  if (remove) delete at[path[path.length - 1]];
  else at[path[path.length - 1]] = value;
  return out;
}

/**
 * One hostile payload for a subject whose valid event is `good`; `idPaths` are the fields with
 * the 128-character id limit, `others` valid events of other subjects (a wrong envelope subject).
 */
function hostilePayload(good: Json, idPaths: string[][], others: Json[]): fc.Arbitrary<Uint8Array> {
  const paths = fieldPaths(good);
  return fc.oneof(
    // not JSON at all: random bytes between '{' and an invalid UTF-8 byte
    fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0x7b, ...b, 0xff])),
    fc.constantFrom('', 'null', '[]', '"order"', '{"id":', '\u0000', 'undefined', '{"$gt": ""}').map(encode),
    // random JSON of any shape
    fc.jsonValue({ maxDepth: 4 }).map(encode),
    // a required field missing
    fc.constantFrom(...paths).map((p) => encode(setPath(good, p, undefined, true))),
    // a field of the wrong type, or a NoSQL operator object
    fc.tuple(fc.constantFrom(...paths), wrongValue).map(([p, v]) => encode(setPath(good, p, v))),
    // a huge id
    fc.tuple(fc.constantFrom(...idPaths), fc.integer({ min: 129, max: 200_000 })).map(([p, n]) => encode(setPath(good, p, 'x'.repeat(n)))),
    // bad numbers and dates
    fc.tuple(fc.constantFrom<string[]>(['data', 'version'], ...paths.filter((p) => /quantity|Minor$/.test(p[p.length - 1]))), fc.constantFrom<unknown>(-1, 0.5, '1', 1e300 * -1)).map(([p, v]) =>
      encode(setPath(good, p, v)),
    ),
    fc.constantFrom('yesterday', '2024-13-45T00:00:00Z', '', 0).map((d) => encode(setPath(good, ['occurredAt'], d))),
    // a valid event of another subject, or an unknown subject, in the envelope
    fc.constantFrom(...others).map(encode),
    fc.constantFrom('order.*', 'order.created ', 'ORDER.CREATED', 'deadletter.x', 'product.deleted').map((s) => encode({ ...good, subject: s })),
  );
}

/** Publishes each payload on `subject`; resolves to their stream sequences. */
async function publishAll(subject: string, payloads: Uint8Array[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const p of payloads) seqs.push((await bus.js.publish(subject, p)).seq);
  return seqs;
}

/** Original stream sequences of the messages dead-lettered by `durable`. */
async function deadLettered(durable: string): Promise<Set<number>> {
  const info = await bus.jsm.streams.info(Streams.deadLetter.name, { subjects_filter: `deadletter.${durable}` });
  const seqs = new Set<number>();
  if (!info.state.subjects?.[`deadletter.${durable}`]) return seqs;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage(Streams.deadLetter.name, { seq }).catch(() => null);
    if (m?.subject === `deadletter.${durable}`) seqs.add(Number(m.header.get(DeadLetterHeaders.sequence)));
  }
  return seqs;
}

async function snapshot(): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(models)) out[name] = await (m as mongoose.Model<unknown>).find({}, { createdAt: 0, updatedAt: 0 }).sort({ _id: 1 }).lean();
  return JSON.stringify(out);
}

/** Sends RUNS hostile payloads on `subject`; every one must be dead-lettered and change nothing. */
async function attack(subject: Subject, good: Event, others: Event[], idPaths: string[][]) {
  const listener = listeners.find((l) => l.subject === subject)!;
  const before = await snapshot();
  const payloads = fc.sample(hostilePayload(good as unknown as Json, idPaths, others as unknown as Json[]), { seed: SEED, numRuns: RUNS });
  const seqs = await publishAll(subject, payloads);
  const missing = async () => {
    const dl = await deadLettered(listener.durableName);
    return seqs.filter((s) => !dl.has(s));
  };
  await eventually(async () => (await missing()).length === 0, 30_000, 200).catch(async () => {
    const left = await missing();
    const shown = left.slice(0, 5).map((s) => new TextDecoder().decode(payloads[seqs.indexOf(s)]).slice(0, 300));
    throw new Error(`${left.length}/${seqs.length} hostile ${subject} payloads not dead-lettered (seed ${SEED}), e.g. ${JSON.stringify(shown)}`);
  });
  const consumer = await bus.jsm.consumers.info(listener.streamName, listener.durableName);
  expect(consumer.num_pending + consumer.num_ack_pending).toBe(0);
  expect(await snapshot()).toBe(before);
}

// ---- valid events
const productEvent = (subject: typeof Subjects.ProductCreated | typeof Subjects.ProductUpdated, id: string, version: number) =>
  makeEvent(subject, { id, title: `Lamp v${version}`, priceMinor: 1999, quantity: 12, userId: product.userId, version });
const all = (): Event[] => [
  productEvent(Subjects.ProductCreated, oid(), 0),
  productEvent(Subjects.ProductUpdated, product.id, 1),
  makeEvent(Subjects.ExpirationComplete, { orderId: expireOrder, version: 0 }),
  makeEvent(Subjects.PaymentCreated, { id: oid(), orderId: payOrder, userId: oid(), amountMinor: 3998, version: 0 }),
  makeEvent(Subjects.OrderCreated, {
    id: oid(),
    userId: oid(),
    status: 'created',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    items: [{ productId: product.id, quantity: 1, title: 'Lamp', priceMinor: 1999 }],
    totalMinor: 1999,
    version: 0,
  }),
  makeEvent(Subjects.OrderCancelled, { id: payOrder, userId: oid(), reason: 'buyer', items: [{ productId: product.id, quantity: 2 }], version: 1 }),
];
const goodFor = (subject: Subject) => all().find((e) => e.subject === subject)!;
const others = (subject: Subject) => all().filter((e) => e.subject !== subject);
const productIds: string[][] = [['id'], ['data', 'id'], ['data', 'userId']];
const order = (id: string) => models.Order.findById(id).lean();

describe('orders: hostile events are dead-lettered, change nothing, and the service keeps consuming', () => {
  it('product.created', async () => {
    await attack(Subjects.ProductCreated, goodFor(Subjects.ProductCreated), others(Subjects.ProductCreated), productIds);
    const id = oid();
    await bus.publish(productEvent(Subjects.ProductCreated, id, 0));
    expect(await eventually(() => models.ProductReplica.findById(id).lean())).toMatchObject({ version: 0, quantity: 12 });
  }, 90_000);

  it('product.updated', async () => {
    await attack(Subjects.ProductUpdated, goodFor(Subjects.ProductUpdated), others(Subjects.ProductUpdated), productIds);
    await bus.publish(productEvent(Subjects.ProductUpdated, product.id, 1));
    await eventually(async () => (await models.ProductReplica.findById(product.id).lean())?.version === 1);
  }, 90_000);

  it('expiration.complete', async () => {
    await attack(Subjects.ExpirationComplete, goodFor(Subjects.ExpirationComplete), others(Subjects.ExpirationComplete), [['id'], ['data', 'orderId']]);
    expect(await order(expireOrder)).toMatchObject({ status: 'created' });
    await bus.publish(makeEvent(Subjects.ExpirationComplete, { orderId: expireOrder, version: 0 }));
    await eventually(async () => (await order(expireOrder))?.status === 'cancelled');
  }, 90_000);

  it('payment.created', async () => {
    await attack(Subjects.PaymentCreated, goodFor(Subjects.PaymentCreated), others(Subjects.PaymentCreated), [['id'], ['data', 'id'], ['data', 'orderId'], ['data', 'userId']]);
    expect(await order(payOrder)).toMatchObject({ status: 'created' });
    await bus.publish(goodFor(Subjects.PaymentCreated));
    await eventually(async () => (await order(payOrder))?.status === 'complete');
  }, 90_000);
});
