import { randomBytes } from 'node:crypto';
import {
  TransferRefusedError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentGateway,
  type RefundRequest,
  type TransferRequest,
} from './payment-gateway';

/** Stripe's documented test tokens that succeed. */
export const SANDBOX_SUCCEEDING_TOKENS = new Set([
  'tok_visa',
  'tok_visa_debit',
  'tok_mastercard',
  'tok_mastercard_debit',
  'tok_amex',
  'tok_discover',
]);

/** Stripe's documented test tokens that are declined, with the message Stripe gives. */
export const SANDBOX_DECLINING_TOKENS: Record<string, string> = {
  tok_chargeDeclined: 'Your card was declined.',
  tok_chargeDeclinedInsufficientFunds: 'Your card has insufficient funds.',
  tok_chargeDeclinedExpiredCard: 'Your card has expired.',
  tok_chargeDeclinedIncorrectCvc: "Your card's security code is incorrect.",
  tok_chargeDeclinedFraudulent: 'Your card was declined.',
  tok_chargeDeclinedProcessingError: 'An error occurred while processing your card. Try again in a little bit.',
};

export interface SandboxCharge {
  id: string;
  amountMinor: number;
  currency: string;
  token: string;
  idempotencyKey: string;
}

/**
 * The built-in gateway used when no Stripe key is configured: no money moves. It behaves like
 * Stripe for the test tokens, including idempotency keys (same key → the first result), so the
 * service's one-charge-per-order logic is exercised the same way. Its memory is per process:
 * after a restart a replayed key charges the sandbox again, which moves no money.
 */
export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox';
  /** Every charge that went through, in order (tests count them). */
  readonly charges: SandboxCharge[] = [];
  readonly refunds: Array<{ id: string; chargeId: string; amountMinor: number }> = [];
  private readonly results = new Map<string, ChargeResult>();
  readonly transfers: Array<{ id: string; amountMinor: number; currency: string; destination: string; idempotencyKey: string }> = [];
  private readonly refundResults = new Map<string, { refundId: string }>();
  private readonly transferResults = new Map<string, { transferId: string }>();

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const earlier = this.results.get(req.idempotencyKey);
    if (earlier) return earlier;
    const result = this.decide(req);
    if (result.outcome === 'succeeded') {
      this.charges.push({
        id: result.chargeId,
        amountMinor: req.amountMinor,
        currency: req.currency,
        token: req.token,
        idempotencyKey: req.idempotencyKey,
      });
    }
    this.results.set(req.idempotencyKey, result);
    return result;
  }

  async refund(req: RefundRequest): Promise<{ refundId: string }> {
    const earlier = this.refundResults.get(req.idempotencyKey);
    if (earlier) return earlier;
    const refund = { refundId: `re_sandbox_${randomBytes(8).toString('hex')}` };
    this.refunds.push({ id: refund.refundId, chargeId: req.chargeId, amountMinor: req.amountMinor });
    this.refundResults.set(req.idempotencyKey, refund);
    return refund;
  }

  /** Any `acct_…` is a connected account here (contracts: "any in the sandbox"). */
  async transfer(req: TransferRequest): Promise<{ transferId: string }> {
    const earlier = this.transferResults.get(req.idempotencyKey);
    if (earlier) return earlier;
    if (!/^acct_[A-Za-z0-9]+$/.test(req.destination))
      throw new TransferRefusedError(`No such destination: '${req.destination.slice(0, 64)}'`);
    const transfer = { transferId: `tr_sandbox_${randomBytes(8).toString('hex')}` };
    this.transfers.push({
      id: transfer.transferId,
      amountMinor: req.amountMinor,
      currency: req.currency,
      destination: req.destination,
      idempotencyKey: req.idempotencyKey,
    });
    this.transferResults.set(req.idempotencyKey, transfer);
    return transfer;
  }

  private decide(req: ChargeRequest): ChargeResult {
    if (SANDBOX_SUCCEEDING_TOKENS.has(req.token)) return { outcome: 'succeeded', chargeId: `ch_sandbox_${randomBytes(8).toString('hex')}` };
    const declined = SANDBOX_DECLINING_TOKENS[req.token];
    if (declined) return { outcome: 'declined', message: declined };
    return { outcome: 'invalid_token', message: `No such token: '${req.token.slice(0, 64)}'` };
  }
}
