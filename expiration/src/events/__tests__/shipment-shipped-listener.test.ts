/**
 * The delivery-due timer (issue 14): expiration holds each shipment.shipped message on JetStream
 * until its autoDeliverAt and then publishes expiration.shipment-delivery-due once, through a real
 * nats-server, with the same TimerListener as order expiry.
 */
import { randomBytes } from 'node:crypto';
import { createLogger, EventBus, makeEvent, Streams, Subjects, type EventData, type Listener, type Subject } from '@jetmart/common';
import { eventually, readStream, useTestBus } from '@jetmart/common/testing';
import { deliveryDueEventId } from '../../models/timers';
import { expirationListeners } from '../listeners';

const logger = createLogger('expiration-shipment-test', { level: 'silent' });
const DURABLE = 'expiration-shipment-shipped';

let bus: EventBus;
const running: Listener<Subject>[] = [];
const extraBuses: EventBus[] = [];

const jet = useTestBus({
  name: 'expiration-shipment-test',
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

/** The shipment timer of a fresh expiration instance (its own connection when `on` is given). */
async function startTimer(opts: { maxHoldMs?: number; on?: EventBus } = {}) {
  const l = expirationListeners(opts.on ?? bus, { maxHoldMs: opts.maxHoldMs ?? 60_000 }, { backoffMs: 50 }).find(
    (x) => x.subject === Subjects.ShipmentShipped,
  )!;
  await l.start();
  running.push(l);
  return l;
}

async function stopTimer(l: Listener<Subject>) {
  await l.stop();
  running.splice(running.indexOf(l), 1);
}

function shipped(dueInMs: number, version = 1): EventData<typeof Subjects.ShipmentShipped> {
  const now = Date.now();
  return {
    id: randomBytes(12).toString('hex'),
    orderId: randomBytes(12).toString('hex'),
    sellerId: 'seller',
    buyerId: 'buyer',
    carrier: 'DHL',
    trackingNumber: 'JD0001',
    shippedAt: new Date(now).toISOString(),
    autoDeliverAt: new Date(now + dueInMs).toISOString(),
    version,
  };
}

interface Fired {
  count: number;
  time: Date;
  version: number;
  msgId: string;
}
/** Every delivery-due event in the EXPIRATION stream, by shipment id. */
async function fired(): Promise<Map<string, Fired>> {
  const out = new Map<string, Fired>();
  for (const m of await readStream(bus, Streams.expiration.name, { subject: Subjects.ShipmentDeliveryDue })) {
    const e = m.json<{ data: { shipmentId: string; version: number } }>();
    const seen = out.get(e.data.shipmentId);
    out.set(e.data.shipmentId, {
      count: (seen?.count ?? 0) + 1,
      time: m.time,
      version: e.data.version,
      msgId: m.header.get('Nats-Msg-Id'),
    });
  }
  return out;
}

const settled = async () => {
  const info = await bus.jsm.consumers.info(Streams.shipments.name, DURABLE);
  return info.num_ack_pending + info.num_pending === 0 || undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shipment delivery-due timer on JetStream', () => {
  it('publishes expiration.shipment-delivery-due at autoDeliverAt, not before, once, with the shipped version and a deterministic id', async () => {
    await startTimer();
    const s = shipped(1_500, 1);
    await bus.publish(makeEvent(Subjects.ShipmentShipped, s));
    await sleep(700);
    expect((await fired()).size).toBe(0);
    const due = await eventually(async () => (await fired()).get(s.id), 10_000);
    expect(due.time.getTime()).toBeGreaterThanOrEqual(new Date(s.autoDeliverAt).getTime());
    expect(due.version).toBe(1);
    expect(due.msgId).toBe(deliveryDueEventId(s.id, 1));
    await eventually(settled, 5_000);
    expect((await fired()).get(s.id)!.count).toBe(1);
    expect((await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages).toBe(0);
  });

  it('a shipment.shipped delivered twice (two event ids) fires once', async () => {
    await startTimer();
    const s = shipped(800);
    await bus.publish(makeEvent(Subjects.ShipmentShipped, s));
    await bus.publish(makeEvent(Subjects.ShipmentShipped, s));
    await eventually(async () => (await fired()).get(s.id), 10_000);
    await eventually(settled, 10_000);
    expect((await fired()).get(s.id)!.count).toBe(1);
  });

  it('holds past many capped waits without dead-lettering, then fires once', async () => {
    await startTimer({ maxHoldMs: 150 });
    const s = shipped(2_000);
    await bus.publish(makeEvent(Subjects.ShipmentShipped, s));
    const due = await eventually(async () => (await fired()).get(s.id), 10_000);
    expect(due.time.getTime()).toBeGreaterThanOrEqual(new Date(s.autoDeliverAt).getTime());
    await eventually(settled, 5_000);
    expect((await fired()).get(s.id)!.count).toBe(1);
    expect((await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages).toBe(0);
  });

  it('a restart before the due time still fires once after it (also a timer that came due while the service was down)', async () => {
    const first = await startTimer();
    const dueLater = shipped(5_000);
    const dueWhileDown = shipped(1_000);
    await bus.publish(makeEvent(Subjects.ShipmentShipped, dueLater));
    await bus.publish(makeEvent(Subjects.ShipmentShipped, dueWhileDown));
    // Both are held by the first instance, then it stops (a deploy) well before either is due.
    await eventually(async () => (await bus.jsm.consumers.info(Streams.shipments.name, DURABLE)).num_ack_pending === 2 || undefined);
    await stopTimer(first);
    await sleep(1_500);
    expect((await fired()).size).toBe(0);

    // A new instance on its own connection (a new process) takes the held messages over.
    const next = await EventBus.connect({ servers: jet.nats.url, name: 'expiration-restarted', logger });
    extraBuses.push(next);
    await startTimer({ on: next });
    await eventually(async () => (await fired()).size === 2 || undefined, 15_000);
    await eventually(settled, 5_000);
    const all = await fired();
    for (const s of [dueLater, dueWhileDown]) {
      expect(all.get(s.id)!.count).toBe(1);
      expect(all.get(s.id)!.time.getTime()).toBeGreaterThanOrEqual(new Date(s.autoDeliverAt).getTime());
    }
  });

  it('two replicas on the shared durable fire each of 20 timers once', async () => {
    const other = await EventBus.connect({ servers: jet.nats.url, name: 'expiration-replica-2', logger });
    extraBuses.push(other);
    await startTimer();
    await startTimer({ on: other });
    const shipments = Array.from({ length: 20 }, (_, i) => shipped(400 + (i % 4) * 200));
    await Promise.all(shipments.map((s) => bus.publish(makeEvent(Subjects.ShipmentShipped, s))));
    await eventually(async () => (await fired()).size === 20 || undefined, 15_000);
    await eventually(settled, 5_000);
    const all = await fired();
    expect(shipments.every((s) => all.get(s.id)?.count === 1)).toBe(true);
  });
});
