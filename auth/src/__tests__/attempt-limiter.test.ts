import { AttemptLimiter } from '../models/attempt-limiter';

describe('AttemptLimiter', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('allows maxAttempts per key per window, then says how long to wait', () => {
    const limiter = new AttemptLimiter(2, 60_000, 100, clock);
    expect(limiter.hit('ip|a')).toEqual({ allowed: true });
    expect(limiter.hit('ip|a')).toEqual({ allowed: true });
    expect(limiter.hit('ip|a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    now += 45_500;
    expect(limiter.hit('ip|a')).toEqual({ allowed: false, retryAfterSeconds: 15 });
    expect(limiter.hit('ip|b')).toEqual({ allowed: true });
  });

  it('starts a fresh window once the old one has passed', () => {
    const limiter = new AttemptLimiter(1, 10_000, 100, clock);
    expect(limiter.hit('k').allowed).toBe(true);
    expect(limiter.hit('k').allowed).toBe(false);
    now += 10_000;
    expect(limiter.hit('k').allowed).toBe(true);
    expect(limiter.hit('k').allowed).toBe(false);
  });

  it('remembers at most maxKeys keys, dropping expired windows first', () => {
    const limiter = new AttemptLimiter(1, 10_000, 3, clock);
    limiter.hit('old');
    now += 10_000;
    limiter.hit('a');
    limiter.hit('b');
    limiter.hit('c'); // full: the expired 'old' goes
    expect(limiter.size).toBe(3);
    expect(limiter.hit('a').allowed).toBe(false);
    limiter.hit('d'); // full of live windows: the oldest ('a') goes
    expect(limiter.size).toBe(3);
    expect(limiter.hit('a').allowed).toBe(true);
  });
});
