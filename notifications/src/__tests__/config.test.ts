import { ConfigError } from '@jetmart/common';
import { loadConfig } from '../config';

describe('notifications config', () => {
  it('defaults: port 3008, a local Mailpit, the local entry as the public address', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config).toMatchObject({
      PORT: 3008,
      SMTP_URL: 'smtp://127.0.0.1:1025',
      PUBLIC_URL: 'http://localhost:8080',
      SHOP_NAME: 'jetmart',
    });
  });

  it.each([
    ['SMTP_URL', 'http://mail.example'],
    ['SMTP_URL', 'not a url'],
    ['PUBLIC_URL', 'ftp://shop.example'],
    ['PUBLIC_URL', 'shop'],
  ])('%s=%s is refused at start-up', (name, value) => {
    expect(() => loadConfig({ NODE_ENV: 'development', [name]: value })).toThrow(ConfigError);
  });

  it('a refused SMTP_URL never shows its password', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', SMTP_URL: 'smtp://user:hunter2@' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'development', SMTP_URL: 'smtp://user:hunter2@' })).not.toThrow(/hunter2/);
  });

  it('production needs its database, NATS, JWT key, mail server, public address and sender set', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /MONGO_URL is not set[\s\S]*NATS_URL is not set[\s\S]*JWT_KEY is not set[\s\S]*SMTP_URL is not set[\s\S]*PUBLIC_URL is not set[\s\S]*MAIL_FROM is not set/,
    );
  });
});
