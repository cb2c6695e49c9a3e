import { z } from 'zod';

/** Largest price the API accepts, in currency units. */
export const MAX_PRICE = 1_000_000;

/** Decimal currency units (at most 2 decimals) → integer minor units. */
export function toMinor(amount: number): number {
  return Math.round(amount * 100);
}

/** Integer minor units → decimal currency units. */
export function fromMinor(minor: number): number {
  return minor / 100;
}

/** A price in the API: > 0, ≤ 1,000,000, at most two decimals. */
export const priceSchema = z
  .number({ error: 'price must be a number' })
  .finite()
  .gt(0, 'price must be greater than 0')
  .lte(MAX_PRICE, `price must be at most ${MAX_PRICE}`)
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'price can have at most 2 decimals');
