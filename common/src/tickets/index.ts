import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { eventDataSchemas, Subjects } from '../events';

/**
 * An order ticket: orders' signed statement "this order exists, at version 0, with these lines",
 * handed to its buyer with the answer to `POST /api/orders` and shown by the buyer to payments
 * with `POST /api/payments`. Payments can then start its replica of the order from the ticket
 * when `order.created` has not reached it yet (under load it can be seconds late), instead of
 * making the buyer wait for the event or answering 404.
 *
 * The claims are exactly what `order.created` gives payments (the same schema, picked from the
 * event's), so a replica started from a ticket equals the one the listener would write; the event
 * arriving later is then a duplicate. A ticket says nothing about later versions (a cancellation):
 * those still reach payments as events and apply in order onto version 0.
 *
 * Signed with HMAC-SHA256 under a key derived from the platform's shared `JWT_KEY` for this one
 * purpose: a session JWT can never pass as a ticket nor a ticket as a session (other key, other
 * format). The ticket lives as long as the order can be paid (`exp` = the order's `expiresAt`):
 * past it the order cannot be paid anyway.
 */

const created = eventDataSchemas[Subjects.OrderCreated];
const line = created.shape.items.element;

export const orderTicketClaimsSchema = z
  .object({
    orderId: created.shape.id,
    userId: created.shape.userId,
    totalMinor: created.shape.totalMinor,
    expiresAt: created.shape.expiresAt,
    items: z.array(line.pick({ productId: true, sellerId: true, priceMinor: true, quantity: true })).min(1),
    version: z.literal(0),
  })
  .strict();

/** What a ticket states about its order (the part of `order.created` payments keeps). */
export type OrderTicketClaims = z.infer<typeof orderTicketClaimsSchema>;

/** The largest ticket worth reading: 50 lines with ids of 24 characters fit in under 7,000. */
export const ORDER_TICKET_MAX_LENGTH = 10_000;

const VERSION_PREFIX = 'ot1';
const B64URL = /^[A-Za-z0-9_-]+$/;

/** The ticket key: separate from the session key it is derived from (domain separation). */
function ticketKey(sharedKey: string): Buffer {
  return createHmac('sha256', sharedKey).update('jetmart order ticket v1').digest();
}

function mac(sharedKey: string, signed: string): Buffer {
  return createHmac('sha256', ticketKey(sharedKey)).update(signed).digest();
}

/** Signs a ticket for an order just placed (orders, with `JWT_KEY`). */
export function signOrderTicket(claims: OrderTicketClaims, sharedKey: string): string {
  const payload = Buffer.from(JSON.stringify(orderTicketClaimsSchema.parse(claims))).toString('base64url');
  const signed = `${VERSION_PREFIX}.${payload}`;
  return `${signed}.${mac(sharedKey, signed).toString('base64url')}`;
}

export type OrderTicketCheck =
  | { ok: true; claims: OrderTicketClaims; expired: boolean }
  /** Not a ticket of ours: malformed, tampered with, signed with another key, or unreadable claims. */
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'bad-claims' };

/**
 * Verifies a ticket's form and signature and reads its claims. An expired ticket is still reported
 * with its claims (`expired: true`): whether that matters is the caller's decision (a payment of an
 * order payments already knows does not need the ticket at all). Never throws.
 */
export function verifyOrderTicket(ticket: unknown, sharedKey: string, now: Date = new Date()): OrderTicketCheck {
  if (typeof ticket !== 'string' || ticket.length > ORDER_TICKET_MAX_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = ticket.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION_PREFIX || !B64URL.test(parts[1]) || !B64URL.test(parts[2])) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(parts[2], 'base64url');
  const expected = mac(sharedKey, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad-claims' };
  }
  const parsed = orderTicketClaimsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'bad-claims' };
  return { ok: true, claims: parsed.data, expired: Date.parse(parsed.data.expiresAt) <= now.getTime() };
}
