import { loadConfig } from '../config';

describe('search config', () => {
  it('defaults outside production: port 3009, nobody may rebuild', () => {
    const config = loadConfig({ NODE_ENV: 'development', JWT_KEY: 'k' });
    expect(config.PORT).toBe(3009);
    expect(config.ADMIN_EMAILS).toBeUndefined();
  });

  it('reads admins case-insensitively', () => {
    const config = loadConfig({ NODE_ENV: 'development', JWT_KEY: 'k', ADMIN_EMAILS: ' Ops@Shop.dev, b@shop.dev ' });
    expect([...config.ADMIN_EMAILS!]).toEqual(['ops@shop.dev', 'b@shop.dev']);
  });

  it('production needs the database, NATS and the JWT key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/MONGO_URL[\s\S]*NATS_URL/);
  });
});
