import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { OpenPayoutSweeper } from '../../background/open-payout-sweeper';
import { createLogger } from '@jetmart/common';
import { GatewayUnavailableError, TransferRefusedError, type PaymentGateway, type TransferRequest } from '../../gateway/payment-gateway';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { balanceOf } from '../../ledger';
import { appendEntry, payoutIdempotencyKey, releasePart, reservePayout, setPayoutAccount } from '../../models';
import { testModels } from '../../__tests__/support/fixtures';
import { requestPayout, type PayoutDeps } from '..';

useTestDatabase({ prefix: 'payments_payouts' });
const models = testModels();
const { Payout, SellerAccount, LedgerEntry } = models;
const oid = () => new mongoose.Types.ObjectId().toHexString();

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
});

/** A seller with `releasedNet` available (one released sale) and `pendingNet` pending, and a payout account. */
async function seller(releasedNet: number, pendingNet = 0) {
  const sellerId = oid();
  for (const [net, released] of [
    [releasedNet, true],
    [pendingNet, false],
  ] as const) {
    if (!net) continue;
    const orderId = oid();
    await appendEntry(LedgerEntry, {
      _id: `sale-${oid()}-0`,
      sellerId,
      kind: 'sale',
      orderId,
      productId: 'p',
      quantity: 1,
      sourceId: oid(),
      grossMinor: net + 1,
      commissionMinor: 1,
      netMinor: net,
      commissionPercent: 10,
    });
    if (released) await releasePart(models.Release, { orderId, sellerId, reason: 'return-window-closed' });
  }
  await setPayoutAccount(SellerAccount, sellerId, 'acct_1Seller');
  return sellerId;
}

const depsWith = (gateway: PaymentGateway): PayoutDeps => ({ models, gateway, currency: 'usd', retryAfterMs: 30_000 });

