/**
 * What payments needs from a card processor. Every call carries an idempotency key: sending the
 * same request again with the same key must return the first result and never move money twice.
 */
export interface ChargeRequest {
  amountMinor: number;
  currency: string;
  /** A card token from the client (Stripe.js / test tokens such as `tok_visa`). */
  token: string;
  idempotencyKey: string;
  description: string;
  metadata: Record<string, string>;
}

export type ChargeResult =
  | { outcome: 'succeeded'; chargeId: string }
  /** The card was refused: nothing was charged, the buyer may try another card. */
  | { outcome: 'declined'; message: string }
  /** The processor does not know the token (malformed, used, or foreign): nothing was charged. */
  | { outcome: 'invalid_token'; message: string };

export interface RefundRequest {
  chargeId: string;
  amountMinor: number;
  idempotencyKey: string;
}

/** Money from the platform's balance to a seller's connected account (Stripe Connect transfer). */
export interface TransferRequest {
  amountMinor: number;
  currency: string;
  /** The connected account (`acct_…`). */
  destination: string;
  idempotencyKey: string;
  metadata: Record<string, string>;
}

export interface PaymentGateway {
  readonly name: string;
  charge(req: ChargeRequest): Promise<ChargeResult>;
  refund(req: RefundRequest): Promise<{ refundId: string }>;
  /** Throws `TransferRefusedError` when the processor answered no (nothing moved), `GatewayUnavailableError` when unsure. */
  transfer(req: TransferRequest): Promise<{ transferId: string }>;
}

/** The processor refused the transfer (unknown account, not enough platform balance): nothing moved. */
export class TransferRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferRefusedError';
  }
}

/**
 * The processor could not be reached or failed on its side: whether money moved is unknown, so the
 * caller keeps the attempt pending and repeats it later with the same idempotency key.
 */
export class GatewayUnavailableError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}
