import Stripe from 'stripe';
import {
  GatewayUnavailableError,
  TransferRefusedError,
  type ChargeRequest,
  type ChargeResult,
  type PaymentGateway,
  type RefundRequest,
  type TransferRequest,
} from './payment-gateway';

export interface StripeGatewayOptions {
  secretKey: string;
  /** Overrides for stripe-mock or a proxy; Stripe's API otherwise. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** The SDK repeats failed network calls itself, with the same idempotency key. */
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

/**
 * Charges through Stripe's Charges API with a card token (`source`). The idempotency key goes in
 * Stripe's `Idempotency-Key` header, so a repeated request (SDK retry, our pending-payment sweeper,
 * another replica) returns the first charge instead of making a second one.
 */
export class StripeGateway implements PaymentGateway {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(opts: StripeGatewayOptions) {
    this.stripe = new Stripe(opts.secretKey, {
      host: opts.host,
      port: opts.port,
      protocol: opts.protocol,
      maxNetworkRetries: opts.maxNetworkRetries ?? 2,
      timeout: opts.timeoutMs ?? 20_000,
      appInfo: { name: 'jetmart-payments' },
    });
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    try {
      const charge = await this.stripe.charges.create(
        { amount: req.amountMinor, currency: req.currency, source: req.token, description: req.description, metadata: req.metadata },
        { idempotencyKey: req.idempotencyKey },
      );
      // A synchronous card charge is either succeeded or failed; `pending` only occurs for
      // asynchronous payment methods, which a card token is not.
      if (charge.status === 'failed') return { outcome: 'declined', message: charge.failure_message ?? 'Your card was declined.' };
      return { outcome: 'succeeded', chargeId: charge.id };
    } catch (err) {
      return classifyChargeError(err);
    }
  }

  async refund(req: RefundRequest): Promise<{ refundId: string }> {
    try {
      const refund = await this.stripe.refunds.create(
        { charge: req.chargeId, amount: req.amountMinor },
        { idempotencyKey: req.idempotencyKey },
      );
      return { refundId: refund.id };
    } catch (err) {
      throw new GatewayUnavailableError(`Stripe refund failed: ${(err as Error).message}`, err);
    }
  }

  /** A Connect "separate charges and transfers" transfer from the platform balance. */
  async transfer(req: TransferRequest): Promise<{ transferId: string }> {
    try {
      const transfer = await this.stripe.transfers.create(
        { amount: req.amountMinor, currency: req.currency, destination: req.destination, metadata: req.metadata },
        { idempotencyKey: req.idempotencyKey },
      );
      return { transferId: transfer.id };
    } catch (err) {
      const e = err as { type?: string; message?: string };
      // An invalid request (no such destination, insufficient platform funds) is Stripe's final
      // answer: nothing was transferred. Anything else may or may not have moved money.
      if (e?.type === 'StripeInvalidRequestError' || e?.type === 'StripePermissionError')
        throw new TransferRefusedError(e.message ?? 'Stripe refused the transfer');
      throw new GatewayUnavailableError(`Stripe transfer failed: ${e?.message ?? String(err)}`, err);
    }
  }
}

/** Maps Stripe's errors to what the buyer is told; anything not clearly final is "try again later". */
export function classifyChargeError(err: unknown): ChargeResult {
  const e = err as { type?: string; message?: string; code?: string; param?: string };
  if (e?.type === 'StripeCardError') return { outcome: 'declined', message: e.message ?? 'Your card was declined.' };
  if (
    e?.type === 'StripeInvalidRequestError' &&
    (e.param === 'source' || e.code === 'resource_missing' || e.code === 'token_already_used')
  ) {
    return { outcome: 'invalid_token', message: e.message ?? 'Invalid card token' };
  }
  throw new GatewayUnavailableError(`Stripe charge failed: ${e?.message ?? String(err)}`, err);
}