describe('requestPayout', () => {
  it('transfers exactly the available balance once, records it sent with its event, and leaves available at 0', async () => {
    const sandbox = new SandboxGateway();
    const sellerId = await seller(4321, 1000);
    const outcome = await requestPayout(depsWith(sandbox), sellerId);
    expect(outcome.kind).toBe('sent');
    const payout = (await Payout.findOne({ sellerId }).lean())!;
    expect(payout).toMatchObject({
      amountMinor: 4321,
      status: 'sent',
      destination: 'acct_1Seller',
      availableMinor: 4321,
      transferId: sandbox.transfers[0].id,
    });
    expect(sandbox.transfers).toEqual([
      expect.objectContaining({ amountMinor: 4321, destination: 'acct_1Seller', idempotencyKey: payoutIdempotencyKey(String(payout._id)) }),
    ]);
    expect(payout.outbox.map((e) => e.event)).toEqual([
      expect.objectContaining({
        subject: 'payment.payout-sent',
        data: { id: String(payout._id), sellerId, amountMinor: 4321, currency: 'usd', transferId: sandbox.transfers[0].id, version: 1 },
      }),
    ]);
    expect(await LedgerEntry.findById(`payout-${String(payout._id)}`).lean()).toMatchObject({
      kind: 'payout',
      netMinor: -4321,
      grossMinor: -4321,
      commissionMinor: 0,
    });
    expect(await balanceOf(models, sellerId)).toEqual({ pendingMinor: 1000, availableMinor: 0, paidOutMinor: 4321 });
    expect((await SellerAccount.findById(sellerId).lean())!.openPayout).toBeUndefined();
    expect(await requestPayout(depsWith(sandbox), sellerId)).toEqual({ kind: 'nothing-available', availableMinor: 0 });
    expect(sandbox.transfers).toHaveLength(1);
  });

  it('no account → no-account; nothing released → nothing-available', async () => {
    const sandbox = new SandboxGateway();
    expect(await requestPayout(depsWith(sandbox), oid())).toEqual({ kind: 'no-account' });
    const onlyPending = await seller(0, 500);
    expect(await requestPayout(depsWith(sandbox), onlyPending)).toEqual({ kind: 'nothing-available', availableMinor: 0 });
    expect(sandbox.transfers).toHaveLength(0);
  });

  it('10 concurrent requests: exactly one payout of exactly the available amount', async () => {
    const sandbox = new SandboxGateway();
    const sellerId = await seller(9999);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => requestPayout(depsWith(sandbox), sellerId)));
    expect(outcomes.filter((o) => o.kind === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind !== 'sent').every((o) => o.kind === 'in-progress' || o.kind === 'nothing-available')).toBe(true);
    expect(await Payout.find({ sellerId }).lean()).toEqual([expect.objectContaining({ amountMinor: 9999, status: 'sent' })]);
    expect(sandbox.transfers.map((t) => t.amountMinor)).toEqual([9999]);
    expect(await balanceOf(models, sellerId)).toMatchObject({ availableMinor: 0, paidOutMinor: 9999 });
  });

  it('a refund debited between the balance read and the reservation: the too-large reservation is withdrawn and the payout is the smaller available amount', async () => {
    const sellerId = oid();
    const orderId = oid();
    const sale = { sellerId, orderId, productId: 'p', quantity: 2, commissionPercent: 10 };
    await appendEntry(LedgerEntry, {
      _id: `sale-${oid()}-0`,
      kind: 'sale',
      sourceId: oid(),
      grossMinor: 1100,
      commissionMinor: 100,
      netMinor: 1000,
      ...sale,
    });
    await releasePart(models.Release, { orderId, sellerId, reason: 'return-window-closed' });
    await setPayoutAccount(SellerAccount, sellerId, 'acct_1Seller');
    // The refund lands exactly in the gap: after requestPayout read 1000 available, before its
    // conditional reservation (the first conditional update of paidOutMinor) is written.
    let refundPosted = false;
    const racingAccounts = new Proxy(SellerAccount, {
      get(target, prop, receiver) {
        if (prop !== 'updateOne') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<typeof SellerAccount.updateOne>) => {
          if (!refundPosted && 'paidOutMinor' in (args[0] as object)) {
            refundPosted = true;
            await appendEntry(LedgerEntry, {
              _id: `refund-${oid()}-0`,
              kind: 'refund',
              sourceId: oid(),
              grossMinor: -330,
              commissionMinor: -30,
              netMinor: -300,
              ...sale,
              quantity: 1,
            });
          }
          return target.updateOne(...args);
        };
      },
    });
    const sandbox = new SandboxGateway();
    const outcome = await requestPayout({ ...depsWith(sandbox), models: { ...models, SellerAccount: racingAccounts } }, sellerId);
    expect(refundPosted).toBe(true);
    expect(outcome).toMatchObject({ kind: 'sent', payout: expect.objectContaining({ amountMinor: 700 }) });
    expect(sandbox.transfers.map((t) => t.amountMinor)).toEqual([700]);
    expect(await Payout.find({ sellerId }).lean()).toEqual([
      expect.objectContaining({ amountMinor: 700, availableMinor: 700, status: 'sent' }),
    ]);
    expect(await balanceOf(models, sellerId)).toMatchObject({ availableMinor: 0, paidOutMinor: 700 });
  });

  it('crash after reserving: the open payout is finished later with the same idempotency key (request or sweeper), never twice', async () => {
    const sandbox = new SandboxGateway();
    let crashAfterTransfer = 1;
    // The processor transfers, then the process "dies" before anything is recorded.
    const crashing: PaymentGateway = {
      name: 'crashing',
      charge: (r) => sandbox.charge(r),
      refund: (r) => sandbox.refund(r),
      async transfer(r: TransferRequest) {
        const answer = await sandbox.transfer(r);
        if (crashAfterTransfer-- > 0) throw new Error('crashed after the processor answered');
        return answer;
      },
    };
    const sellerId = await seller(2500);
    await expect(requestPayout(depsWith(crashing), sellerId)).rejects.toThrow('crashed');
    const open = (await SellerAccount.findById(sellerId).lean())!.openPayout!;
    expect(open).toMatchObject({ amountMinor: 2500 });
    expect(await Payout.findById(open.id).lean()).toMatchObject({ status: 'pending' });
    // Within the retry delay another request is told to wait, and nothing moves.
    expect(await requestPayout(depsWith(crashing), sellerId)).toEqual({ kind: 'in-progress' });
    // The sweeper, past the delay, finishes it: same key, so the processor returns the first transfer.
    const sweeper = new OpenPayoutSweeper({ ...depsWith(crashing), retryAfterMs: 0 }, { logger: createLogger('t', { level: 'silent' }) });
    expect(await sweeper.sweep(new Date(Date.now() + 1))).toBe(1);
    expect(sandbox.transfers).toHaveLength(1);
    expect(await Payout.findById(open.id).lean()).toMatchObject({ status: 'sent', transferId: sandbox.transfers[0].id });
    expect(await balanceOf(models, sellerId)).toMatchObject({ availableMinor: 0, paidOutMinor: 2500 });

    // A reservation whose process died before even recording the payout: the next request past the delay does it all.
    const other = await seller(700);
    const reservedAt = new Date(Date.now() - 60_000);
    expect(
      await reservePayout(SellerAccount, other, 0, {
        id: oid(),
        amountMinor: 700,
        destination: 'acct_1Seller',
        availableMinor: 700,
        createdAt: reservedAt,
      }),
    ).toBe(true);
    const resumed = await requestPayout(depsWith(sandbox), other);
    expect(resumed.kind).toBe('sent');
    expect(sandbox.transfers.map((t) => t.amountMinor)).toEqual([2500, 700]);
    expect(await balanceOf(models, other)).toMatchObject({ availableMinor: 0, paidOutMinor: 700 });
  });

  it('processor down: the payout stays reserved (not available again); refused: nothing moved and the amount is available again', async () => {
    const sellerId = await seller(800);
    const down: PaymentGateway = {
      name: 'down',
      charge: () => Promise.reject(new GatewayUnavailableError('down')),
      refund: () => Promise.reject(new GatewayUnavailableError('down')),
      transfer: () => Promise.reject(new GatewayUnavailableError('down')),
    };
    expect(await requestPayout(depsWith(down), sellerId)).toMatchObject({ kind: 'processor-unavailable' });
    expect(await balanceOf(models, sellerId)).toMatchObject({ availableMinor: 0, paidOutMinor: 800 });

    const refusing: PaymentGateway = { ...down, transfer: () => Promise.reject(new TransferRefusedError('No such destination')) };
    const later = await requestPayout({ ...depsWith(refusing), retryAfterMs: 0 }, sellerId);
    expect(later).toMatchObject({ kind: 'refused', message: 'No such destination' });
    expect(await Payout.find({ sellerId }).lean()).toEqual([
      expect.objectContaining({ status: 'failed', failureMessage: 'No such destination', outbox: [] }),
    ]);
    expect(await balanceOf(models, sellerId)).toMatchObject({ availableMinor: 800, paidOutMinor: 0 });
    expect(await LedgerEntry.countDocuments({ sellerId, kind: 'payout' })).toBe(0);
  });
});
