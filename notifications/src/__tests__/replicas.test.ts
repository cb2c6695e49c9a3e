/**
 * Issue 16's two "done when" items at the service level, with the real thing: two notifications
 * replicas, each its own OS process (the built dist, as production runs it), on one database and
 * the same durable consumers of one nats-server, sending real SMTP into this file's own Mailpit.
 * Contacts arrive as user.created; the facts as order.created, payment.created and order.completed
 * (each also published a second time as another stream message, as a duplicate publish or a
 * replay would arrive). What is counted is what Mailpit received, by recipient and subject.
 *
 * - A burst of NOTIFICATIONS_BURST_ORDERS orders (50 by default, so the file stays well under two
 *   minutes on a 2-core CI runner; bench/notifications-burst.js runs the issue's 500): each
 *   expected mail arrives exactly once and nothing else does; one completed record per mail, its
 *   Message-ID the one Mailpit got; both replicas sent, and together they sent exactly as many
 *   mails as there are (a double send would be counted by the one that made it).
 * - Mailpit is killed (SIGKILL) for 10 s (longer on a busy machine: until every send of the outage
 *   was tried) while events keep arriving, then started again on the same SMTP and HTTP ports: the sends tried meanwhile fail (connection refused), are given back and
 *   retried with the listener's back-off, and every mail arrives once after it is back.
 *
 * Needs `npm run build -w common -w notifications` (scripts/test.sh builds first).
 */
import { createLogger, EventBus, makeEvent, streamOf, Streams, Subjects, type Event, type Subject } from '@jetmart/common';
import {
  eventually,
  readStream,
  startMailpit,
  startNats,
  useTestDatabase,
  type MailpitServer,
  type NatsTestServer,
} from '@jetmart/common/testing';
import { notificationsModels } from '../models';
import { messageIdFor, orderRef, recordIdFor } from '../notify';
import { MAIL, oid, scenario, type Person } from './support/fixtures';
import { mailCounts, mailKey, publishAgain } from './support/mail';
import { startNotificationsProcess, type NotificationsProcess } from './support/replicas';

const BURST_ORDERS = Number(process.env.NOTIFICATIONS_BURST_ORDERS ?? 50);

const db = useTestDatabase({ clearEachTest: false, prefix: 'notifications_replicas' });
const models = notificationsModels(db.connection);
const logger = createLogger('notifications-replicas-test', { level: 'silent' });

let nats: NatsTestServer;
let mailpit: MailpitServer;
let bus: EventBus;
let replicas: NotificationsProcess[] = [];

beforeAll(async () => {
  [nats, mailpit] = await Promise.all([startNats(), startMailpit()]);
  bus = await EventBus.connect({ servers: nats.url, name: 'notifications-replicas-test', logger });
  await bus.ensureStreams();
  replicas = await Promise.all(
    ['notifications-a', 'notifications-b'].map((name) =>
      startNotificationsProcess({ name, mongoUrl: db.url(), natsUrl: nats.url, smtpUrl: mailpit.smtpUrl, publicUrl: MAIL.publicUrl }),
    ),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
  await bus?.drain();
  await Promise.all([mailpit?.destroy(), nats?.destroy()]);
});

/** The subjects this test publishes, and the durables the replicas share for them. */
const SUBJECTS: Subject[] = [Subjects.UserCreated, Subjects.OrderCreated, Subjects.PaymentCreated, Subjects.OrderCompleted];
const durableOf = (subject: Subject) => `notifications-${subject.replace(/\./g, '-')}`;

const publish = async (e: Event) => void (await bus.js.publish(e.subject, JSON.stringify(e), { msgID: e.id }));

/** Publishes in slices, so a burst of thousands does not open thousands of requests at once. */
async function publishAll(events: Event[], withCopies: boolean): Promise<void> {
  for (let i = 0; i < events.length; i += 200) {
    await Promise.all(
      events.slice(i, i + 200).flatMap((e) => (withCopies ? [publish(e), publishAgain(bus, e).then(() => undefined)] : [publish(e)])),
    );
  }
}

/** How many messages Mailpit holds (its `total`), without fetching them all. */
async function mailTotal(): Promise<number> {
  const res = await fetch(`${mailpit.httpUrl}/api/v1/messages?limit=1`);
  if (!res.ok) throw new Error(`mailpit: ${res.status}`);
  return ((await res.json()) as { total: number }).total;
}

/** Every shared durable has delivered everything and holds nothing unacknowledged. */
async function drained(timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      for (const subject of SUBJECTS) {
        const info = await bus.jsm.consumers.info(streamOf(subject), durableOf(subject));
        if (info.num_pending + info.num_ack_pending > 0) return false;
      }
      return true;
    },
    timeoutMs,
    250,
  );
}

