import { randomBytes } from 'node:crypto';
import { createLogger, EventBus, makeEvent, Subjects, type EventData, type Listener, type Subject } from '@jetmart/common';
import { eventually, useTestBus } from '@jetmart/common/testing';
import { expirationListeners } from '../listeners';

const logger = createLogger('expiration-test', { level: 'silent' });

let bus: EventBus;
const running: Listener<Subject>[] = [];
const extraBuses: EventBus[] = [];

// Each test starts from empty streams and no durable.
const jet = useTestBus({
  name: 'expiration-test',
  logger,
  freshStreams: ['ORDERS', 'EXPIRATION', 'DEADLETTER'],
  beforeDrain: async () => {
    await Promise.all(running.splice(0).map((l) => l.stop()));
    await Promise.all(extraBuses.splice(0).map((b) => b.drain()));
  },
});
beforeEach(() => {
  bus = jet.bus;
});

async function startListener(opts: { maxHoldMs?: number; on?: EventBus } = {}) {
  const l = expirationListeners(opts.on ?? bus, { maxHoldMs: opts.maxHoldMs ?? 60_000 }, { backoffMs: 50 }).find(
    (x) => x.subject === Subjects.OrderCreated,
  )!;
  await l.start();
  running.push(l);
  return l;
}

function order(expiresInMs: number): EventData<typeof Subjects.OrderCreated> {
  return {
    id: randomBytes(12).toString('hex'),
    userId: 'buyer',
    status: 'created',
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    items: [{ productId: 'p', quantity: 1, title: 'T', priceMinor: 100 }],
    totalMinor: 100,
    version: 0,
  };
}

/** Every expiration.complete in the stream: orderId → {count, stored at}. */
async function expirations(): Promise<Map<string, { count: number; time: Date; version: number }>> {
  const info = await bus.jsm.streams.info('EXPIRATION');
  const out = new Map<string, { count: number; time: Date; version: number }>();
  if (info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage('EXPIRATION', { seq });
    const e = m!.json<{ data: { orderId: string; version: number } }>();
    const seen = out.get(e.data.orderId);
    out.set(e.data.orderId, { count: (seen?.count ?? 0) + 1, time: m!.time, version: e.data.version });
  }
  return out;
}

const deadLettered = async () => (await bus.jsm.streams.info('DEADLETTER')).state.messages;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('expiration scheduling on JetStream', () => {
  it('publishes expiration.complete at expiresAt, not before, with the order version', async () => {
    await startListener();
    const o = order(1_500);
    await bus.publish(makeEvent(Subjects.OrderCreated, o));
    await sleep(700);
    expect((await expirations()).size).toBe(0);
    const fired = await eventually(async () => (await expirations()).get(o.id), 10_000);
    expect(fired.count).toBe(1);
    expect(fired.version).toBe(0);
    expect(fired.time.getTime()).toBeGreaterThanOrEqual(new Date(o.expiresAt).getTime());
  });

  it('fires at once for an order that has already expired', async () => {
    await startListener();
    const o = order(-1_000);
    const sent = Date.now();
    await bus.publish(makeEvent(Subjects.OrderCreated, o));
    const fired = await eventually(async () => (await expirations()).get(o.id), 5_000);
    expect(fired.time.getTime() - sent).toBeLessThan(2_000);
  });

  it('holds past many capped waits without dead-lettering, then fires once', async () => {
    await startListener({ maxHoldMs: 150 });
    const o = order(2_500);
    await bus.publish(makeEvent(Subjects.OrderCreated, o));
    const fired = await eventually(async () => (await expirations()).get(o.id), 10_000);
    await sleep(500);
    expect((await expirations()).get(o.id)!.count).toBe(1);
    expect(fired.time.getTime()).toBeGreaterThanOrEqual(new Date(o.expiresAt).getTime());
    expect(await deadLettered()).toBe(0);
    // The durable is done with it: nothing pending, nothing waiting (the ack follows the publish,
    // so on a loaded machine it may land a moment after the expiration is seen).
    const settled = async () => {
      const info = await bus.jsm.consumers.info('ORDERS', 'expiration-order-created');
      return info.num_ack_pending + info.num_pending === 0 || undefined;
    };
    await eventually(settled, 10_000);
    expect((await expirations()).get(o.id)!.count).toBe(1);
  });

  it('an order.created delivered twice (two event ids) still expires once', async () => {
    await startListener();
    const o = order(300);
    await bus.publish(makeEvent(Subjects.OrderCreated, o));
    await bus.publish(makeEvent(Subjects.OrderCreated, o));
    await eventually(
      async () => (await bus.jsm.consumers.info('ORDERS', 'expiration-order-created')).num_ack_pending === 0 || undefined,
      10_000,
    );
    expect((await expirations()).get(o.id)!.count).toBe(1);
  });

  it('two replicas on the shared durable fire each of 40 orders once', async () => {
    const other = await EventBus.connect({ servers: jet.nats.url, name: 'expiration-replica-2', logger });
    extraBuses.push(other);
    await startListener();
    await startListener({ on: other });
    const orders = Array.from({ length: 40 }, (_, i) => order(500 + (i % 5) * 200));
    await Promise.all(orders.map((o) => bus.publish(makeEvent(Subjects.OrderCreated, o))));
    await eventually(async () => (await expirations()).size === 40 || undefined, 15_000);
    await sleep(500);
    const all = await expirations();
    expect([...all.values()].every((e) => e.count === 1)).toBe(true);
    expect(orders.every((o) => all.has(o.id))).toBe(true);
  });

  it('survives a stop with expiries pending: they fire once after the restart, also those due while it was down', async () => {
    const first = await startListener();
    const orders = [...Array.from({ length: 10 }, () => order(800)), ...Array.from({ length: 10 }, () => order(4_000))];
    await Promise.all(orders.map((o) => bus.publish(makeEvent(Subjects.OrderCreated, o))));
    await eventually(async () => (await bus.jsm.consumers.info('ORDERS', 'expiration-order-created')).num_ack_pending === 20 || undefined);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    await sleep(1_500);
    expect((await expirations()).size).toBe(0);

    await startListener();
    await eventually(async () => (await expirations()).size === 20 || undefined, 15_000);
    await sleep(500);
    const all = await expirations();
    expect([...all.values()].every((e) => e.count === 1)).toBe(true);
    for (const o of orders) expect(all.get(o.id)!.time.getTime()).toBeGreaterThanOrEqual(new Date(o.expiresAt).getTime());
  });
});
