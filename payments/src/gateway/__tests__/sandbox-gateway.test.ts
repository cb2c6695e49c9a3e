import { SandboxGateway } from '../sandbox-gateway';
import type { ChargeRequest } from '../payment-gateway';

const request = (over: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amountMinor: 1999,
  currency: 'usd',
  token: 'tok_visa',
  idempotencyKey: 'key-1',
  description: 'test',
  metadata: {},
  ...over,
});

describe('SandboxGateway', () => {
  it('charges tok_visa and records the charge', async () => {
    const gateway = new SandboxGateway();
    const result = await gateway.charge(request());
    expect(result).toEqual({ outcome: 'succeeded', chargeId: expect.stringMatching(/^ch_sandbox_/) });
    expect(gateway.charges).toEqual([expect.objectContaining({ amountMinor: 1999, token: 'tok_visa', idempotencyKey: 'key-1' })]);
  });

  it('declines tok_chargeDeclined without charging', async () => {
    const gateway = new SandboxGateway();
    expect(await gateway.charge(request({ token: 'tok_chargeDeclined' }))).toEqual({
      outcome: 'declined',
      message: 'Your card was declined.',
    });
    expect(gateway.charges).toHaveLength(0);
  });

  it('reports an unknown token as invalid, not as a decline', async () => {
    const gateway = new SandboxGateway();
    expect(await gateway.charge(request({ token: 'tok_nonsense' }))).toMatchObject({ outcome: 'invalid_token' });
    expect(gateway.charges).toHaveLength(0);
  });

  it('returns the first result for a repeated idempotency key and charges once', async () => {
    const gateway = new SandboxGateway();
    const first = await gateway.charge(request());
    const again = await gateway.charge(request());
    expect(again).toEqual(first);
    expect(gateway.charges).toHaveLength(1);
    await gateway.charge(request({ idempotencyKey: 'key-2' }));
    expect(gateway.charges).toHaveLength(2);
  });

  it('refunds once per idempotency key', async () => {
    const gateway = new SandboxGateway();
    const a = await gateway.refund({ chargeId: 'ch_1', amountMinor: 10, idempotencyKey: 'r1' });
    const b = await gateway.refund({ chargeId: 'ch_1', amountMinor: 10, idempotencyKey: 'r1' });
    expect(b).toEqual(a);
    expect(gateway.refunds).toHaveLength(1);
  });

  it('refunds partial amounts of one charge under different keys', async () => {
    const gateway = new SandboxGateway();
    await gateway.refund({ chargeId: 'ch_1', amountMinor: 300, idempotencyKey: 'jetmart-refund-return-a' });
    await gateway.refund({ chargeId: 'ch_1', amountMinor: 200, idempotencyKey: 'jetmart-refund-shipment-cancelled-b' });
    expect(gateway.refunds.map((r) => [r.chargeId, r.amountMinor])).toEqual([
      ['ch_1', 300],
      ['ch_1', 200],
    ]);
  });
});