const deadLetters = async () => readStream(bus, Streams.deadLetter.name);

/**
 * `orders` orders, each with its own buyer and two of `sellers`: their events (order.created,
 * payment.created, order.completed) and the four mails they must produce.
 */
function orders(count: number, sellers: Person[]) {
  const buyers: Person[] = [];
  const events: Event[] = [];
  const expected: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const buyer = { id: oid(), email: `b-${oid().slice(-10)}@test.dev` };
    const [a, b] = [sellers[i % sellers.length], sellers[(i + 1) % sellers.length]];
    const s = scenario(buyer.id, [a.id, b.id]);
    buyers.push(buyer);
    events.push(s.orderCreated, s.paymentCreated, s.orderCompleted);
    const ref = orderRef(s.orderCreated.data.id);
    expected[mailKey(buyer.email, `Order ${ref} confirmed`)] = 1;
    expected[mailKey(buyer.email, `Payment received for order ${ref}`)] = 1;
    expected[mailKey(a.email, `You sold 2 items (order ${ref})`)] = 1;
    expected[mailKey(b.email, `You sold 1 item (order ${ref})`)] = 1;
  }
  return { buyers, events, expected };
}

/** The people's contacts, through user.created on the stream; resolves once both replicas' database has them all. */
async function seedContacts(people: Person[]): Promise<void> {
  await publishAll(
    people.map((p) => makeEvent(Subjects.UserCreated, { id: p.id, email: p.email, displayName: 'Test Person', version: 0 })),
    false,
  );
  await eventually(
    async () => (await models.Contact.countDocuments({ _id: { $in: people.map((p) => p.id) } })) === people.length,
    60_000,
    250,
  );
}

const newSellers = (n: number): Person[] => Array.from({ length: n }, () => ({ id: oid(), email: `s-${oid().slice(-10)}@test.dev` }));

