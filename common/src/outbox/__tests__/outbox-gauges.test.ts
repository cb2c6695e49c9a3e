import mongoose, { Schema } from 'mongoose';
import {
  createLogger,
  EventBus,
  OutboxRelay,
  outboxBacklog,
  outboxOldestAgeSeconds,
  outboxPlugin,
  recordEvent,
  Subjects,
  type OutboxEntry,
} from '../..';
import { startNats, useTestDatabase, type NatsTestServer } from '../../testing';
import { installDatabasePlugins, modelOn } from '../../database';

// The models below are built at load time, before useTestDatabase() runs.
installDatabasePlugins(mongoose.connection);

/** The outbox gauges while NATS refuses publishes: they show the backlog, and only full scans set them. */
const logger = createLogger('test', { level: 'silent' });
interface Gadget {
  title: string;
  version: number;
  outbox: OutboxEntry[];
}
const schema = new Schema<Gadget>({ title: String }, { optimisticConcurrency: true, versionKey: 'version' });
schema.plugin(outboxPlugin);
const Gadget = modelOn<mongoose.Model<Gadget>>(mongoose.connection, 'OutboxGaugeGadget', schema);

useTestDatabase();
let nats: NatsTestServer;
let bus: EventBus;
beforeAll(async () => {
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'test', logger });
});
afterAll(async () => {
  await bus.drain();
  await nats.destroy();
});

const gauge = async (g: typeof outboxBacklog) => (await g.get()).values[0]?.value;

it('reports the unpublished backlog and its age when publishing fails, keeps it through partial passes, and clears it once published', async () => {
  const relay = new OutboxRelay(bus, [Gadget], { logger });
  for (const title of ['a', 'b']) {
    const doc = new Gadget({ title });
    recordEvent(doc, Subjects.ProductCreated, { id: doc.id, title, priceMinor: 100, quantity: 1, userId: 'u', version: 0 });
    await doc.save();
  }
  // No PRODUCTS stream: JetStream refuses the publish (as when NATS is unreachable).
  await bus.jsm.streams.delete('PRODUCTS').catch(() => undefined);
  await new Promise((r) => setTimeout(r, 20));
  await expect(relay.pass({ full: true })).rejects.toThrow();
  expect(await gauge(outboxBacklog)).toBe(2);
  expect(await gauge(outboxOldestAgeSeconds)).toBeGreaterThan(0);
  // A pass over only this process's own writes must not reset the gauges to its partial view.
  await relay.pass().catch(() => undefined);
  expect(await gauge(outboxBacklog)).toBe(2);

  await bus.ensureStreams();
  expect(await relay.flush()).toBe(2);
  expect(await gauge(outboxBacklog)).toBe(0);
  expect(await gauge(outboxOldestAgeSeconds)).toBe(0);
});
