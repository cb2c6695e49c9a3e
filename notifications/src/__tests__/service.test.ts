import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, makeEvent, startService, Subjects, type RunningService } from '@jetmart/common';
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
import { orderRef } from '../notify';
import { MAIL, oid, scenario } from './support/fixtures';

// The service as index.ts wires it (listeners, SMTP, HTTP): an account arrives as user.created, an
// order as order.created; the mail reaches Mailpit and the same fact is in the person's feed, which
// the bell reads (unread count) and marks read.
describe('notifications service', () => {
  let nats: NatsTestServer;
  let mailpit: MailpitServer;
  let service: RunningService<NotificationsModels>;
  const mailer = () => smtpMailer(mailpit.smtpUrl, 'Test Shop <shop@test.dev>');

  beforeAll(async () => {
    nats = await startNats();
    mailpit = await startMailpit();
    const smtp = mailer();
    service = await startService({
      name: 'notifications',
      port: 0,
      natsUrl: nats.url,
      mongoUrl: testDatabaseUrl('notifications_service'),
      logger: createLogger('notifications-test', { level: 'silent' }),
      models: (conn) => notificationsModels(conn),
      listeners: (ctx) => notificationsListeners(ctx.bus, { models: ctx.models, mailer: smtp, mail: MAIL }),
      app: (ctx) => buildApp(ctx, { jwtKey: process.env.JWT_KEY ?? TEST_JWT_KEY, jwtTtlSeconds: 3600 }),
    });
  }, 60_000);
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await service?.stop();
    await mailpit?.destroy();
    await nats?.destroy();
  });

  it('user.created then order.created → one email in Mailpit and one unread entry in the feed; read-all clears the count', async () => {
    const buyer = { id: oid(), email: `svc-${oid().slice(-6)}@test.dev` };
    const s = scenario(buyer.id, [oid(), oid()]);
    await service.ctx.bus.publish(makeEvent(Subjects.UserCreated, { id: buyer.id, email: buyer.email, displayName: 'Ada', version: 0 }));
    await service.ctx.bus.publish(s.orderCreated);

    const [mail] = await eventually(async () => {
      const all = await mailpit.messages();
      return all.length ? all : undefined;
    }, 20_000);
    expect(mail.To?.map((t) => t.Address)).toEqual([buyer.email]);
    expect(mail.Subject).toBe(`Order ${orderRef(s.orderCreated.data.id)} confirmed`);

    const cookie = signinCookie({ id: buyer.id });
    const feed = await request(service.server).get('/api/notifications').set('Cookie', cookie);
    expect(feed.status).toBe(200);
    expect(feed.body).toMatchObject({
      unread: 1,
      nextCursor: null,
      items: [{ kind: 'order.confirmed', title: mail.Subject, link: `/orders/${s.orderCreated.data.id}`, read: false }],
    });
    const cleared = await request(service.server).post('/api/notifications/read-all').set('Cookie', cookie);
    expect(cleared.body).toEqual({ marked: 1, unread: 0 });
    expect((await request(service.server).get('/api/notifications').set('Cookie', cookie)).body.unread).toBe(0);
    // Someone else sees nothing of it.
    expect(
      (
        await request(service.server)
          .get('/api/notifications')
          .set('Cookie', signinCookie({ id: oid() }))
      ).body.items,
    ).toEqual([]);
  }, 60_000);
});