describe('notifications: two replicas (two processes)', () => {
  it(
    `a burst of ${BURST_ORDERS} orders, every event twice: each expected mail exactly once, and nothing else`,
    async () => {
      await mailpit.deleteAll();
      const sellers = newSellers(10);
      const burst = orders(BURST_ORDERS, sellers);
      const people = [...sellers, ...burst.buyers];
      await seedContacts(people);
      const sentBefore = replicas.map((r) => r.sent());

      await publishAll(burst.events, true);
      const total = Object.keys(burst.expected).length;
      await eventually(async () => (await mailTotal()) >= total, 60_000 + BURST_ORDERS * 1_000, 500).catch(async (err: Error) => {
        const parked = await deadLetters();
        throw new Error(
          `${await mailTotal()} of ${total} mails arrived (${err.message}); dead-lettered: ${parked.length}; ` +
            replicas.map((r) => `${r.name}: ${r.tail().slice(-1500)}`).join('\n'),
        );
      });
      await drained(60_000 + BURST_ORDERS * 200);

      // What Mailpit got: every expected (recipient, subject) once, nothing more.
      expect(await mailCounts(mailpit)).toEqual(burst.expected);
      // The once-records: one email record per mail, completed, its Message-ID the one delivered;
      // one in-app entry per mail too.
      const ids = people.map((p) => p.id);
      const records = await models.Notification.find({ userId: { $in: ids }, channel: 'email' }).lean();
      expect(records).toHaveLength(total);
      expect(records.filter((r) => r.status !== 'sent')).toEqual([]);
      expect(new Set((await mailpit.messages()).map((m) => `<${m.MessageID}>`))).toEqual(new Set(records.map((r) => r.messageId)));
      // Each record under the _id and Message-ID its key gives (a repeat finds it by _id).
      expect(records.filter((r) => !recordIdFor(r.key).equals(r._id) || r.messageId !== messageIdFor(r.key, MAIL.publicUrl))).toEqual([]);
      expect(await models.Notification.countDocuments({ userId: { $in: ids }, channel: 'in-app' })).toBe(total);
      expect(await deadLetters()).toHaveLength(0);
      // Both replicas took part, and together they sent each mail once.
      // (Their log lines reach this process a moment after the acks.)
      const sent = () => replicas.map((r, i) => r.sent() - sentBefore[i]!);
      await eventually(() => sent().reduce((a, b) => a + b, 0) >= total, 10_000, 100).catch(() => undefined);
      expect(sent().every((n) => n > 0)).toBe(true);
      expect(sent().reduce((a, b) => a + b, 0)).toBe(total);
    },
    120_000 + BURST_ORDERS * 2_000,
  );

  it('Mailpit killed for 10 s while events arrive, then back on the same ports: mail is delayed, none lost, none doubled', async () => {
    await mailpit.deleteAll();
    const sellers = newSellers(4);
    const before = orders(3, sellers);
    const during = orders(10, sellers);
    const people = [...sellers, ...before.buyers, ...during.buyers];
    await seedContacts(people);

    // Mail flows (the replicas' pooled SMTP connections are open) ...
    await publishAll(before.events, false);
    const beforeTotal = Object.keys(before.expected).length;
    await eventually(async () => (await mailTotal()) === beforeTotal, 60_000, 250);
    await drained(60_000);

    // ... then the mail server dies, and events keep arriving for the next 10 s.
    const { smtpPort, httpPort } = mailpit;
    await mailpit.stop('SIGKILL');
    const downAt = Date.now();
    for (let i = 0; i < during.events.length; i += 3) {
      await publishAll(during.events.slice(i, i + 3), true);
      await new Promise((r) => setTimeout(r, 900));
    }
    // Every mail of the outage was tried and given back (pending, with the connection error); on a
    // busy machine that can take longer than the 10 s, and the outage lasts until it is so.
    const ofOutage = (r: { to?: string; subject?: string }) => during.expected[mailKey(r.to!, r.subject!)] === 1;
    const duringTotal = Object.keys(during.expected).length;
    const tried = await eventually(
      async () => {
        const r = (await models.Notification.find({ channel: 'email', status: 'pending' }).lean()).filter(ofOutage);
        return r.length === duringTotal && r.every((n) => n.attempts >= 1) ? r : undefined;
      },
      120_000,
      250,
    );
    expect(tried.map((n) => n.error)).toEqual(tried.map(() => expect.stringMatching(/ECONNREFUSED/)));
    expect(
      await models.Notification.countDocuments({ channel: 'email', status: 'sent', to: { $in: during.buyers.map((b) => b.email) } }),
    ).toBe(0);
    // ... and the replicas say so in their logs.
    expect(replicas.reduce((n, r) => n + r.logged('mail server unavailable: retrying with back-off'), 0)).toBeGreaterThan(0);
    const waited = Date.now() - downAt;
    if (waited < 10_000) await new Promise((r) => setTimeout(r, 10_000 - waited));

    await mailpit.start();
    expect([mailpit.smtpPort, mailpit.httpPort]).toEqual([smtpPort, httpPort]);
    const expected = { ...before.expected, ...during.expected };
    const total = Object.keys(expected).length;
    await eventually(async () => (await mailTotal()) >= total, 120_000, 500).catch(async (err: Error) => {
      throw new Error(`${await mailTotal()} of ${total} mails after the outage (${err.message})`);
    });
    await drained(120_000);

    expect(await mailCounts(mailpit)).toEqual(expected);
    const records = await models.Notification.find({ userId: { $in: people.map((p) => p.id) }, channel: 'email' }).lean();
    expect(records).toHaveLength(total);
    expect(records.filter((r) => r.status !== 'sent')).toEqual([]);
    // The mails of the outage were refused at least once before they went out.
    expect(records.filter(ofOutage)).toHaveLength(duringTotal);
    expect(records.filter((r) => ofOutage(r) && r.attempts < 2)).toEqual([]);
    expect(await deadLetters()).toHaveLength(0);
  }, 300_000);
});
