/**
 * Every fact, through a real nats-server, the test database and real SMTP into Mailpit: each event
 * produces exactly the expected mails (counted by recipient and subject through Mailpit's API),
 * with an HTML and a text part made from the same notice, the shop's name, links to the right
 * storefront page, and a Message-ID derived from its record; the same entries appear in the feed.
 * Every event delivered again (a redelivery, a duplicate publish) sends nothing more.
 */
import { createLogger, makeEvent, Subjects, type Event, type Listener, type Subject } from '@jetmart/common';
import { startMailpit, useTestBus, useTestDatabase, type MailpitServer } from '@jetmart/common/testing';
import { smtpMailer, type Mailer } from '../../mail/mailer';
import { notificationsModels } from '../../models';
import { orderRef } from '../../notify';
import { notificationsListeners } from '../listeners';
import { MAIL, oid, scenario, seedPerson, type Person } from '../../__tests__/support/fixtures';
import { drained, mailCounts, mailKey, mailsArrive, publishAgain } from '../../__tests__/support/mail';

const { connection } = useTestDatabase({ prefix: 'notifications_facts' });
const models = notificationsModels(connection);
const logger = createLogger('notifications-test', { level: 'silent' });

let mailpit: MailpitServer;
let mailer: Mailer;
beforeAll(async () => {
  mailpit = await startMailpit();
  mailer = smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');
}, 60_000);
afterAll(async () => {
  mailer?.close();
  await mailpit?.destroy();
});

let listeners: Listener<Subject>[] = [];
const jet = useTestBus({
  name: 'notifications-facts',
  logger,
  freshStreams: ['ORDERS', 'PAYMENTS', 'SHIPMENTS', 'RETURNS', 'USERS', 'DEADLETTER'],
  beforeDrain: () => Promise.all(listeners.map((l) => l.stop())),
});
beforeEach(async () => {
  await mailpit.deleteAll();
  listeners = notificationsListeners(jet.bus, { models, mailer, mail: MAIL }, { backoffMs: 50, maxBackoffMs: 500 });
  for (const l of listeners) await l.start();
});

const publish = async (e: Event) => jet.bus.js.publish(e.subject, JSON.stringify(e), { msgID: e.id });

