import { baseEnv, isProduction, readEnv } from '@jetmart/common';

/** An smtp:// or smtps:// URL (credentials, if any, in the URL: `smtps://user:pass@host:465`). */
export function parseSmtpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw.replace(/\/\/[^@/]*@/, '//***@')}" is not a URL`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('must start with smtp:// or smtps://');
  return raw;
}

/** The storefront's public origin: links in emails point there. */
export function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be http(s)');
  if (isProduction() && url.protocol !== 'https:') throw new Error('must be https in production');
  return url.origin;
}

/** Everything notifications reads from the environment; `loadConfig()` fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('notifications', 3008),
      SMTP_URL: {
        describe: 'mail server, smtp:// or smtps:// with credentials in the URL (Kubernetes secret smtp-secret; locally Mailpit)',
        devDefault: 'smtp://127.0.0.1:1025',
        parse: parseSmtpUrl,
      },
      PUBLIC_URL: {
        describe: "the storefront's public address: every link in an email points there",
        devDefault: 'http://localhost:8080',
        parse: parsePublicUrl,
      },
      SHOP_NAME: { describe: 'the name of the shop in every email', default: 'jetmart' },
      MAIL_FROM: {
        describe: 'the From address of every email',
        devDefault: 'jetmart <no-reply@jetmart.dev>',
      },
    },
    env,
  );
}

export type NotificationsConfig = ReturnType<typeof loadConfig>;
