'use client';

import { useSyncExternalStore } from 'react';
import { ORDER_LIMITS } from '@jetmart/common/contracts';

/** One cart line: what the product page knew when it was added (price is re-checked at checkout). */
export interface CartLine {
  productId: string;
  title: string;
  price: number;
  quantity: number;
  /** Units available when added: an upper bound for the quantity picker. */
  available?: number;
}

export const CART_STORAGE_KEY = 'jetmart.cart.v1';
/** What POST /api/orders accepts: a cart never holds more, so checkout is not refused for size. */
export const MAX_LINE_QUANTITY = ORDER_LIMITS.maxLineQuantity;
export const MAX_LINES = ORDER_LIMITS.maxLines;

const EMPTY: CartLine[] = [];
let cached: { raw: string | null; lines: CartLine[] } = { raw: null, lines: EMPTY };
const listeners = new Set<() => void>();

function parse(raw: string | null): CartLine[] {
  if (!raw) return EMPTY;
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return EMPTY;
    return value.filter(
      (l): l is CartLine =>
        typeof l === 'object' &&
        l !== null &&
        typeof l.productId === 'string' &&
        typeof l.title === 'string' &&
        typeof l.price === 'number' &&
        Number.isInteger(l.quantity) &&
        l.quantity > 0,
    );
  } catch {
    return EMPTY;
  }
}

function read(): CartLine[] {
  let raw: string | null = null;
  try {
    raw = window.localStorage.getItem(CART_STORAGE_KEY);
  } catch {
    raw = null;
  }
  if (raw !== cached.raw) cached = { raw, lines: parse(raw) };
  return cached.lines;
}

function write(lines: CartLine[]): void {
  try {
    if (lines.length === 0) window.localStorage.removeItem(CART_STORAGE_KEY);
    else window.localStorage.setItem(CART_STORAGE_KEY, JSON.stringify(lines));
  } catch {
    // Storage full or disabled: the cart still works for this page view.
    cached = { raw: '__memory__', lines };
  }
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === CART_STORAGE_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

function clampQuantity(quantity: number, available?: number): number {
  const max = Math.min(MAX_LINE_QUANTITY, available ?? MAX_LINE_QUANTITY);
  return Math.max(1, Math.min(max, Math.floor(quantity)));
}

/** Adds units of a product (merging with an existing line). Returns false when the cart is full. */
export function addToCart(line: CartLine): boolean {
  const lines = read();
  const existing = lines.find((l) => l.productId === line.productId);
  if (!existing && lines.length >= MAX_LINES) return false;
  const next = existing
    ? lines.map((l) =>
        l.productId === line.productId
          ? {
              ...l,
              title: line.title,
              price: line.price,
              available: line.available,
              quantity: clampQuantity(l.quantity + line.quantity, line.available),
            }
          : l,
      )
    : [...lines, { ...line, quantity: clampQuantity(line.quantity, line.available) }];
  write(next);
  return true;
}

export function setLineQuantity(productId: string, quantity: number): void {
  write(read().map((l) => (l.productId === productId ? { ...l, quantity: clampQuantity(quantity, l.available) } : l)));
}

export function removeLine(productId: string): void {
  write(read().filter((l) => l.productId !== productId));
}

export function clearCart(): void {
  write(EMPTY);
}

/** The cart lines; `null` during server rendering and hydration (the cart lives in the browser). */
export function useCart(): CartLine[] | null {
  return useSyncExternalStore<CartLine[] | null>(subscribe, read, () => null);
}
