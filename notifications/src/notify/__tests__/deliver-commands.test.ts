/**
 * The database commands of telling an event (issue 21: fewer commands per checkout), counted with
 * the driver's command monitoring on a connection of its own, with real SMTP into Mailpit. Every
 * record of an event is written in one insert, each recipient's contact is read once (after that
 * insert: it is also the check that the person has not left), and each email's record is
 * completed once; a repeat of the event reads the records it finds and sends nothing.
 */
import mongoose from 'mongoose';
import { installDatabasePlugins } from '@jetmart/common';
import { startMailpit, useTestDatabase, type MailpitServer } from '@jetmart/common/testing';
import { smtpMailer, type Mailer } from '../../mail/mailer';
import { notificationsModels, type NotificationsModels } from '../../models';
import { deliverNotices, forgetPerson, orderConfirmed, salesMade } from '..';
import { MAIL, oid, scenario, seedPerson } from '../../__tests__/support/fixtures';

const db = useTestDatabase({ prefix: 'notifications_commands' });

let mailpit: MailpitServer;
let mailer: Mailer;
let monitored: mongoose.Connection;
let models: NotificationsModels;
const sent: string[] = [];
beforeAll(async () => {
  mailpit = await startMailpit();
  mailer = smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');
  monitored = await mongoose.createConnection(db.url(), { monitorCommands: true }).asPromise();
  installDatabasePlugins(monitored);
  models = notificationsModels(monitored);
  await models.Notification.syncIndexes();
  monitored.getClient().on('commandStarted', (e) => sent.push(`${e.commandName} ${String(e.command[e.commandName])}`));
}, 60_000);
afterAll(async () => {
  mailer?.close();
  await mailpit?.destroy();
  await monitored?.close();
});

/**
 * Tells the notices; returns the outcome and how many of each command went to notifications' own
 * collections. Document locks are apart (`_locks`), and so are reads of a record by the lock
 * itself before a guarded update (common/src/lock): `find notifications` is counted only where
 * deliverNotices itself reads (a repeat).
 */
async function tellCounting(eventId: string, notices: Parameters<typeof deliverNotices>[2]) {
  sent.length = 0;
  const outcome = await deliverNotices({ models, mailer, mail: MAIL }, eventId, notices);
  const count = (command: string) => sent.filter((c) => c === command).length;
  const commands = {
    insertRecords: count('insert notifications'),
    findContacts: count('find contacts'),
    updateRecords: count('update notifications'),
    deleteRecords: count('delete notifications'),
  };
  return { outcome, commands, findRecords: count('find notifications') };
}

describe('database commands of telling an event', () => {
  it('one notice: one insert of both records, one contact look-up, one completion; a repeat sends nothing and reads its record', async () => {
    const buyer = await seedPerson(models);
    const s = scenario(buyer.id, [oid(), oid()]);
    const first = await tellCounting(s.orderCreated.id, orderConfirmed(s.orderCreated.data));
    expect(first.outcome).toEqual({ kind: 'delivered', sent: 1, skipped: 0 });
    expect(first.commands).toEqual({ insertRecords: 1, findContacts: 1, updateRecords: 1, deleteRecords: 0 });
    const records = await models.Notification.find({ eventId: s.orderCreated.id }).lean();
    expect(records.map((r) => [r.channel, r.status, r.to]).sort()).toEqual([
      ['email', 'sent', buyer.email],
      ['in-app', 'sent', undefined],
    ]);

    const again = await tellCounting(s.orderCreated.id, orderConfirmed(s.orderCreated.data));
    expect(again.outcome).toEqual({ kind: 'delivered', sent: 0, skipped: 1 });
    expect(again.commands).toEqual({ insertRecords: 1, findContacts: 1, updateRecords: 0, deleteRecords: 0 });
    expect(again.findRecords).toBe(1);
    expect(await mailpit.messages()).toHaveLength(1);
  }, 30_000);

  it('two sellers in one event: still one insert for all four records, a look-up and a completion each', async () => {
    const [a, b] = [await seedPerson(models), await seedPerson(models)];
    const s = scenario(oid(), [a.id, b.id]);
    const { outcome, commands } = await tellCounting(s.orderCompleted.id, salesMade(s.orderCompleted.data));
    expect(outcome).toEqual({ kind: 'delivered', sent: 2, skipped: 0 });
    expect(commands).toEqual({ insertRecords: 1, findContacts: 2, updateRecords: 2, deleteRecords: 0 });
    expect(await models.Notification.countDocuments({ eventId: s.orderCompleted.id })).toBe(4);
  }, 30_000);

  it('a person who left: the records written before the look-up are removed again, nothing is sent', async () => {
    const buyer = await seedPerson(models);
    await forgetPerson({ models }, { id: buyer.id, version: 1 });
    const s = scenario(buyer.id, [oid(), oid()]);
    await mailpit.deleteAll();
    const { outcome, commands } = await tellCounting(s.orderCreated.id, orderConfirmed(s.orderCreated.data));
    expect(outcome).toEqual({ kind: 'delivered', sent: 0, skipped: 1 });
    expect(commands).toEqual({ insertRecords: 1, findContacts: 1, updateRecords: 0, deleteRecords: 2 });
    expect(await models.Notification.countDocuments({ userId: buyer.id })).toBe(0);
    expect(await mailpit.messages()).toHaveLength(0);
  }, 30_000);
});
