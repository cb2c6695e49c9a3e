/**
 * The records of the sellers' money API (payments: ledger, payout account, payouts, the platform's
 * commission). Pure types, like records.ts; money is a decimal number of currency units.
 */

export interface LedgerBalance {
  /** Credits of parts not yet delivered or still inside their return window. */
  pending: number;
  /** What a payout would move now (negative when refunds after release exceed it). */
  available: number;
  /** Every payout reserved so far (sent, or being sent). */
  paidOut: number;
}

export type LedgerEntryKind = 'sale' | 'refund' | 'payout';

export interface LedgerEntry {
  id: string;
  kind: LedgerEntryKind;
  /** The order of a sale or refund; null for a payout. */
  orderId: string | null;
  productId?: string | null;
  /** Signed: a sale is positive, a refund and a payout negative. gross = net + commission. */
  gross: number;
  commission: number;
  net: number;
  commissionPercent: number;
  createdAt: string;
  /** When the entry's money became available (its part released); null while pending. */
  availableAt?: string | null;
}

export interface Ledger {
  balance: LedgerBalance;
  entries: LedgerEntry[];
  nextCursor: string | null;
}

export interface SellerAccount {
  /** The connected Stripe account (`acct_…`) payouts go to. */
  stripeAccountId: string | null;
}

export type PayoutStatus = 'pending' | 'sent' | 'failed';

export interface Payout {
  id: string;
  amount: number;
  status: PayoutStatus;
  transferId: string | null;
  createdAt: string;
}

export interface PayoutList {
  payouts: Payout[];
}

export interface CommissionDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  commission: number;
}

export interface CommissionReport {
  days: CommissionDay[];
}

/** A deleted seller's balance with no connected account to pay it to (admins: GET /api/payments/unclaimed-balances). */
export interface UnclaimedBalance {
  sellerId: string;
  available: number;
  pending: number;
  /** ISO date: when the seller's user account was deleted. */
  closedAt: string;
}

export interface UnclaimedBalances {
  balances: UnclaimedBalance[];
}

/** `acct_` and Stripe's id alphabet. */
export const STRIPE_ACCOUNT_ID_PATTERN = /^acct_[A-Za-z0-9]{1,64}$/;
/** `GET /api/payments/commission?days=`: 1–366, default 30. */
export const COMMISSION_LIMITS = { maxDays: 366, defaultDays: 30 } as const;
/** `GET /api/sellers/me/ledger`: entries per page. */
export const LEDGER_PAGE_SIZE = 50;
