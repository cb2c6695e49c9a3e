/**
 * Hostile events (SPEC invariant 6): malformed payloads published as raw bytes on a subject a
 * service consumes, through a real nats-server and the service's real listeners. Every one must end
 * in DEADLETTER (`deadletter.<durable>`), leave the consumer with nothing pending and change
 * nothing (what "nothing" is, the service says with a snapshot).
 *
 * Needs `fast-check` (an optional peer dependency of @jetmart/common).
 */
import fc from 'fast-check';
import type { Logger } from 'pino';
import type mongoose from 'mongoose';
import {
  createLogger,
  DeadLetterHeaders,
  EventBus,
  parseEvent,
  Streams,
  type Event,
  type Listener,
  type ListenerOptions,
  type Subject,
} from '..';
import { eventually } from './eventually';
import { startNats, type NatsTestServer } from './servers';
import { readStream } from './streams';

type Json = Record<string, unknown>;

/** Seed and payloads per subject of the hostile-events tests (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS). */
export const HOSTILE_EVENTS_SEED = Number(process.env.HOSTILE_EVENTS_SEED ?? 20240609);
export const HOSTILE_EVENTS_RUNS = Number(process.env.HOSTILE_EVENTS_RUNS ?? 50);

/** Listener options that dead-letter a failing message quickly. */
export const FAST_DEAD_LETTER: ListenerOptions = { backoffMs: 50, maxBackoffMs: 200, maxDeliveries: 3, ackWaitMs: 5_000 };

const operators: unknown[] = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { $in: [] }, { $exists: true }];
/** Values no field of any event schema accepts (every field is a string, number or non-empty array). */
const wrongValue = fc.constantFrom<unknown>(
  ...operators,
  null,
  true,
  false,
  [],
  [{ $gt: '' }],
  {},
  JSON.parse('{"__proto__":{"polluted":1}}'),
);
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
 * Whether a generated payload is, by chance, a valid event of `subject` (an optional field removed,
 * `[]` for a list that may be empty, `true` for a boolean): such a payload is not hostile and the
 * listener rightly handles it, so it is left out of the attack.
 */
function isValidEvent(payload: Uint8Array, subject: Subject): boolean {
  try {
    parseEvent(JSON.parse(new TextDecoder().decode(payload)), subject);
    return true;
  } catch {
    return false;
  }
}

/**
 * One hostile payload (raw bytes) for a subject whose valid event is `good`: not JSON, random JSON,
 * a required field missing, a wrong type or NoSQL operator, a huge id (`idPaths`: the fields with
 * the 128-character id limit), bad numbers and dates, `others` (valid events of other subjects) or
 * an unknown subject in the envelope.
 */
export function hostileEventPayload(good: Event, idPaths: string[][], others: Event[]): fc.Arbitrary<Uint8Array> {
  const g = good as unknown as Json;
  const paths = fieldPaths(g);
  return fc.oneof(
    // not JSON at all: random bytes between '{' and an invalid UTF-8 byte
    fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0x7b, ...b, 0xff])),
    fc.constantFrom('', 'null', '[]', '"order"', '{"id":', '\u0000', 'undefined', '{"$gt": ""}').map(encode),
    // random JSON of any shape
    fc.jsonValue({ maxDepth: 4 }).map(encode),
    // a required field missing
    fc.constantFrom(...paths).map((p) => encode(setPath(g, p, undefined, true))),
    // a field of the wrong type, or a NoSQL operator object
    fc.tuple(fc.constantFrom(...paths), wrongValue).map(([p, v]) => encode(setPath(g, p, v))),
    // a huge id
    fc.tuple(fc.constantFrom(...idPaths), fc.integer({ min: 129, max: 200_000 })).map(([p, n]) => encode(setPath(g, p, 'x'.repeat(n)))),
    // bad numbers and dates
    fc
      .tuple(
        fc.constantFrom<string[]>(['data', 'version'], ...paths.filter((p) => /quantity|Minor$/.test(p[p.length - 1]))),
        fc.constantFrom<unknown>(-1, 0.5, '1', 1e300 * -1),
      )
      .map(([p, v]) => encode(setPath(g, p, v))),
    fc.constantFrom('yesterday', '2024-13-45T00:00:00Z', '', 0).map((d) => encode(setPath(g, ['occurredAt'], d))),
    // a valid event of another subject, or an unknown subject, in the envelope
    fc.constantFrom(...(others as unknown as Json[])).map(encode),
    fc
      .constantFrom('order.*', 'order.created ', 'ORDER.CREATED', 'deadletter.x', 'product.deleted')
      .map((s) => encode({ ...g, subject: s })),
  );
}

/** Publishes each payload as raw bytes on `subject`; resolves to their stream sequences. */
export async function publishRaw(bus: EventBus, subject: string, payloads: Uint8Array[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const p of payloads) seqs.push((await bus.js.publish(subject, p)).seq);
  return seqs;
}

