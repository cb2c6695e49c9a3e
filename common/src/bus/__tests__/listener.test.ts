import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  createLogger,
  DeadLetterHeaders,
  EventBus,
  eventDeliverySeconds,
  Listener,
  makeEvent,
  RetryLater,
  Streams,
  Subjects,
  type EventData,
  type ListenerOptions,
  type MessageContext,
} from '../..';
import { eventually, readStream, useTestBus } from '../../testing';

type S = typeof Subjects.ProductCreated;
const logger = createLogger('test', { level: 'silent' });

/** A listener whose behaviour each test sets. */
class RecordingListener extends Listener<S> {
  readonly subject = Subjects.ProductCreated;
  readonly seen: Array<{ title: string; delivery: number; at: number }> = [];
  constructor(
    bus: EventBus,
    service: string,
    private readonly behave: (data: EventData<S>, ctx: MessageContext<S>) => Promise<void> = async () => undefined,
    opts: ListenerOptions = {},
  ) {
    super(bus, service, { backoffMs: 100, ...opts });
  }
  async onMessage(data: EventData<S>, ctx: MessageContext<S>) {
    this.seen.push({ title: data.title, delivery: ctx.deliveryCount, at: Date.now() });
    await this.behave(data, ctx);
  }
}

/** Keyed by the title's first letter, for the ordering-key tests. */
class FirstLetterKeyedListener extends RecordingListener {
  protected orderingKey(data: unknown) {
    const title = (data as { title?: unknown } | null)?.title;
    return typeof title === 'string' ? title[0] : undefined;
  }
}

const product = (title: string, version = 0) =>
  makeEvent(Subjects.ProductCreated, { id: `p-${title}`, title, priceMinor: 100, quantity: 1, userId: 'u', version });

const deadLetters = async (bus: EventBus) =>
  (await readStream(bus, 'DEADLETTER')).map((m) => ({ subject: m.subject, headers: m.header, body: m.string() }));

