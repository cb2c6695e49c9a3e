import { reasonOrderCannotBePaid } from '../order';
import { answerForExistingPayment } from '../payment';

describe('reasonOrderCannotBePaid', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const later = new Date('2030-01-01T00:15:00Z');
  it('allows a created order before its expiry', () => {
    expect(reasonOrderCannotBePaid({ status: 'created', expiresAt: later }, now)).toBeUndefined();
  });
  it('refuses at the expiry instant, before the cancellation event arrives', () => {
    expect(reasonOrderCannotBePaid({ status: 'created', expiresAt: now }, now)).toBe('Order has expired');
  });
  it('refuses cancelled and complete orders', () => {
    expect(reasonOrderCannotBePaid({ status: 'cancelled', expiresAt: later }, now)).toMatch(/cancelled/);
    expect(reasonOrderCannotBePaid({ status: 'complete', expiresAt: later }, now)).toMatch(/already been paid/);
  });
});

describe('answerForExistingPayment', () => {
  it('replays a succeeded payment only for the same client key', () => {
    expect(answerForExistingPayment({ status: 'succeeded', clientKey: 'k' }, 'k')).toEqual({ kind: 'replay' });
    expect(answerForExistingPayment({ status: 'succeeded', clientKey: 'k' }, 'other').kind).toBe('conflict');
    expect(answerForExistingPayment({ status: 'succeeded', clientKey: undefined }, undefined).kind).toBe('conflict');
  });
  it('lets a new attempt follow a failed one and refuses while one is pending', () => {
    expect(answerForExistingPayment({ status: 'failed' }, 'k')).toEqual({ kind: 'retry' });
    expect(answerForExistingPayment({ status: 'pending', clientKey: 'k' }, 'k').kind).toBe('conflict');
  });
});
