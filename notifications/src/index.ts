import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { notificationsListeners } from './events/listeners';
import { smtpMailer } from './mail/mailer';
import { notificationsModels } from './models';

runService(() => {
  const config = loadConfig();
  const mailer = smtpMailer(config.SMTP_URL, config.MAIL_FROM);
  return {
    name: 'notifications',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    models: (conn) => notificationsModels(conn),
    listeners: (ctx) =>
      notificationsListeners(ctx.bus, { models: ctx.models, mailer, mail: { shopName: config.SHOP_NAME, publicUrl: config.PUBLIC_URL } }),
    app: (ctx) => buildApp(ctx, { jwtKey: config.JWT_KEY, jwtTtlSeconds: config.JWT_TTL_SECONDS }),
  };
});
