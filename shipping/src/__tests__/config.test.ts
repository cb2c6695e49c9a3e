import { ConfigError } from '@jetmart/common';
import { autoDeliverAfterMs, loadConfig, returnWindowMs } from '../config';

describe('shipping config', () => {
  it('defaults: port 3007, auto-delivery after 14 days', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.PORT).toBe(3007);
    expect(autoDeliverAfterMs(config)).toBe(14 * 24 * 3600 * 1000);
  });

  it('SHIPPING_AUTO_DELIVER_SECONDS overrides the days', () => {
    expect(autoDeliverAfterMs(loadConfig({ NODE_ENV: 'development', SHIPPING_AUTO_DELIVER_DAYS: '3' }))).toBe(3 * 24 * 3600 * 1000);
    expect(
      autoDeliverAfterMs(loadConfig({ NODE_ENV: 'development', SHIPPING_AUTO_DELIVER_DAYS: '3', SHIPPING_AUTO_DELIVER_SECONDS: '5' })),
    ).toBe(5000);
  });

  it('return window: 30 days by default; RETURN_WINDOW_SECONDS overrides RETURN_WINDOW_DAYS', () => {
    expect(returnWindowMs(loadConfig({ NODE_ENV: 'development' }))).toBe(30 * 24 * 3600 * 1000);
    expect(returnWindowMs(loadConfig({ NODE_ENV: 'development', RETURN_WINDOW_DAYS: '7' }))).toBe(7 * 24 * 3600 * 1000);
    expect(returnWindowMs(loadConfig({ NODE_ENV: 'development', RETURN_WINDOW_DAYS: '7', RETURN_WINDOW_SECONDS: '4' }))).toBe(4000);
  });

  it.each([
    ['RETURN_WINDOW_DAYS', '0'],
    ['RETURN_WINDOW_DAYS', '366'],
    ['RETURN_WINDOW_SECONDS', '0'],
    ['RETURN_WINDOW_SECONDS', 'soon'],
    ['SHIPPING_AUTO_DELIVER_DAYS', '0'],
    ['SHIPPING_AUTO_DELIVER_DAYS', 'two'],
    ['SHIPPING_AUTO_DELIVER_SECONDS', '-1'],
    ['SHIPPING_AUTO_DELIVER_SECONDS', '1.5'],
  ])('%s=%s is refused at start-up', (name, value) => {
    expect(() => loadConfig({ NODE_ENV: 'development', [name]: value })).toThrow(ConfigError);
  });

  it('production needs its database, NATS and JWT key set', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/MONGO_URL is not set[\s\S]*NATS_URL is not set[\s\S]*JWT_KEY is not set/);
  });
});
