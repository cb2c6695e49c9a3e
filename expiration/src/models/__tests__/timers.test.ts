import { deliveryDueEventId, expirationEventId, orderExpiryDueAt, returnWindowClosedEventId, timerDecision } from '../timers';

describe('timerDecision', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('is due at the due instant and after it', () => {
    expect(timerDecision(at(0), now, 300_000)).toEqual({ due: true });
    expect(timerDecision(at(-5_000), now, 300_000)).toEqual({ due: true });
  });
  it('waits the time remaining when it is shorter than the hold cap', () => {
    expect(timerDecision(at(2_500), now, 300_000)).toEqual({ due: false, waitMs: 2_500 });
  });
  it('waits at most the hold cap for a far timer (a 900 s order is looked at 3 times with a 300 s cap)', () => {
    expect(timerDecision(at(900_000), now, 300_000)).toEqual({ due: false, waitMs: 300_000 });
  });
});

describe('orderExpiryDueAt', () => {
  it('is the expiry plus the payment grace', () => {
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    expect(orderExpiryDueAt(expiresAt, 5_000).toISOString()).toBe('2030-01-01T00:00:05.000Z');
    expect(orderExpiryDueAt(expiresAt).getTime()).toBe(expiresAt.getTime());
  });
  it('an order past its expiry is not due until the grace has passed too', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(timerDecision(orderExpiryDueAt(new Date(now.getTime() - 1_000), 5_000), now, 300_000)).toEqual({ due: false, waitMs: 4_000 });
    expect(timerDecision(orderExpiryDueAt(new Date(now.getTime() - 5_000), 5_000), now, 300_000)).toEqual({ due: true });
  });
});

describe('event ids', () => {
  it('an expiry id is the same for every publish of one order and differs between orders', () => {
    expect(expirationEventId('abc')).toBe(expirationEventId('abc'));
    expect(expirationEventId('abc')).not.toBe(expirationEventId('abd'));
  });
  it('a delivery-due id is the same for one shipment version and differs between shipments and versions', () => {
    expect(deliveryDueEventId('s1', 1)).toBe(deliveryDueEventId('s1', 1));
    expect(deliveryDueEventId('s1', 1)).not.toBe(deliveryDueEventId('s2', 1));
    expect(deliveryDueEventId('s1', 1)).not.toBe(deliveryDueEventId('s1', 3));
    expect(deliveryDueEventId('s1', 1)).not.toBe(expirationEventId('s1'));
  });
});

describe('returnWindowClosedEventId', () => {
  it('is the same for the same shipment and delivered version, and differs from every other timer id', () => {
    expect(returnWindowClosedEventId('s1', 2)).toBe(returnWindowClosedEventId('s1', 2));
    expect(returnWindowClosedEventId('s1', 2)).not.toBe(returnWindowClosedEventId('s1', 3));
    expect(returnWindowClosedEventId('s1', 2)).not.toBe(returnWindowClosedEventId('s2', 2));
    expect(returnWindowClosedEventId('s1', 2)).not.toBe(deliveryDueEventId('s1', 2));
    expect(returnWindowClosedEventId('s1', 2)).not.toBe(expirationEventId('s1'));
  });
});
