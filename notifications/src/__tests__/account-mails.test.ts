import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, makeEvent, startService, Subjects, type Listener, type RunningService, type Subject } from '@jetmart/common';
import {
  eventually,
  signinCookie,
  startMailpit,
  startNats,
  TEST_JWT_KEY,
  testDatabaseUrl,
  type MailpitServer,
  type NatsTestServer,
} from '@jetmart/common/testing';
import { buildApp } from '../app';
import { notificationsListeners } from '../events/listeners';
import { smtpMailer } from '../mail/mailer';
import { notificationsModels, type NotificationsModels } from '../models';
import { MAIL, oid } from './support/fixtures';
import { drained, mailsArrive, publishAgain } from './support/mail';

// The account mails as auth publishes them (user.password-reset-requested, user.verification-
// requested), through the service as index.ts wires it, into real Mailpit. That the link's token
// then works at auth is the e2e accounts test; auth's own tests cover the token itself.
describe('notifications: account mails', () => {
  let nats: NatsTestServer;
  let mailpit: MailpitServer;
  let service: RunningService<NotificationsModels>;
  let listeners: Listener<Subject>[] = [];

  beforeAll(async () => {
    nats = await startNats();
    mailpit = await startMailpit();
    const smtp = smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');
    service = await startService({
      name: 'notifications',
      port: 0,
      natsUrl: nats.url,
      mongoUrl: testDatabaseUrl('notifications_account_mails'),
      logger: createLogger('notifications-test', { level: 'silent' }),
      models: (conn) => notificationsModels(conn),
      listeners: (ctx) => (listeners = notificationsListeners(ctx.bus, { models: ctx.models, mailer: smtp, mail: MAIL })),
      app: (ctx) => buildApp(ctx, { jwtKey: process.env.JWT_KEY ?? TEST_JWT_KEY, jwtTtlSeconds: 3600 }),
    });
  }, 60_000);
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await service?.stop();
    await mailpit?.destroy();
    await nats?.destroy();
  });
  beforeEach(() => mailpit.deleteAll());

  const token = () => randomBytes(32).toString('base64url');
  const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
  const models = () => service.ctx.models;

  it('a reset request: one mail to the address in the event (no contact needed) with the link to PUBLIC_URL/reset-password?token=; no record keeps the token; told once', async () => {
    const userId = oid();
    const secret = token();
    const event = makeEvent(Subjects.UserPasswordResetRequested, { userId, email: 'reset@test.dev', token: secret, expiresAt: inAnHour() });
    await service.ctx.bus.publish(event);

    const [summary] = await mailsArrive(mailpit, 1);
    expect(summary!.To?.map((t) => t.Address)).toEqual(['reset@test.dev']);
    expect(summary!.Subject).toBe('Reset your password');
    const mail = await mailpit.message(summary!.ID);
    const link = `${MAIL.publicUrl}/reset-password?token=${secret}`;
    expect(mail.Text).toContain(link);
    expect(mail.HTML).toContain(`href="${link}"`);
    // Exactly the token from the event comes back out of the link.
    const found = /https?:\/\/\S+\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.Text);
    expect(found?.[1]).toBe(secret);

    // The email's record, and no in-app entry: the feed is for facts; nothing stored holds the token.
    // The record is completed after the mail server accepted the mail, so it may still be pending
    // when the mail is already in Mailpit (seen in a full run with both cores loaded).
    await eventually(async () => (await models().Notification.find({ userId }).lean()).every((r) => r.status !== 'pending'));
    const records = await models().Notification.find({ userId }).lean();
    expect(records.map((r) => [r.channel, r.status, r.to, r.link])).toEqual([['email', 'sent', 'reset@test.dev', '/reset-password']]);
    expect(JSON.stringify(records)).not.toContain(secret);
    const feed = await request(service.server)
      .get('/api/notifications')
      .set('Cookie', signinCookie({ id: userId }));
    expect(feed.body).toMatchObject({ items: [], unread: 0 });

    // The same event again (a redelivery, a duplicate publish) sends nothing more.
    await publishAgain(service.ctx.bus, event);
    await drained(service.ctx.bus, listeners);
    expect(await mailpit.messages()).toHaveLength(1);
  });

  it('a verification request: the mail with PUBLIC_URL/verify-email?token=', async () => {
    const secret = token();
    await service.ctx.bus.publish(
      makeEvent(Subjects.UserVerificationRequested, { userId: oid(), email: 'new@test.dev', token: secret, expiresAt: inAnHour() }),
    );
    const [summary] = await mailsArrive(mailpit, 1);
    expect(summary!.Subject).toBe('Confirm your email address');
    const mail = await mailpit.message(summary!.ID);
    expect(mail.Text).toContain(`${MAIL.publicUrl}/verify-email?token=${secret}`);
  });

  it('nothing is sent to a person who deleted their account, nor a link that has already expired', async () => {
    const gone = oid();
    await service.ctx.bus.publish(makeEvent(Subjects.UserDeleted, { id: gone, version: 1 }));
    await eventually(async () => (await models().Contact.findById(gone).lean())?.deleted === true);
    await service.ctx.bus.publish(
      makeEvent(Subjects.UserPasswordResetRequested, { userId: gone, email: 'gone@test.dev', token: token(), expiresAt: inAnHour() }),
    );
    await service.ctx.bus.publish(
      makeEvent(Subjects.UserPasswordResetRequested, {
        userId: oid(),
        email: 'late@test.dev',
        token: token(),
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      }),
    );
    // A mail that does go out, so the test sees the listener working while it refuses the other two.
    await service.ctx.bus.publish(
      makeEvent(Subjects.UserPasswordResetRequested, { userId: oid(), email: 'marker@test.dev', token: token(), expiresAt: inAnHour() }),
    );
    await drained(service.ctx.bus, listeners);
    const all = await mailsArrive(mailpit, 1);
    expect(all.flatMap((m) => m.To?.map((t) => t.Address) ?? [])).toEqual(['marker@test.dev']);
    expect(await models().Notification.countDocuments({ userId: gone })).toBe(0);
  });
});
