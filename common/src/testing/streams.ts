import type { StoredMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { createLogger, EventBus } from '..';
import { retryWhileFailingWith, startNats, type NatsTestServer } from './servers';

/**
 * Every message stored in `stream` (first to last sequence, deleted ones skipped); with `subject`,
 * only those on that subject.
 */
export async function readStream(bus: EventBus, stream: string, opts: { subject?: string } = {}): Promise<StoredMsg[]> {
  const info = await bus.jsm.streams.info(stream, opts.subject ? { subjects_filter: opts.subject } : undefined);
  const out: StoredMsg[] = [];
  if (info.state.messages === 0 || (opts.subject && !info.state.subjects?.[opts.subject])) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m && (!opts.subject || m.subject === opts.subject)) out.push(m);
  }
  return out;
}

export interface TestBus {
  /** The nats-server of this test file (started in beforeAll, destroyed in afterAll). */
  readonly nats: NatsTestServer;
  /** This test's bus (connected in beforeEach, drained in afterEach). */
  readonly bus: EventBus;
}

/**
 * One nats-server per test file and a fresh bus per test: before each test, connects, deletes
 * `freshStreams` (so each test starts from empty streams and no durables) and ensures the streams;
 * after each, runs `beforeDrain` (stop listeners, relays, extra buses) and drains the bus.
 */
export function useTestBus(opts: {
  name: string;
  logger?: Logger;
  freshStreams?: string[];
  beforeDrain?: () => Promise<unknown>;
}): TestBus {
  let nats: NatsTestServer | undefined;
  let bus: EventBus | undefined;
  const logger = opts.logger ?? createLogger(opts.name, { level: 'silent' });
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    await nats?.destroy();
  });
  beforeEach(async () => {
    bus = await EventBus.connect({ servers: nats!.url, name: opts.name, logger });
    for (const s of opts.freshStreams ?? []) await bus.jsm.streams.delete(s).catch(() => undefined);
    // Creating a stream again just after its delete was answered was once refused with "error
    // creating store for stream", both cores saturated (the ops suite under stress-ng):
    // nats-server had not finished with the old store. Tried again shortly.
    await retryWhileFailingWith(/error creating store for stream/, () => bus!.ensureStreams(), { attempts: 20, pauseMs: 100 });
  });
  afterEach(async () => {
    await opts.beforeDrain?.();
    await bus?.drain();
  });
  return {
    get nats() {
      if (!nats) throw new Error('useTestBus: the server is started in beforeAll');
      return nats;
    },
    get bus() {
      if (!bus) throw new Error('useTestBus: the bus is connected in beforeEach');
      return bus;
    },
  };
}
