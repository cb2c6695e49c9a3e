/**
 * The platform's commission arithmetic, in integer minor units (no floating point touches money).
 * Every ledger entry is `gross = net + commission` exactly, signed (sales positive, refunds
 * negative), so for every order the sum of sellers' nets plus the platform's commission equals
 * what was charged minus what was refunded, whatever the rounding below (SPEC invariant 11).
 */

/** A line's sale: what the buyer paid for it, the platform's cut and the seller's credit. */
export interface Split {
  grossMinor: number;
  commissionMinor: number;
  netMinor: number;
}

function assertMinor(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

/** `PLATFORM_COMMISSION_PERCENT`: a whole percentage 0–100 (whole, so the arithmetic stays in integers). */
export function assertCommissionPercent(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100)
    throw new RangeError(`commission percent must be an integer 0-100, got ${percent}`);
}

/** round(gross × percent / 100), halves rounded up, computed in integers. */
export function commissionOf(grossMinor: number, percent: number): number {
  assertMinor(grossMinor, 'gross');
  assertCommissionPercent(percent);
  return Math.floor((grossMinor * percent + 50) / 100);
}

/** The sale of `quantity` units at `priceMinor`: gross = price × quantity, net = gross − commission. */
export function saleSplit(priceMinor: number, quantity: number, percent: number): Split {
  assertMinor(priceMinor, 'price');
  if (!Number.isSafeInteger(quantity) || quantity < 1) throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
  const grossMinor = priceMinor * quantity;
  const commissionMinor = commissionOf(grossMinor, percent);
  return { grossMinor, commissionMinor, netMinor: grossMinor - commissionMinor };
}

/**
 * The refund of `units` of a sold line (`sale` covered `soldUnits`), as a debit (negative amounts).
 * The commission given back is the sale's commission × units / soldUnits, rounded DOWN: the
 * platform never gives back more commission than it took on the line, and refunding every unit
 * at once gives back all of it. Several partial refunds of one line may leave the platform a few
 * minor units of the line's commission (at most one per partial refund); the identity
 * gross = net + commission holds on every entry regardless.
 */
export function refundSplit(sale: Pick<Split, 'commissionMinor'>, soldUnits: number, priceMinor: number, units: number): Split {
  assertMinor(priceMinor, 'price');
  assertMinor(sale.commissionMinor, 'commission');
  if (!Number.isSafeInteger(units) || units < 1 || units > soldUnits)
    throw new RangeError(`refunded units must be 1-${soldUnits}, got ${units}`);
  const grossMinor = priceMinor * units;
  const commissionMinor = Math.min(Math.floor((sale.commissionMinor * units) / soldUnits), grossMinor);
  // `0 - x`, not `-x`: a zero share must be stored as 0, not -0.
  return { grossMinor: 0 - grossMinor, commissionMinor: 0 - commissionMinor, netMinor: 0 - (grossMinor - commissionMinor) };
}
