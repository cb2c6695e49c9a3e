/** Test helpers of the ops service: its app on a test bus, and a real listener that dead-letters. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createLogger, Listener, Streams, Subjects, type EventBus, type EventData } from '@jetmart/common';
import { FAST_DEAD_LETTER, eventually, readStream, signinCookie, TEST_JWT_KEY, useTestBus, type TestBus } from '@jetmart/common/testing';
import { buildApp, type AppSettings } from '../app';

export const ADMIN_EMAIL = 'ops-admin@example.com';
/** Mixed case and spaces, as people write the variable: the check must not care. */
export const ADMIN_EMAILS = ` someone@example.com, ${ADMIN_EMAIL.toUpperCase()} `;
export const adminCookie = () => signinCookie({ email: ADMIN_EMAIL }, { key: TEST_JWT_KEY });
export const shopperCookie = () => signinCookie({ email: 'shopper@example.com' }, { key: TEST_JWT_KEY });

export const DURABLE = 'opstest-product-created';

/** A real product.created listener (durable `opstest-product-created`) that fails while `failing` is set. */
export class FlakyProductListener extends Listener<typeof Subjects.ProductCreated> {
  readonly subject = Subjects.ProductCreated;
  failing = true;
  readonly handled: EventData<typeof Subjects.ProductCreated>[] = [];
  constructor(bus: EventBus) {
    super(bus, 'opstest', FAST_DEAD_LETTER);
  }
  async onMessage(data: EventData<typeof Subjects.ProductCreated>): Promise<void> {
    if (this.failing) throw new Error('the handler is failing on purpose');
    this.handled.push(data);
  }
}

export interface OpsTestBed extends TestBus {
  app(settings?: Partial<AppSettings>): Express;
  /** The listener of this test, started on first use. */
  listener(): Promise<FlakyProductListener>;
  /** Publishes raw bytes on product.created and waits until the listener dead-letters them; resolves to the DEADLETTER seq. */
  deadLetter(payload: string): Promise<number>;
}

export function useOps(name: string): OpsTestBed {
  let listener: Promise<FlakyProductListener> | undefined;
  const testBus = useTestBus({
    name,
    freshStreams: Object.values(Streams).map((s) => s.name),
    beforeDrain: async () => {
      await (await listener)?.stop();
      listener = undefined;
    },
  });
  const logger = createLogger(name, { level: 'silent' });
  const started = async () => {
    const l = new FlakyProductListener(testBus.bus);
    await l.start();
    return l;
  };
  return {
    get nats() {
      return testBus.nats;
    },
    get bus() {
      return testBus.bus;
    },
    app: (settings = {}) =>
      buildApp(
        { logger, isReady: () => true, bus: testBus.bus },
        {
          JWT_KEY: TEST_JWT_KEY,
          JWT_TTL_SECONDS: 3600,
          ADMIN_EMAILS: new Set(ADMIN_EMAILS.split(',').map((e) => e.trim().toLowerCase())),
          NATS_MONITOR_URL: testBus.nats.monitorUrl,
          OPS_SERVICE_URLS: [],
          ...settings,
        },
      ),
    listener: () => (listener ??= started()),
    deadLetter: async (payload) => {
      await (listener ??= started());
      const before = new Set((await readStream(testBus.bus, Streams.deadLetter.name)).map((m) => m.seq));
      await testBus.bus.js.publish(Subjects.ProductCreated, new TextEncoder().encode(payload));
      let seq = 0;
      await eventually(async () => {
        const fresh = (await readStream(testBus.bus, Streams.deadLetter.name)).find((m) => !before.has(m.seq));
        seq = fresh?.seq ?? 0;
        return seq > 0;
      }, 15_000);
      return seq;
    },
  };
}

/** An HTTP server whose /readyz answers `status`; closed by the returned function. */
export async function readyzServer(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/readyz' ? status : 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}