describe('notifications: each fact reaches the right person once', () => {
  let buyer: Person;
  let sellerA: Person;
  let sellerB: Person;
  let s: ReturnType<typeof scenario>;
  beforeEach(async () => {
    [buyer, sellerA, sellerB] = [await seedPerson(models), await seedPerson(models), await seedPerson(models)];
    s = scenario(buyer.id, [sellerA.id, sellerB.id]);
  });

  const expected = () => {
    const ref = orderRef(s.orderCreated.data.id);
    return {
      [mailKey(buyer.email, `Order ${ref} confirmed`)]: 1,
      [mailKey(buyer.email, `Payment received for order ${ref}`)]: 1,
      [mailKey(sellerA.email, `You sold 2 items (order ${ref})`)]: 1,
      [mailKey(sellerB.email, `You sold 1 item (order ${ref})`)]: 1,
      [mailKey(buyer.email, `Order ${ref} expired`)]: 1,
      [mailKey(buyer.email, `Your order ${ref} has shipped`)]: 1,
      [mailKey(buyer.email, `Your order ${ref} was delivered`)]: 1,
      [mailKey(sellerA.email, `Return requested for order ${ref}`)]: 1,
      [mailKey(buyer.email, `Your return for order ${ref} was approved`)]: 1,
      [mailKey(buyer.email, `Your return for order ${ref} was declined`)]: 1,
      [mailKey(buyer.email, `Refund of $15.00 for your return (order ${ref})`)]: 1,
      [mailKey(buyer.email, `Refund of $49.99 for order ${ref}`)]: 1,
    };
  };

  it('every subject: exactly the expected mails by recipient and subject; delivering every event again sends none', async () => {
    const events = Object.values(s) as Event[];
    for (const e of events) await publish(e);
    await mailsArrive(mailpit, 12);
    await drained(jet.bus, listeners);
    expect(await mailCounts(mailpit)).toEqual(expected());

    // A return's refund also comes as payment.refunded (reason return): told once, by return.refunded.
    await publish({ ...s.paymentRefunded, id: oid(), data: { ...s.paymentRefunded.data, reason: 'return' } } as Event);
    // Every event again as new stream messages (a replay from /ops, a duplicate publish after the window).
    for (const e of events) await publishAgain(jet.bus, e);
    for (const e of events) await publishAgain(jet.bus, e, 'third');
    await drained(jet.bus, listeners);
    expect(await mailCounts(mailpit)).toEqual(expected());

    // One in-app entry per fact and person, one email record each, all sent.
    expect(await models.Notification.countDocuments({ channel: 'in-app' })).toBe(12);
    expect(await models.Notification.countDocuments({ channel: 'email', status: 'sent' })).toBe(12);
    expect(await models.Notification.countDocuments({ userId: sellerA.id, channel: 'in-app' })).toBe(2);
  }, 120_000);

  it('the order confirmation: HTML and text from one notice, escaped, the shop, the lines, total, address and link; Message-ID from its record', async () => {
    await publish(s.orderCreated);
    const [summary] = await mailsArrive(mailpit, 1);
    const mail = await mailpit.message(summary.ID);
    const link = `${MAIL.publicUrl}/orders/${s.orderCreated.data.id}`;
    for (const part of [mail.HTML, mail.Text]) {
      expect(part).toContain('Test Shop');
      expect(part).toContain(link);
      expect(part).toContain('$79.99');
      expect(part).toContain('$30.00'); // 2 × $15.00
      expect(part).toContain('1 Market St');
      expect(part).toContain('10115 Berlin');
    }
    expect(mail.Text).toContain('Desk <Lamp> & "Shade" × 2');
    // The users' own text is escaped in the markup, never markup itself.
    expect(mail.HTML).toContain('Desk &lt;Lamp&gt; &amp; &quot;Shade&quot;');
    expect(mail.HTML).not.toContain('<Lamp>');
    expect(mail.HTML).toMatch(/<html/);

    await drained(jet.bus, listeners);
    const record = await models.Notification.findOne({ userId: buyer.id, channel: 'email' }).lean();
    expect(record).toMatchObject({ status: 'sent', to: buyer.email, kind: 'order.confirmed', attempts: 1 });
    expect(`<${summary.MessageID}>`).toBe(record!.messageId);
    expect(record!.messageId).toMatch(/^<[a-f0-9]{40}@shop\.test>$/);
  }, 60_000);

  it('each mail links to its storefront page: /orders/<id>, /sell/shipments, /sell/returns, /returns', async () => {
    const orderId = s.orderCreated.data.id;
    const cases: [Event, string, string][] = [
      [s.paymentCreated, buyer.email, `/orders/${orderId}`],
      [s.orderCompleted, sellerA.email, '/sell/shipments'],
      [s.shipmentShipped, buyer.email, `/orders/${orderId}`],
      [s.returnRequested, sellerA.email, '/sell/returns'],
      [s.returnRejected, buyer.email, '/returns'],
    ];
    for (const [event, to, path] of cases) {
      await mailpit.deleteAll();
      await publish(event);
      const all = await mailsArrive(mailpit, event === s.orderCompleted ? 2 : 1);
      const summary = all.find((m) => m.To?.some((t) => t.Address === to))!;
      const mail = await mailpit.message(summary.ID);
      expect(mail.Text).toContain(`${MAIL.publicUrl}${path}`);
      expect(mail.HTML).toContain(`href="${MAIL.publicUrl}${path}"`);
      if (event === s.shipmentShipped) expect(mail.Text).toMatch(/DHL[\s\S]*JD0001/);
      if (event === s.returnRejected) expect(mail.Text).toContain('Their message: Used <item>');
      if (event === s.orderCompleted) {
        // That seller's lines only, and whom to ship to.
        expect(mail.Text).toContain('Desk <Lamp> & "Shade" × 2');
        expect(mail.Text).not.toContain('Chair');
        expect(mail.Text).toContain('Ada Buyer');
      }
      await drained(jet.bus, listeners);
    }
  }, 120_000);

  it('payment.payout-sent: the seller is told the amount and the transfer, linked to /sell/payouts, once however often delivered', async () => {
    const sent = makeEvent(Subjects.PayoutSent, {
      id: oid(),
      sellerId: sellerA.id,
      amountMinor: 123456,
      currency: 'usd',
      transferId: 'tr_1Payout',
      version: 1,
    });
    await publish(sent);
    const [summary] = await mailsArrive(mailpit, 1);
    const mail = await mailpit.message(summary.ID);
    expect(summary.To?.map((t) => t.Address)).toEqual([sellerA.email]);
    expect(summary.Subject).toBe('Payout of $1,234.56 sent');
    for (const part of [mail.HTML, mail.Text]) {
      expect(part).toContain('tr_1Payout');
      expect(part).toContain(`${MAIL.publicUrl}/sell/payouts`);
    }
    await publishAgain(jet.bus, sent);
    await drained(jet.bus, listeners);
    expect(await mailCounts(mailpit)).toEqual({ [mailKey(sellerA.email, 'Payout of $1,234.56 sent')]: 1 });
    expect(await models.Notification.findOne({ userId: sellerA.id, channel: 'in-app' }).lean()).toMatchObject({
      kind: 'payout.sent',
      link: '/sell/payouts',
    });
  }, 60_000);
});