describe('event bus over real JetStream', () => {
  let bus: EventBus;
  const started: Listener<S>[] = [];
  const listen = async <L extends Listener<S>>(l: L): Promise<L> => {
    await l.start();
    started.push(l);
    return l;
  };

  // Fresh streams per test: delete and recreate.
  const jet = useTestBus({
    name: 'test',
    logger,
    freshStreams: ['PRODUCTS', 'DEADLETTER'],
    beforeDrain: () => Promise.all(started.splice(0).map((l) => l.stop())),
  });
  beforeEach(() => {
    bus = jet.bus;
  });

  it('creates streams idempotently', async () => {
    await bus.ensureStreams();
    await bus.ensureStreams();
    const names = [];
    for await (const s of bus.jsm.streams.list()) names.push(s.config.name);
    // Each declared stream once (a second ensure neither fails nor duplicates), among them the v2 ones.
    expect(names.sort()).toEqual(
      Object.values(Streams)
        .map((s) => s.name)
        .sort(),
    );
    expect(names).toEqual(expect.arrayContaining(['RETURNS', 'SHIPMENTS', 'USERS']));
  });

  it('delivers one event to the durables of two services', async () => {
    const orders = await listen(new RecordingListener(bus, 'orders'));
    const payments = await listen(new RecordingListener(bus, 'payments'));
    await bus.publish(product('lamp'));
    await eventually(() => orders.seen.length === 1 && payments.seen.length === 1);
    expect(orders.durableName).toBe('orders-product-created');
    expect(payments.durableName).toBe('payments-product-created');
  });

  it('shares one durable among the replicas of a service: each message is handled once', async () => {
    const slow = async () => new Promise<void>((r) => setTimeout(r, 5));
    const a = await listen(new RecordingListener(bus, 'orders', slow));
    const b = await listen(new RecordingListener(bus, 'orders', slow));
    const n = 60;
    await Promise.all(Array.from({ length: n }, (_, i) => bus.publish(product(`t${i}`))));
    await eventually(() => a.seen.length + b.seen.length >= n);
    await new Promise((r) => setTimeout(r, 300));
    const titles = [...a.seen, ...b.seen].map((s) => s.title);
    expect(titles).toHaveLength(n);
    expect(new Set(titles).size).toBe(n);
    // Both replicas did work (the durable really is shared, not copied).
    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
    const consumers = [];
    for await (const c of bus.jsm.consumers.list('PRODUCTS')) consumers.push(c.name);
    expect(consumers).toEqual(['orders-product-created']);
  });

  it('drops a duplicate publish with the same event id', async () => {
    const l = await listen(new RecordingListener(bus, 'orders'));
    const e = product('dup');
    const first = await bus.publish(e);
    const second = await bus.publish(e);
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect((await bus.jsm.streams.info('PRODUCTS')).state.messages).toBe(1);
    await eventually(() => l.seen.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(l.seen).toHaveLength(1);
  });

  it('retries a failing handler with growing back-off, then dead-letters it', async () => {
    const l = await listen(
      new RecordingListener(
        bus,
        'orders',
        async () => {
          throw new Error('boom');
        },
        { maxDeliveries: 4, backoffMs: 100 },
      ),
    );
    await bus.publish(product('bad'));
    await eventually(async () => (await deadLetters(bus)).length === 1, 15_000);
    expect(l.seen.map((s) => s.delivery)).toEqual([1, 2, 3, 4]);
    const gaps = l.seen.slice(1).map((s, i) => s.at - l.seen[i].at);
    // nak delays 100, 200, 400 ms: each wait at least its delay, and growing.
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
    const [dl] = await deadLetters(bus);
    expect(dl.subject).toBe('deadletter.orders-product-created');
    expect(dl.headers.get(DeadLetterHeaders.error)).toBe('boom');
    expect(dl.headers.get(DeadLetterHeaders.subject)).toBe('product.created');
    expect(dl.headers.get(DeadLetterHeaders.deliveries)).toBe('4');
    expect(JSON.parse(dl.body).data.title).toBe('bad');
    // Terminated: not delivered again.
    await new Promise((r) => setTimeout(r, 1000));
    expect(l.seen).toHaveLength(4);
  });

  it('times every applied event from its occurrence, also one applied only on a later delivery', async () => {
    const stage = async (name: string) => {
      const v = (await eventDeliverySeconds.get()).values;
      const of = (metric: string) =>
        v.find((x) => x.metricName === metric && x.labels.subject === 'product.created' && x.labels.stage === name)?.value ?? 0;
      return { count: of('jetmart_event_delivery_seconds_count'), sum: of('jetmart_event_delivery_seconds_sum') };
    };
    const [appliedBefore, consumeBefore] = [await stage('applied'), await stage('consume')];
    const l = await listen(
      new RecordingListener(bus, 'orders', async (d, ctx) => {
        if (d.title === 'late' && ctx.deliveryCount === 1) throw new Error('not yet');
      }),
    );
    await bus.publish(product('at-once'));
    await bus.publish(product('late'));
    await eventually(() => l.seen.length === 3);
    await eventually(async () => (await stage('applied')).count === appliedBefore.count + 2);
    // The first delivery's stages count only what succeeded on its first delivery.
    expect((await stage('consume')).count).toBe(consumeBefore.count + 1);
    // The late one waited its 100 ms back-off, and the applied stage includes the wait.
    expect((await stage('applied')).sum - appliedBefore.sum).toBeGreaterThanOrEqual(0.09);
  });

  it('recovers when a handler fails only transiently', async () => {
    let calls = 0;
    const l = await listen(
      new RecordingListener(bus, 'orders', async () => {
        if (++calls < 3) throw new Error('database hiccup');
      }),
    );
    await bus.publish(product('flaky'));
    await eventually(() => l.seen.length === 3);
    await new Promise((r) => setTimeout(r, 500));
    expect(l.seen).toHaveLength(3);
    expect(await deadLetters(bus)).toHaveLength(0);
  });

  it.each([
    ['one message at a time', false],
    ['four at once with an ordering key', true],
  ])('sends a malformed payload straight to the dead-letter stream (%s)', async (_, keyed) => {
    const l = await listen(
      keyed ? new FirstLetterKeyedListener(bus, 'orders', undefined, { concurrency: 4 }) : new RecordingListener(bus, 'orders'),
    );
    await bus.js.publish('product.created', 'not json at all');
    await bus.js.publish('product.created', JSON.stringify({ ...product('x'), data: { title: 42 } }));
    // A key can be read from this one (its title), but it is not a product.created.
    await bus.js.publish('product.created', JSON.stringify({ ...product('x'), data: { title: 'x', priceMinor: 'free' } }));
    await eventually(async () => (await deadLetters(bus)).length === 3);
    const dls = await deadLetters(bus);
    expect(dls.every((d) => d.headers.get(DeadLetterHeaders.error)?.startsWith('invalid event'))).toBe(true);
    expect(dls.every((d) => d.headers.get(DeadLetterHeaders.deliveries) === '1')).toBe(true);
    expect(l.seen).toHaveLength(0);
    // The listener keeps serving.
    await bus.publish(product('after'));
    await eventually(() => l.seen.length === 1);
  });

  it('keeps RetryLater messages waiting without counting them as failures', async () => {
    let ready = false;
    const l = await listen(
      new RecordingListener(
        bus,
        'orders',
        async () => {
          if (!ready) throw new RetryLater('earlier version missing', 50);
        },
        { maxDeliveries: 2 },
      ),
    );
    await bus.publish(product('later'));
    await eventually(() => l.seen.length >= 4);
    ready = true;
    await eventually(async () => {
      const info = await bus.jsm.consumers.info('PRODUCTS', 'orders-product-created');
      return info.num_ack_pending === 0 && info.num_pending === 0;
    });
    expect(await deadLetters(bus)).toHaveLength(0);
  });

  it('passes message headers (traceparent) through to the handler', async () => {
    let seen: string | undefined;
    await listen(
      new RecordingListener(bus, 'orders', async (_d, ctx) => {
        seen = ctx.msg.headers?.get('traceparent');
      }),
    );
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await bus.publish(product('traced'), { headers: { traceparent: tp } });
    await eventually(() => seen === tp);
  });

  it('loses nothing at shutdown: the in-flight message finishes, the rest go to the next instance', async () => {
    const handled: string[] = [];
    const slowA = new RecordingListener(
      bus,
      'orders',
      async (d) => {
        await new Promise((r) => setTimeout(r, 200));
        handled.push(`a:${d.title}`);
      },
      { ackWaitMs: 2000 },
    );
    await slowA.start();
    const n = 10;
    for (let i = 0; i < n; i++) await bus.publish(product(`s${i}`));
    await eventually(() => slowA.seen.length >= 1);
    await slowA.stop();
    // The message it had started was acked: finished, not abandoned.
    expect(handled.length).toBeGreaterThanOrEqual(1);
    const b = await listen(
      new RecordingListener(
        bus,
        'orders',
        async (d) => {
          handled.push(`b:${d.title}`);
        },
        { ackWaitMs: 2000 },
      ),
    );
    await eventually(() => new Set(handled.map((h) => h.slice(2))).size === n, 15_000);
    expect(b.seen.length).toBeGreaterThan(0);
    const info = await bus.jsm.consumers.info('PRODUCTS', 'orders-product-created');
    expect(info.num_pending + info.num_ack_pending).toBe(0);
  });

  it("with an ordering key, runs one key's messages in stream order and different keys at once", async () => {
    /** Keyed by the title's letter: a1, a2, a3 in order; b* and c* alongside. */
    class KeyedListener extends FirstLetterKeyedListener {
      running = 0;
      mostAtOnce = 0;
      readonly runningOfKey = new Map<string, number>();
      overlapsWithinKey = 0;
    }
    const l: KeyedListener = new KeyedListener(
      bus,
      'orders',
      async (d) => {
        const key = d.title[0];
        l.running++;
        l.mostAtOnce = Math.max(l.mostAtOnce, l.running);
        l.runningOfKey.set(key, (l.runningOfKey.get(key) ?? 0) + 1);
        if (l.runningOfKey.get(key)! > 1) l.overlapsWithinKey++;
        // Later messages of a key finish sooner: without the key they would overtake earlier ones.
        await new Promise((r) => setTimeout(r, 60 - Number(d.title.slice(1)) * 15));
        l.runningOfKey.set(key, l.runningOfKey.get(key)! - 1);
        l.running--;
      },
      { concurrency: 8 },
    );
    await listen(l);
    const titles = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2', 'c2', 'b3', 'c3'];
    for (const t of titles) await bus.publish(product(t));
    await eventually(() => l.seen.length === titles.length);
    const order = (key: string) => l.seen.map((s) => s.title).filter((t) => t[0] === key);
    expect([order('a'), order('b'), order('c')]).toEqual([
      ['a1', 'a2', 'a3'],
      ['b1', 'b2', 'b3'],
      ['c1', 'c2', 'c3'],
    ]);
    expect(l.overlapsWithinKey).toBe(0);
    // The keys did run at once: one at a time would never have had more than one running.
    expect(l.mostAtOnce).toBeGreaterThan(1);
  });

  it('without an ordering key, a later message may finish before an earlier one (what the key prevents)', async () => {
    const l = await listen(
      new RecordingListener(
        bus,
        'orders',
        async (d) => {
          await new Promise((r) => setTimeout(r, d.title === 'first' ? 150 : 0));
        },
        { concurrency: 8 },
      ),
    );
    const finished: string[] = [];
    const onMessage = l.onMessage.bind(l);
    l.onMessage = async (data, ctx) => {
      await onMessage(data, ctx);
      finished.push(data.title);
    };
    await bus.publish(product('first'));
    await bus.publish(product('second'));
    await eventually(() => finished.length === 2);
    expect(finished).toEqual(['second', 'first']);
  });

  it('parks a message whose dead-letter publish fails instead of dropping it', async () => {
    // No DEADLETTER stream: the dead-letter publish fails, so the message must stay pending.
    await bus.jsm.streams.delete('DEADLETTER');
    const l = await listen(new RecordingListener(bus, 'orders'));
    const h = natsHeaders();
    await bus.js.publish('product.created', 'garbage', { headers: h });
    await eventually(async () => (await bus.jsm.consumers.info('PRODUCTS', 'orders-product-created')).num_redelivered > 0, 10_000);
    await bus.ensureStreams();
    await eventually(async () => (await deadLetters(bus)).length === 1, 10_000);
    expect(l.seen).toHaveLength(0);
  });
});
