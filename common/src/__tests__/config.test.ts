import { baseEnv, ConfigError, readEnv } from '..';

describe('readEnv', () => {
  it('uses dev defaults outside production', () => {
    const c = readEnv(baseEnv('orders', 3003), { NODE_ENV: 'development' });
    expect(c.PORT).toBe(3003);
    expect(c.MONGO_URL).toBe('mongodb://127.0.0.1:27017/orders');
    expect(c.JWT_KEY).toMatch(/dev-only/);
  });

  it('refuses to start in production without secrets, naming every missing variable', () => {
    try {
      readEnv(baseEnv('orders', 3003), { NODE_ENV: 'production' });
      throw new Error('expected ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('MONGO_URL is not set');
      expect(msg).toContain('NATS_URL is not set');
      expect(msg).toContain('JWT_KEY is not set');
    }
  });

  it('JETSTREAM_REPLICAS: 1 by default, 3 for a cluster, nothing outside 1..5', () => {
    expect(readEnv(baseEnv('orders', 3003), { NODE_ENV: 'development' }).JETSTREAM_REPLICAS).toBe(1);
    expect(readEnv(baseEnv('orders', 3003), { NODE_ENV: 'development', JETSTREAM_REPLICAS: '3' }).JETSTREAM_REPLICAS).toBe(3);
    for (const bad of ['0', '6', 'three', '2.5']) {
      expect(() => readEnv(baseEnv('orders', 3003), { NODE_ENV: 'development', JETSTREAM_REPLICAS: bad })).toThrow(
        /JETSTREAM_REPLICAS is invalid/,
      );
    }
  });

  it('reports invalid values', () => {
    expect(() => readEnv(baseEnv('orders', 3003), { NODE_ENV: 'development', PORT: 'eighty' })).toThrow(/PORT is invalid/);
  });
});