/** Original stream sequences of the messages dead-lettered by `durable` (`deadletter.<durable>`). */
export async function deadLetteredSequences(bus: EventBus, durable: string): Promise<Set<number>> {
  const msgs = await readStream(bus, Streams.deadLetter.name, { subject: `deadletter.${durable}` });
  return new Set(msgs.map((m) => Number(m.header.get(DeadLetterHeaders.sequence))));
}

/**
 * Waits until every one of `seqs` (published `payloads`, same order) is in `deadletter.<durable>`;
 * otherwise fails naming how many are missing and showing a few.
 */
export async function waitForDeadLetters(
  bus: EventBus,
  durable: string,
  seqs: number[],
  payloads: Uint8Array[],
  what = durable,
  timeoutMs = 30_000,
): Promise<void> {
  const missing = async () => {
    const dl = await deadLetteredSequences(bus, durable);
    return seqs.filter((s) => !dl.has(s));
  };
  await eventually(async () => (await missing()).length === 0, timeoutMs, 200).catch(async () => {
    const left = await missing();
    const shown = left.slice(0, 5).map((s) => new TextDecoder().decode(payloads[seqs.indexOf(s)]).slice(0, 300));
    throw new Error(
      `${left.length}/${seqs.length} hostile ${what} payloads not dead-lettered (seed ${HOSTILE_EVENTS_SEED}), e.g. ${JSON.stringify(shown)}`,
    );
  });
}

/** The listener's durable has nothing left to deliver and nothing awaiting an ack. */
export async function assertConsumerDrained(bus: EventBus, listener: Listener<Subject>): Promise<void> {
  const consumer = await bus.jsm.consumers.info(listener.streamName, listener.durableName);
  expect(consumer.num_pending + consumer.num_ack_pending).toBe(0);
}

/** Every document of `models` (timestamps left out), as one string to compare before and after. */
export async function snapshotModels(models: object): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(models))
    out[name] = await (m as mongoose.Model<unknown>).find({}, { createdAt: 0, updatedAt: 0 }).sort({ _id: 1 }).lean();
  return JSON.stringify(out);
}

export interface HostileEventsOptions {
  /** Connection name of the test's bus. */
  name: string;
  /** The service's real listeners on `bus` (pass `opts` on, so failures dead-letter quickly). */
  listeners: (bus: EventBus, opts: ListenerOptions) => Listener<Subject>[];
  /** The state a wrongly applied event would change, as a string (e.g. `snapshotModels(models)`). */
  snapshot: (bus: EventBus) => Promise<string>;
  logger?: Logger;
}

export interface HostileEvents {
  /** The bus the listeners consume from (set in beforeAll). */
  readonly bus: EventBus;
  readonly listeners: Listener<Subject>[];
  /**
   * Publishes HOSTILE_EVENTS_RUNS hostile payloads (seed HOSTILE_EVENTS_SEED) derived from `good` on
   * `subject`; every one must be dead-lettered, the consumer drained, and the snapshot unchanged.
   */
  attack(subject: Subject, good: Event, others: Event[], idPaths: string[][]): Promise<void>;
}

/**
 * Registers beforeAll/afterAll that start a nats-server, connect a bus, ensure the streams and start
 * the service's listeners (stopped, drained and destroyed after all). Register the beforeAll that
 * seeds existing state before calling this.
 */
export function useHostileEvents(opts: HostileEventsOptions): HostileEvents {
  let nats: NatsTestServer | undefined;
  let bus: EventBus | undefined;
  let listeners: Listener<Subject>[] = [];
  const logger = opts.logger ?? createLogger(opts.name, { level: 'silent' });
  beforeAll(async () => {
    nats = await startNats();
    bus = await EventBus.connect({ servers: nats.url, name: opts.name, logger });
    await bus.ensureStreams();
    listeners = opts.listeners(bus, { ...FAST_DEAD_LETTER });
    for (const l of listeners) await l.start();
  }, 60_000);
  afterAll(async () => {
    for (const l of listeners) await l.stop();
    await bus?.drain();
    await nats?.destroy();
  });
  const connected = (): EventBus => {
    if (!bus) throw new Error('useHostileEvents: the bus is connected in beforeAll');
    return bus;
  };
  return {
    get bus() {
      return connected();
    },
    get listeners() {
      return listeners;
    },
    async attack(subject, good, others, idPaths) {
      const b = connected();
      const listener = listeners.find((l) => l.subject === subject);
      if (!listener) throw new Error(`no listener for ${subject}`);
      const before = await opts.snapshot(b);
      const payloads = fc
        .sample(hostileEventPayload(good, idPaths, others), { seed: HOSTILE_EVENTS_SEED, numRuns: HOSTILE_EVENTS_RUNS })
        .filter((p) => !isValidEvent(p, subject));
      const seqs = await publishRaw(b, subject, payloads);
      await waitForDeadLetters(b, listener.durableName, seqs, payloads, subject);
      await assertConsumerDrained(b, listener);
      expect(await opts.snapshot(b)).toBe(before);
    },
  };
}
