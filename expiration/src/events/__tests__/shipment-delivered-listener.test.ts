/**
 * The return-window timer (issue 15): expiration holds each shipment.delivered message on JetStream
 * until its returnableUntil and then publishes expiration.return-window-closed once, through a real
 * nats-server, with the same TimerListener as order expiry and auto-delivery. A shipment.delivered
 * from before returns (no returnableUntil) starts no timer.
 */
import { randomBytes } from 'node:crypto';
import { createLogger, EventBus, makeEvent, Streams, Subjects, type EventData, type Listener, type Subject } from '@jetmart/common';
import { eventually, readStream, useTestBus } from '@jetmart/common/testing';
import { returnWindowClosedEventId } from '../../models/timers';
import { expirationListeners } from '../listeners';

const logger = createLogger('expiration-return-window-test', { level: 'silent' });
const DURABLE = 'expiration-shipment-delivered';

let bus: EventBus;
const running: Listener<Subject>[] = [];
const extraBuses: EventBus[] = [];

const jet = useTestBus({
  name: 'expiration-return-window-test',
  logger,
  freshStreams: [Streams.shipments.name, Streams.expiration.name, Streams.deadLetter.name],
  beforeDrain: async () => {
    await Promise.all(running.splice(0).map((l) => l.stop()));
    await Promise.all(extraBuses.splice(0).map((b) => b.drain()));
  },
});
beforeEach(() => {
  bus = jet.bus;
});

/** The return-window timer of a fresh expiration instance (its own connection when `on` is given). */
async function startTimer(opts: { maxHoldMs?: number; on?: EventBus } = {}) {
  const l = expirationListeners(opts.on ?? bus, { maxHoldMs: opts.maxHoldMs ?? 60_000 }, { backoffMs: 50 }).find(
    (x) => x.subject === Subjects.ShipmentDelivered,
  )!;
  await l.start();
  running.push(l);
  return l;
}

function delivered(closesInMs: number | undefined, version = 2): EventData<typeof Subjects.ShipmentDelivered> {
  const now = Date.now();
  return {
    id: randomBytes(12).toString('hex'),
    orderId: randomBytes(12).toString('hex'),
    sellerId: randomBytes(12).toString('hex'),
    buyerId: 'buyer',
    deliveredAt: new Date(now).toISOString(),
    by: 'buyer',
    ...(closesInMs === undefined ? {} : { returnableUntil: new Date(now + closesInMs).toISOString() }),
    version,
  };
}

interface Fired {
  count: number;
  time: Date;
  data: { shipmentId: string; orderId: string; sellerId: string; version: number };
  msgId: string;
}
/** Every return-window-closed event in the EXPIRATION stream, by shipment id. */
async function fired(): Promise<Map<string, Fired>> {
  const out = new Map<string, Fired>();
  for (const m of await readStream(bus, Streams.expiration.name, { subject: Subjects.ReturnWindowClosed })) {
    const e = m.json<{ data: Fired['data'] }>();
    const seen = out.get(e.data.shipmentId);
    out.set(e.data.shipmentId, { count: (seen?.count ?? 0) + 1, time: m.time, data: e.data, msgId: m.header.get('Nats-Msg-Id') });
  }
  return out;
}

const settled = async () => {
  const info = await bus.jsm.consumers.info(Streams.shipments.name, DURABLE);
  return info.num_ack_pending + info.num_pending === 0 || undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('return-window timer on JetStream', () => {
  it('publishes expiration.return-window-closed at returnableUntil, not before, once, with the delivered version and a deterministic id', async () => {
    await startTimer();
    const s = delivered(1_500, 2);
    await bus.publish(makeEvent(Subjects.ShipmentDelivered, s));
    await sleep(700);
    expect((await fired()).size).toBe(0);
    const closed = await eventually(async () => (await fired()).get(s.id), 10_000);
    expect(closed.time.getTime()).toBeGreaterThanOrEqual(new Date(s.returnableUntil!).getTime());
    expect(closed.data).toEqual({ shipmentId: s.id, orderId: s.orderId, sellerId: s.sellerId, version: 2 });
    expect(closed.msgId).toBe(returnWindowClosedEventId(s.id, 2));
    await eventually(settled, 5_000);
    expect((await fired()).get(s.id)!.count).toBe(1);
    expect((await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages).toBe(0);
  });

  it('a shipment.delivered delivered twice (two event ids) closes the window once', async () => {
    await startTimer();
    const s = delivered(800);
    await bus.publish(makeEvent(Subjects.ShipmentDelivered, s));
    await bus.publish(makeEvent(Subjects.ShipmentDelivered, s));
    await eventually(async () => (await fired()).get(s.id), 10_000);
    await eventually(settled, 10_000);
    expect((await fired()).get(s.id)!.count).toBe(1);
  });

  it('a shipment.delivered without returnableUntil (older events) starts no timer: acked, nothing published, nothing dead-lettered', async () => {
    await startTimer();
    const old = delivered(undefined);
    const current = delivered(300);
    await bus.publish(makeEvent(Subjects.ShipmentDelivered, old));
    await bus.publish(makeEvent(Subjects.ShipmentDelivered, current));
    // The later, current event fires; the old one was taken and acknowledged without a timer.
    await eventually(async () => (await fired()).get(current.id), 10_000);
    await eventually(settled, 5_000);
    expect((await fired()).has(old.id)).toBe(false);
    expect((await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages).toBe(0);
  });

  it('holds past many capped waits without dead-lettering, then closes once', async () => {
    await startTimer({ maxHoldMs: 150 });
    const s = delivered(1_500);
    await bus.publish(makeEvent(Subjects.ShipmentDelivered, s));
    const closed = await eventually(async () => (await fired()).get(s.id), 10_000);
    expect(closed.time.getTime()).toBeGreaterThanOrEqual(new Date(s.returnableUntil!).getTime());
    await eventually(settled, 5_000);
    expect((await fired()).get(s.id)!.count).toBe(1);
    expect((await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages).toBe(0);
  });

  it('two replicas on the shared durable close each of 20 windows once', async () => {
    const other = await EventBus.connect({ servers: jet.nats.url, name: 'expiration-return-window-replica-2', logger });
    extraBuses.push(other);
    await startTimer();
    await startTimer({ on: other });
    const shipments = Array.from({ length: 20 }, (_, i) => delivered(400 + (i % 4) * 200));
    await Promise.all(shipments.map((s) => bus.publish(makeEvent(Subjects.ShipmentDelivered, s))));
    await eventually(async () => (await fired()).size === 20 || undefined, 15_000);
    await eventually(settled, 5_000);
    const all = await fired();
    expect(shipments.every((s) => all.get(s.id)?.count === 1)).toBe(true);
  });
});
