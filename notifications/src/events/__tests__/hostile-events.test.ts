/**
 * Malformed events on every subject notifications consumes (SPEC invariant 6), through a real
 * nats-server, the service's real listeners and real SMTP into Mailpit: non-JSON bytes, random JSON,
 * missing fields, wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in
 * the envelope. Every invalid one ends in DEADLETTER (`deadletter.<durable>`); a mutation that is
 * still a valid event (an optional field dropped) is about nobody with an account here, so it waits
 * and is dead-lettered too, or tells nobody. Nothing changes in the database, no mail is sent, and
 * a valid event afterwards is still told. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 */
import fc from 'fast-check';
import { makeEvent, parseEvent, streamOf, Subjects, type Event, type Subject } from '@jetmart/common';
import {
  eventually,
  HOSTILE_EVENTS_RUNS,
  HOSTILE_EVENTS_SEED,
  hostileEventPayload,
  publishRaw,
  snapshotModels,
  startMailpit,
  useHostileEvents,
  useTestDatabase,
  waitForDeadLetters,
  type MailpitServer,
} from '@jetmart/common/testing';
import { smtpMailer, type Mailer } from '../../mail/mailer';
import { notificationsModels } from '../../models';
import { deliverNotices, orderConfirmed } from '../../notify';
import { notificationsListeners } from '../listeners';
import { MAIL, oid, scenario, seedPerson, type Person } from '../../__tests__/support/fixtures';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'notifications_hostile_events' });
const models = notificationsModels(connection);

let mailpit: MailpitServer;
let mailer: Mailer;
// Existing state a wrongly applied event would change: two people, one told of an order already.
let known: Person;
let other: Person;
beforeAll(async () => {
  mailpit = await startMailpit();
  mailer = smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');
  known = await seedPerson(models);
  other = await seedPerson(models);
  const told = await deliverNotices(
    { models, mailer, mail: MAIL },
    oid(),
    orderConfirmed(scenario(known.id, [oid(), oid()]).orderCreated.data),
  );
  expect(told).toEqual({ kind: 'delivered', sent: 1, skipped: 0 });
  await mailpit.deleteAll();
}, 60_000);
afterAll(async () => {
  mailer?.close();
  await mailpit?.destroy();
});

const hostile = useHostileEvents({
  name: 'notifications-hostile',
  // A valid mutation about a person without an account waits only a few times here.
  listeners: (bus, opts) => notificationsListeners(bus, { models, mailer, mail: MAIL }, { ...opts, maxWaits: 3 }),
  snapshot: () => snapshotModels(models),
});

