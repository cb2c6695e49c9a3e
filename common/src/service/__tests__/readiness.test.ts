/**
 * /readyz of a service started by startService: 503 while its durable consumers are not bound yet
 * (here: a listener whose bind waits for the test; in life, a JetStream election), 200 once they
 * are, and events published meanwhile reach the listener once bound.
 */
import http from 'node:http';
import { createApp, createLogger, EventBus, Listener, makeEvent, startService, Subjects, type EventData, type RunningService } from '../..';
import { eventually, freePort, startNats, TEST_JWT_KEY, type NatsTestServer } from '../../testing';

type S = typeof Subjects.ProductCreated;
const logger = createLogger('readiness-test', { level: 'silent' });

/** Its start waits for `bind` (the test opens it); fails once first when `failFirst`, like a timed-out JetStream API. */
class GatedListener extends Listener<S> {
  readonly subject = Subjects.ProductCreated;
  readonly titles: string[] = [];
  starts = 0;
  constructor(
    bus: EventBus,
    private readonly bind: Promise<void>,
    private readonly failFirst = false,
  ) {
    super(bus, 'readiness');
  }
  override async start() {
    this.starts++;
    await this.bind;
    if (this.failFirst && this.starts === 1) throw new Error('JetStream API timeout (simulated)');
    await super.start();
  }
  async onMessage(data: EventData<S>) {
    this.titles.push(data.title);
  }
}

let nats: NatsTestServer;
let running: RunningService | undefined;
beforeAll(async () => {
  nats = await startNats();
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(async () => {
  await nats?.destroy();
});

const readyz = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
const healthz = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

it.each([
  ['binds at the first try', false],
  ['binds after a failed first try (retried, not fatal)', true],
])(
  '/readyz is 503 until the listeners are bound, then 200 (%s)',
  async (_name, failFirst) => {
    let open!: () => void;
    const bind = new Promise<void>((r) => (open = r));
    let listener: GatedListener | undefined;
    const port = await freePort();
    const starting = startService({
      name: 'readiness',
      port,
      natsUrl: nats.url,
      jetstreamReplicas: 1,
      logger,
      listeners: (ctx) => [(listener = new GatedListener(ctx.bus, bind, failFirst))],
      app: (ctx) => createApp({ logger, jwtKey: TEST_JWT_KEY, jwtTtlSeconds: 3600, routers: [], isReady: ctx.isReady }),
    });
    // Serving HTTP (alive) but not ready while the bind waits.
    await eventually(async () => (await healthz(port).catch(() => 0)) === 200, 20_000);
    expect(await readyz(port)).toBe(503);
    await new Promise((r) => setTimeout(r, 300));
    expect(await readyz(port)).toBe(503);

    // An event published before the bind is delivered after it (the durable starts from the stream).
    const other = await EventBus.connect({ servers: nats.url, name: 'publisher', logger });
    await other.ensureStreams();
    await other.publish(
      makeEvent(Subjects.ProductCreated, {
        id: `p-${failFirst}`,
        title: `t-${failFirst}`,
        priceMinor: 1,
        quantity: 1,
        userId: 'u',
        version: 0,
      }),
    );
    await other.drain();

    open();
    running = await starting;
    expect(await readyz(port)).toBe(200);
    expect(listener!.starts).toBe(failFirst ? 2 : 1);
    await eventually(() => listener!.titles.includes(`t-${failFirst}`), 10_000);
  },
  60_000,
);

it('keeps an idle connection open longer than the ingress keeps its upstream ones (60 s), and says so', async () => {
  const port = await freePort();
  running = await startService({
    name: 'keep-alive',
    port,
    natsUrl: nats.url,
    jetstreamReplicas: 1,
    logger,
    app: (ctx) => createApp({ logger, jwtKey: TEST_JWT_KEY, jwtTtlSeconds: 3600, routers: [], isReady: ctx.isReady }),
  });
  // node's http, not fetch: the test reads the Keep-Alive header the service announces to a proxy.
  const announced = await new Promise<string | undefined>((resolve, reject) =>
    http
      .get(`http://127.0.0.1:${port}/healthz`, { agent: new http.Agent({ keepAlive: true }) }, (res) => {
        res.resume();
        resolve(res.headers['keep-alive']?.toString());
      })
      .on('error', reject),
  );
  expect(Number(/timeout=(\d+)/.exec(announced ?? '')?.[1])).toBeGreaterThan(60);
});
