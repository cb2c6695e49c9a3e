/**
 * Once, whatever happens, through a real nats-server, the test database and real SMTP into Mailpit:
 * an event before its person's contact waits for it (and is dead-lettered, with the reason, for a
 * person who never gets an account); a deleted person is forgotten and told nothing more; a mail
 * server that is down delays mail and loses none; an address refused for good is marked failed and
 * its event dead-lettered with the reason; two instances on the same durables under a burst send
 * each mail once; and a crash after the server accepted a mail and before its record was completed
 * sends it at most once more, with the same Message-ID.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import {
  createLogger,
  DeadLetterHeaders,
  EventBus,
  installDatabasePlugins,
  makeEvent,
  Streams,
  Subjects,
  type Event,
  type Listener,
  type ListenerOptions,
  type Subject,
} from '@jetmart/common';
import {
  eventually,
  mailpitBinary,
  readStream,
  startMailpit,
  useTestBus,
  useTestDatabase,
  type MailpitServer,
} from '@jetmart/common/testing';
import { smtpMailer, type Mailer } from '../../mail/mailer';
import { notificationsModels, type NotificationsModels } from '../../models';
import { orderRef } from '../../notify';
import { notificationsListeners } from '../listeners';
import { MAIL, oid, scenario, seedPerson, type Person } from '../../__tests__/support/fixtures';
import { drained, mailCounts, mailKey, mailsArrive, publishAgain } from '../../__tests__/support/mail';

const db = useTestDatabase({ prefix: 'notifications_delivery' });
const models = notificationsModels(db.connection);
const logger = createLogger('notifications-test', { level: 'silent' });
const OPTIONS: ListenerOptions = { backoffMs: 50, maxBackoffMs: 300, maxWaits: 40, maxDeliveries: 3 };

let mailpit: MailpitServer;
let mailer: Mailer;
let wrapperDir: string | undefined;
beforeAll(async () => {
  // The real Mailpit, refusing (550) every recipient outside test.dev: the permanent rejection of
  // an address. Set in its own environment by a wrapper (a child of jest does not see the test's
  // process.env), so it holds after the outage test restarts it too.
  const real = mailpitBinary();
  if (!real) throw new Error('mailpit binary not found: run `bash scripts/ensure-bins.sh`');
  wrapperDir = mkdtempSync(join(tmpdir(), 'notifications-mailpit-'));
  const wrapper = join(wrapperDir, 'mailpit');
  writeFileSync(wrapper, `#!/bin/sh\nMP_SMTP_ALLOWED_RECIPIENTS='@test\\.dev$' exec '${real}' "$@"\n`, { mode: 0o755 });
  const before = process.env.MAILPIT_BIN;
  process.env.MAILPIT_BIN = wrapper;
  try {
    mailpit = await startMailpit();
  } finally {
    if (before === undefined) delete process.env.MAILPIT_BIN;
    else process.env.MAILPIT_BIN = before;
  }
  mailer = smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');
}, 60_000);
afterAll(async () => {
  mailer?.close();
  await mailpit?.destroy();
  if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
});

let listeners: Listener<Subject>[] = [];
let extra: { stop(): Promise<void> }[] = [];
const jet = useTestBus({
  name: 'notifications-delivery',
  logger,
  freshStreams: ['ORDERS', 'PAYMENTS', 'SHIPMENTS', 'RETURNS', 'USERS', 'DEADLETTER'],
  beforeDrain: async () => {
    await Promise.all(listeners.map((l) => l.stop()));
    for (const e of extra) await e.stop();
    extra = [];
  },
});

async function startListeners(
  deps: { models?: NotificationsModels; mailer?: Mailer; claimMs?: number; bus?: EventBus; options?: ListenerOptions } = {},
) {
  const started = notificationsListeners(
    deps.bus ?? jet.bus,
    { models: deps.models ?? models, mailer: deps.mailer ?? mailer, mail: MAIL, claimMs: deps.claimMs },
    deps.options ?? OPTIONS,
  );
  for (const l of started) await l.start();
  return started;
}
beforeEach(async () => {
  await mailpit.deleteAll();
  listeners = await startListeners();
});

const publish = async (e: Event) => (await jet.bus.js.publish(e.subject, JSON.stringify(e), { msgID: e.id })).seq;
const userCreated = (p: Person) => makeEvent(Subjects.UserCreated, { id: p.id, email: p.email, version: 0 });
const deadLetters = async (durable: string) =>
  (await readStream(jet.bus, Streams.deadLetter.name, { subject: `deadletter.${durable}` })).map((m) => ({
    error: m.header.get(DeadLetterHeaders.error),
    event: JSON.parse(new TextDecoder().decode(m.data)) as Event,
  }));

describe('notifications: contacts', () => {
  it('an event before its person: waits for user.created, then sends once', async () => {
    const buyer = { id: oid(), email: `late-${oid().slice(-6)}@test.dev` };
    const s = scenario(buyer.id, [oid(), oid()]);
    await publish(s.orderCreated);
    // Waiting: delivered a few times, nothing kept (each attempt writes the records before it reads
    // the contact, and removes them again when there is none), nothing sent.
    const listener = listeners.find((l) => l.subject === Subjects.OrderCreated)!;
    await eventually(async () => (await jet.bus.jsm.consumers.info('ORDERS', listener.durableName)).num_redelivered > 0, 15_000);
    await eventually(async () => (await models.Notification.countDocuments({})) === 0, 15_000);
    expect(await mailpit.messages()).toHaveLength(0);

    await publish(userCreated(buyer));
    await mailsArrive(mailpit, 1);
    await drained(jet.bus, listeners);
    expect(await mailCounts(mailpit)).toEqual({ [mailKey(buyer.email, `Order ${orderRef(s.orderCreated.data.id)} confirmed`)]: 1 });
    expect(await models.Contact.findById(buyer.id).lean()).toMatchObject({ email: buyer.email, version: 0, deleted: false });
  }, 60_000);

  it('a person who never gets an account: dead-lettered with the reason after the bounded waits', async () => {
    const s = scenario(oid(), [oid(), oid()]);
    await publish(s.paymentCreated);
    const durable = listeners.find((l) => l.subject === Subjects.PaymentCreated)!.durableName;
    const [dl] = await eventually(async () => {
      const found = await deadLetters(durable);
      return found.length ? found : undefined;
    }, 60_000);
    expect(dl.error).toMatch(/no contact for user .* \(waiting for user\.created\)/);
    expect(dl.event.id).toBe(s.paymentCreated.id);
    expect(await models.Notification.countDocuments({})).toBe(0);
  }, 90_000);

  it('user.updated changes the address (in version order); user.deleted forgets the person and tells them nothing more', async () => {
    const buyer = await seedPerson(models);
    const s = scenario(buyer.id, [oid(), oid()]);
    // version 2 before 1: waits for 1, then both apply
    const moved = `moved-${oid().slice(-6)}@test.dev`;
    await publish(makeEvent(Subjects.UserUpdated, { id: buyer.id, email: moved, version: 2 }));
    await publish(makeEvent(Subjects.UserUpdated, { id: buyer.id, email: `mid-${oid().slice(-6)}@test.dev`, version: 1 }));
    await eventually(async () => (await models.Contact.findById(buyer.id).lean())?.version === 2, 20_000);
    expect((await models.Contact.findById(buyer.id).lean())!.email).toBe(moved);

    await publish(s.orderCreated);
    await mailsArrive(mailpit, 1);
    await drained(jet.bus, listeners);
    expect(Object.keys(await mailCounts(mailpit))).toEqual([mailKey(moved, `Order ${orderRef(s.orderCreated.data.id)} confirmed`)]);
    expect(await models.Notification.countDocuments({ userId: buyer.id })).toBe(2);

    await publish(makeEvent(Subjects.UserDeleted, { id: buyer.id, version: 3 }));
    await eventually(async () => (await models.Notification.countDocuments({ userId: buyer.id })) === 0, 15_000);
    expect(await models.Contact.findById(buyer.id).lean()).toMatchObject({ deleted: true, version: 3 });
    expect((await models.Contact.findById(buyer.id).lean())!.email).toBeUndefined();

    // Later facts about them, and their account events again: acked, nothing sent, nothing kept.
    await publish(s.paymentCreated);
    await publish(s.shipmentShipped);
    await publishAgain(jet.bus, userCreated({ id: buyer.id, email: moved }));
    await drained(jet.bus, listeners);
    expect(await mailpit.messages()).toHaveLength(1);
    expect(await models.Notification.countDocuments({ userId: buyer.id })).toBe(0);
    expect(await models.Contact.findById(buyer.id).lean()).toMatchObject({ deleted: true });
  }, 90_000);
});

describe('notifications: the mail server', () => {
  it('down: the send fails and is retried with back-off; when it is back the mail goes out once, none lost', async () => {
    const buyer = await seedPerson(models);
    const s = scenario(buyer.id, [oid(), oid()]);
    await mailpit.stop();
    try {
      await publish(s.orderCreated);
      await publish(s.paymentCreated);
      // Tried and given back (not sent, not failed) more than once while the server is away.
      await eventually(async () => {
        const records = await models.Notification.find({ channel: 'email' }).lean();
        return records.length === 2 && records.every((r) => r.status === 'pending' && r.attempts >= 2 && r.error);
      }, 30_000);
    } finally {
      await mailpit.start();
    }
    await mailsArrive(mailpit, 2);
    await drained(jet.bus, listeners);
    const ref = orderRef(s.orderCreated.data.id);
    expect(await mailCounts(mailpit)).toEqual({
      [mailKey(buyer.email, `Order ${ref} confirmed`)]: 1,
      [mailKey(buyer.email, `Payment received for order ${ref}`)]: 1,
    });
    expect(await models.Notification.countDocuments({ channel: 'email', status: 'sent' })).toBe(2);
  }, 90_000);

  it('an address refused for good (550): the record is failed, the event dead-lettered with the reason; the other seller is told once', async () => {
    const buyer = await seedPerson(models);
    const refused = await seedPerson(models, `gone-${oid().slice(-6)}@refused.example`);
    const fine = await seedPerson(models);
    const s = scenario(buyer.id, [refused.id, fine.id]);
    await publish(s.orderCompleted);
    const durable = listeners.find((l) => l.subject === Subjects.OrderCompleted)!.durableName;
    const [dl] = await eventually(async () => {
      const found = await deadLetters(durable);
      return found.length ? found : undefined;
    }, 30_000);
    expect(dl.error).toContain(refused.email);
    expect(dl.error).toMatch(/550/);
    expect(await models.Notification.findOne({ userId: refused.id, channel: 'email' }).lean()).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringMatching(/550/),
    });
    await drained(jet.bus, listeners);
    expect(await mailCounts(mailpit)).toEqual({
      [mailKey(fine.email, `You sold 1 item (order ${orderRef(s.orderCompleted.data.id)})`)]: 1,
    });
    // The person is still told in the shop.
    expect(await models.Notification.countDocuments({ userId: refused.id, channel: 'in-app' })).toBe(1);

    // A replay of the dead-lettered event: the refusal stands (nothing is sent again), the other is not re-sent.
    await publishAgain(jet.bus, s.orderCompleted, 'replay');
    await eventually(async () => (await deadLetters(durable)).length === 2, 30_000);
    await drained(jet.bus, listeners);
    expect(await mailpit.messages()).toHaveLength(1);
  }, 90_000);
});

describe('notifications: once across instances and crashes', () => {
  it(
    'two instances (two buses, two connections, the same durables) under a burst with duplicates: each mail once',
    async () => {
      const replicaConnection = mongoose.createConnection(db.url());
      installDatabasePlugins(replicaConnection);
      const replicaModels = notificationsModels(replicaConnection);
      await replicaConnection.asPromise();
      const replicaBus = await EventBus.connect({ servers: jet.nats.url, name: 'notifications-replica', logger });
      const replicaMailer = smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');
      // The retries of production (a busy database under the burst is retried, not dead-lettered).
      const options: ListenerOptions = { backoffMs: 500, maxBackoffMs: 5_000 };
      await Promise.all(listeners.map((l) => l.stop()));
      listeners = await startListeners({ options });
      const replica = await startListeners({ models: replicaModels, bus: replicaBus, mailer: replicaMailer, options });
      extra.push({
        stop: async () => {
          await Promise.all(replica.map((l) => l.stop()));
          await replicaBus.drain();
          replicaMailer.close();
          await replicaConnection.close();
        },
      });

      const sellers: [Person, Person] = [await seedPerson(models), await seedPerson(models)];
      // The burst is 500 orders (NOTIFICATIONS_BURST_ORDERS=500); 25 keep the default run short.
      const orders = Number(process.env.NOTIFICATIONS_BURST_ORDERS ?? 25);
      const expected: Record<string, number> = {};
      const events: Event[] = [];
      for (let i = 0; i < orders; i++) {
        const buyer = await seedPerson(models);
        const s = scenario(buyer.id, [sellers[0].id, sellers[1].id]);
        events.push(s.orderCreated, s.orderCompleted);
        const ref = orderRef(s.orderCreated.data.id);
        expected[mailKey(buyer.email, `Order ${ref} confirmed`)] = 1;
        expected[mailKey(sellers[0].email, `You sold 2 items (order ${ref})`)] = 1;
        expected[mailKey(sellers[1].email, `You sold 1 item (order ${ref})`)] = 1;
      }
      // Each event twice as separate stream messages, so both instances may handle copies at once.
      await Promise.all(events.flatMap((e) => [publish(e), publishAgain(jet.bus, e)]));
      await mailsArrive(mailpit, orders * 3, 90_000 + orders * 1_000).catch(async (err: Error) => {
        const parked = (await Promise.all(listeners.map((l) => deadLetters(l.durableName)))).flat();
        throw new Error(`${err.message}; dead-lettered: ${parked.length} ${JSON.stringify(parked.slice(0, 3).map((d) => d.error))}`);
      });
      await drained(jet.bus, [...listeners, ...replica], 60_000 + orders * 500);
      expect(await mailCounts(mailpit)).toEqual(expected);
      expect(await models.Notification.countDocuments({ channel: 'email', status: 'sent' })).toBe(orders * 3);
    },
    180_000 + Number(process.env.NOTIFICATIONS_BURST_ORDERS ?? 0) * 2_000,
  );

  it('a crash after the server accepted a mail and before its record was completed: sent once more, with the same Message-ID, then never again', async () => {
    const buyer = await seedPerson(models);
    const s = scenario(buyer.id, [oid(), oid()]);
    // The first instance: its mail server accepts the message, then the instance dies before it can
    // write the completion (the promise rejects where the process would have vanished); once dead it
    // sends nothing more.
    await Promise.all(listeners.map((l) => l.stop()));
    let alive = true;
    const crashing: Mailer = {
      async send(mail) {
        if (!alive) throw new Error('this instance is gone');
        const outcome = await mailer.send(mail);
        alive = false;
        throw new Error(`crashed after the server answered ${outcome.kind}`);
      },
      close: () => undefined,
    };
    listeners = await startListeners({ mailer: crashing, claimMs: 1_500 });
    await publish(s.orderCreated);
    await mailsArrive(mailpit, 1);
    await eventually(async () => !alive, 10_000);
    await Promise.all(listeners.map((l) => l.stop()));
    const pending = await models.Notification.findOne({ channel: 'email' }).lean();
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });

    // Another instance takes the redelivery: once the dead instance's claim has run out, it sends again.
    listeners = await startListeners({ claimMs: 1_500 });
    await mailsArrive(mailpit, 2);
    await drained(jet.bus, listeners);
    const mails = await mailpit.messages();
    expect(mails).toHaveLength(2);
    expect(new Set(mails.map((m) => m.MessageID)).size).toBe(1);
    expect(`<${mails[0].MessageID}>`).toBe(pending!.messageId);
    expect(await models.Notification.findOne({ channel: 'email' }).lean()).toMatchObject({ status: 'sent', attempts: 1 });

    // Completed now: any further delivery sends nothing.
    await publishAgain(jet.bus, s.orderCreated);
    await drained(jet.bus, listeners);
    expect(await mailpit.messages()).toHaveLength(2);
  }, 90_000);
});