// The events are about people who have no account here (the facts), or about `known` (the contacts).
const s = scenario(oid(), [oid(), oid()]);
const good: Record<string, Event> = {
  ...Object.fromEntries(Object.values(s).map((e) => [e.subject, e])),
  [Subjects.UserCreated]: makeEvent(Subjects.UserCreated, { id: oid(), email: 'new@test.dev', version: 0 }),
  [Subjects.UserUpdated]: makeEvent(Subjects.UserUpdated, { id: oid(), email: 'moved@test.dev', version: 1 }),
  [Subjects.UserDeleted]: makeEvent(Subjects.UserDeleted, { id: oid(), version: 2 }),
  // Account mails go to the address in the event without any contact: an expired link is what
  // keeps a mutation that is still valid (another id, another address) from sending a mail.
  [Subjects.UserPasswordResetRequested]: makeEvent(Subjects.UserPasswordResetRequested, {
    userId: oid(),
    email: 'reset@test.dev',
    token: 'a'.repeat(43),
    expiresAt: new Date(Date.now() - 60_000).toISOString(),
  }),
  [Subjects.PayoutSent]: makeEvent(Subjects.PayoutSent, {
    id: oid(),
    sellerId: oid(),
    amountMinor: 4599,
    currency: 'usd',
    transferId: 'tr_1',
    version: 1,
  }),
  [Subjects.UserVerificationRequested]: makeEvent(Subjects.UserVerificationRequested, {
    userId: oid(),
    email: 'verify@test.dev',
    token: 'b'.repeat(43),
    expiresAt: new Date(Date.now() - 60_000).toISOString(),
  }),
};
const others = (subject: string) => Object.values(good).filter((e) => e.subject !== subject);
const ids: Record<string, string[][]> = {
  [Subjects.OrderCreated]: [
    ['data', 'userId'],
    ['data', 'items', '0', 'sellerId'],
  ],
  [Subjects.PaymentCreated]: [
    ['data', 'userId'],
    ['data', 'orderId'],
  ],
  [Subjects.OrderCompleted]: [
    ['data', 'userId'],
    ['data', 'items', '0', 'sellerId'],
  ],
  [Subjects.OrderCancelled]: [['data', 'userId']],
  [Subjects.ShipmentShipped]: [
    ['data', 'buyerId'],
    ['data', 'orderId'],
  ],
  [Subjects.ShipmentDelivered]: [
    ['data', 'buyerId'],
    ['data', 'orderId'],
  ],
  [Subjects.ReturnRequested]: [
    ['data', 'sellerId'],
    ['data', 'orderId'],
  ],
  [Subjects.ReturnApproved]: [['data', 'buyerId']],
  [Subjects.ReturnRejected]: [['data', 'buyerId']],
  [Subjects.ReturnRefunded]: [
    ['data', 'buyerId'],
    ['data', 'refundId'],
  ],
  [Subjects.PaymentRefunded]: [
    ['data', 'userId'],
    ['data', 'sourceId'],
  ],
  [Subjects.UserCreated]: [],
  [Subjects.UserUpdated]: [],
  [Subjects.UserDeleted]: [],
  [Subjects.UserPasswordResetRequested]: [['data', 'userId']],
  [Subjects.UserVerificationRequested]: [['data', 'userId']],
  [Subjects.PayoutSent]: [
    ['data', 'sellerId'],
    ['data', 'transferId'],
  ],
};

const isValid = (subject: Subject, p: Uint8Array) => {
  try {
    parseEvent(JSON.parse(new TextDecoder().decode(p)), subject);
    return true;
  } catch {
    return false;
  }
};

describe('notifications: hostile events are dead-lettered, change nothing, send nothing', () => {
  it.each(Object.keys(ids))(
    '%s',
    async (subject) => {
      const sub = subject as Subject;
      const b = hostile.bus;
      const listener = hostile.listeners.find((l) => l.subject === sub)!;
      const before = await snapshotModels(models);
      const payloads = fc.sample(hostileEventPayload(good[sub], [['id'], ['data', 'id'], ...ids[sub]], others(sub)), {
        seed: HOSTILE_EVENTS_SEED,
        numRuns: HOSTILE_EVENTS_RUNS,
      });
      const seqs = await publishRaw(b, sub, payloads);
      const invalid = payloads.map((p, i) => [p, seqs[i]] as const).filter(([p]) => !isValid(sub, p));
      expect(invalid.length).toBeGreaterThan(payloads.length / 2);
      await waitForDeadLetters(
        b,
        listener.durableName,
        invalid.map(([, q]) => q),
        invalid.map(([p]) => p),
        sub,
      );
      // The valid ones (about nobody known) are settled too: nothing pending, nothing awaiting an ack.
      await eventually(async () => {
        const c = await b.jsm.consumers.info(streamOf(sub), listener.durableName);
        return c.num_pending + c.num_ack_pending === 0;
      }, 30_000);
      expect(await snapshotModels(models)).toBe(before);
      expect(await mailpit.messages()).toHaveLength(0);
    },
    120_000,
  );

  it('still consuming: a valid fact about a known person is told once', async () => {
    const order = scenario(other.id, [oid(), oid()]).orderCreated;
    await hostile.bus.publish(order);
    await eventually(async () => (await mailpit.messages()).length === 1, 20_000);
    expect(await models.Notification.countDocuments({ userId: other.id })).toBe(2);
  }, 60_000);
});
