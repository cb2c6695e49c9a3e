import { expirationEventId, expiryDecision } from '../expiry';

describe('expiryDecision', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('is due at the expiry instant and after it', () => {
    expect(expiryDecision(at(0), now, 300_000)).toEqual({ due: true });
    expect(expiryDecision(at(-5_000), now, 300_000)).toEqual({ due: true });
  });
  it('waits the time remaining when it is shorter than the hold cap', () => {
    expect(expiryDecision(at(2_500), now, 300_000)).toEqual({ due: false, waitMs: 2_500 });
  });
  it('fires only after the payment grace has passed too', () => {
    expect(expiryDecision(at(-1_000), now, 300_000, 5_000)).toEqual({ due: false, waitMs: 4_000 });
    expect(expiryDecision(at(-5_000), now, 300_000, 5_000)).toEqual({ due: true });
  });
  it('waits at most the hold cap for a far expiry (a 900 s order is looked at 3 times with a 300 s cap)', () => {
    expect(expiryDecision(at(900_000), now, 300_000)).toEqual({ due: false, waitMs: 300_000 });
  });
});

describe('expirationEventId', () => {
  it('is the same for every publish of one order and differs between orders', () => {
    expect(expirationEventId('abc')).toBe(expirationEventId('abc'));
    expect(expirationEventId('abc')).not.toBe(expirationEventId('abd'));
  });
});
