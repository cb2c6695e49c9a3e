import mongoose from 'mongoose';
import { isDuplicateKey, verifyOrderTicket, type OrderTicketClaims } from '@jetmart/common';
import { GatewayUnavailableError, type PaymentGateway } from '../gateway/payment-gateway';
import {
  answerForExistingPayment,
  newOrderReplica,
  newPaymentAttempt,
  orderReplicated,
  reasonOrderCannotBePaid,
  startOrderReplica,
  type OrderDoc,
  type PaymentDoc,
  type PaymentsModels,
} from '../models';
import { chargePendingPayment } from './charge-pending';

/**
 * How one charge per order holds without transactions, across crashes and replicas:
 *   1. claim   — the payment document is inserted (or a failed one moved to a new attempt) in
 *                state `pending`, with `payment.started` in the same write (orders then waits for
 *                the attempt instead of expiring the order under it); the unique `orderId` index
 *                lets exactly one request win.
 *   2. recheck — the order is read again after the claim. The cancel listener writes the order
 *                first and looks for payments second, this request does the opposite, so at least
 *                one of them sees the other: either we see the cancellation and charge nothing, or
 *                the listener sees our pending payment and waits for it (then refunds).
 *   3. charge  — with an idempotency key derived from the order id and attempt number, so any
 *                repeat of this attempt (SDK retry, the sweeper after a crash) returns this charge.
 *   4. settle  — status and its event (`payment.created`, or `payment.failed` for a decline) in one
 *                single-document save (outbox).
 */
export interface PayOrderDeps {
  models: PaymentsModels;
  gateway: PaymentGateway;
  currency: string;
  /**
   * A buyer pays right after ordering, and order.created reaches this replica a moment later
   * (eventual consistency): wait this long for an order we do not know yet before answering 404.
   */
  orderReplicaWaitMs?: number;
  /** The platform's shared key (`JWT_KEY`): order tickets are verified with it. */
  ticketKey: string;
}

export interface PayOrderInput {
  orderId: string;
  userId: string;
  token: string;
  clientKey?: string;
  /**
   * The order ticket orders gave the buyer with the placed order: with it, an order whose
   * order.created has not arrived yet is taken from the ticket instead of waited for.
   */
  orderTicket?: string;
}

/** How paying an order ended; the route turns each into its HTTP answer. */
export type PayOrderOutcome =
  /** Charged now, or the same client key again after a success (its first answer, no new charge). */
  | { kind: 'paid'; payment: PaymentDoc }
  /** No such order, or another buyer's (reported alike: ids reveal nothing). */
  | { kind: 'order-not-found' }
  /** The order cannot be paid (cancelled, expired, paid) or a payment of it is in flight. */
  | { kind: 'conflict'; message: string }
  /** The card was refused; nothing was charged and another card may be tried. */
  | { kind: 'declined'; message?: string }
  /** The order ticket is not orders' ticket for this order (forged, tampered, another order's). */
  | { kind: 'invalid-ticket'; message: string }
  /** The processor does not know the card token; nothing was charged. */
  | { kind: 'invalid-token'; message: string }
  /** Unknown whether money moved: the attempt stays pending and the sweeper finishes it. */
  | { kind: 'processor-unavailable' };

export const IN_FLIGHT_MESSAGE = 'A payment for this order is already being processed';
const MAX_CLAIM_ROUNDS = 5;

/**
 * How often a waiting payment looks for its order again. The replica's insert in this process
 * wakes it at once; the look-ups are for a replica written by another replica of payments.
 * (At 50 ms, 16 waiting requests were 320 reads/s on a database that was already the bottleneck.)
 */
const ORDER_RECHECK_MS = 250;

/** The order replica, waiting up to `waitMs` for one that may not have been replicated yet. */
async function findOrderSoon(models: PaymentsModels, orderId: string, waitMs: number): Promise<OrderDoc | null> {
  const until = Date.now() + waitMs;
  // Only ids that could be an order are worth waiting for (ids are ObjectIds; anything else is unknown).
  const waitable = waitMs > 0 && mongoose.isObjectIdOrHexString(orderId);
  for (;;) {
    // Listen before reading, so an insert between the read and the wait is not missed.
    const wait = waitable ? orderReplicated(orderId, Math.min(ORDER_RECHECK_MS, until - Date.now())) : undefined;
    const order = await models.Order.findById(orderId);
    if (order || !wait || Date.now() >= until) {
      wait?.cancel();
      return order;
    }
    await wait.arrived;
  }
}

type TicketCheck =
  | { kind: 'none' }
  | { kind: 'valid'; claims: OrderTicketClaims; expired: boolean }
  | Extract<PayOrderOutcome, { kind: 'invalid-ticket' | 'order-not-found' }>;

/** What the ticket sent with a payment says, checked before anything is read. */
function checkTicket(deps: PayOrderDeps, input: PayOrderInput, now: Date): TicketCheck {
  if (input.orderTicket === undefined) return { kind: 'none' };
  const check = verifyOrderTicket(input.orderTicket, deps.ticketKey, now);
  if (!check.ok) return { kind: 'invalid-ticket', message: 'orderTicket is not a valid order ticket' };
  if (check.claims.orderId !== input.orderId) return { kind: 'invalid-ticket', message: 'orderTicket is the ticket of another order' };
  // Another buyer's ticket proves nothing to this one: the same answer as another buyer's order.
  if (check.claims.userId !== input.userId) return { kind: 'order-not-found' };
  return { kind: 'valid', claims: check.claims, expired: check.expired };
}

/**
 * The order to pay: with a valid ticket, the replica started from the ticket (the same insert as
 * the order.created listener's; the event is then a duplicate), or the replica there is already;
 * else the replica waited for (clients that send no ticket).
 */
async function findOrder(deps: PayOrderDeps, input: PayOrderInput, ticket: TicketCheck): Promise<OrderDoc | null | 'expired'> {
  if (ticket.kind !== 'valid') return findOrderSoon(deps.models, input.orderId, deps.orderReplicaWaitMs ?? 0);
  const { Order } = deps.models;
  // The ticket lives until the order's expiresAt: an expired one is an order that can no longer be
  // paid, unless a replica says more (it is answered from the replica then).
  if (ticket.expired) return (await Order.findById(input.orderId)) ?? 'expired';
  // Insert first, read only on a duplicate: a buyer usually pays before order.created reaches
  // payments, and the unique _id says whether the replica exists in the same command that writes
  // it (looking first cost a read on every payment, and the insert after it most of the time).
  const facts = { ...ticket.claims, id: ticket.claims.orderId };
  if ((await startOrderReplica(Order, facts)) === 'applied') {
    // Exactly what was written; a version applied since is seen by the re-read after the claim.
    return Order.hydrate(newOrderReplica(facts));
  }
  return Order.findById(input.orderId); // the listener wrote it before (possibly a later version since)
}

/** Pays an order for its buyer. */
export async function payOrder(deps: PayOrderDeps, input: PayOrderInput): Promise<PayOrderOutcome> {
  const ticket = checkTicket(deps, input, new Date());
  if (ticket.kind === 'invalid-ticket' || ticket.kind === 'order-not-found') return ticket;
  const order = await findOrder(deps, input, ticket);
  if (order === 'expired') return { kind: 'conflict', message: 'Order has expired' };
  if (!order || order.userId !== input.userId) return { kind: 'order-not-found' };

  const claim = await claimOrder(deps.models, order, input, deps.currency);
  if (claim.kind !== 'claimed') return claim;
  const payment = claim.payment;
  if (payment.status !== 'pending') return { kind: 'paid', payment }; // the same client key again: the first answer

  const current = await deps.models.Order.findById(input.orderId);
  const lateReason = current ? reasonOrderCannotBePaid(current, new Date()) : 'Order not found';
  if (lateReason) {
    payment.abandon(lateReason);
    await payment.save();
    return { kind: 'conflict', message: lateReason };
  }

  let settled: PaymentDoc;
  try {
    settled = await chargePendingPayment(deps, payment);
  } catch (err) {
    // Unknown whether money moved: the attempt stays pending and the sweeper repeats it with the
    // same idempotency key, which completes it exactly once either way.
    if (err instanceof GatewayUnavailableError) return { kind: 'processor-unavailable' };
    throw err;
  }
  return outcomeOfSettled(settled);
}

type Claim = { kind: 'claimed'; payment: PaymentDoc } | { kind: 'conflict'; message: string };

/** Takes the order for a new attempt, or returns the payment to replay. */
async function claimOrder(models: PaymentsModels, order: OrderDoc, input: PayOrderInput, currency: string): Promise<Claim> {
  const { Payment } = models;
  // A new document each time: its insert carries its own payment.started.
  const claimNew = () =>
    newPaymentAttempt(Payment, {
      orderId: order.id as string,
      userId: input.userId,
      amountMinor: order.totalMinor,
      currency,
      token: input.token,
      clientKey: input.clientKey,
      ...(order.items?.length
        ? { lines: order.items.map(({ productId, sellerId, priceMinor, quantity }) => ({ productId, sellerId, priceMinor, quantity })) }
        : {}),
    }).save();
  // The usual case, the first payment of a payable order: insert at once and let the unique
  // orderId index say whether a payment exists. Looking first (`findOne({orderId})`) reads the
  // whole collection on FerretDB. A duplicate falls through to the look-up below.
  if (!reasonOrderCannotBePaid(order, new Date())) {
    try {
      return { kind: 'claimed', payment: await claimNew() };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const existing = await Payment.findOne({ orderId: order.id });
    if (existing) {
      const answer = answerForExistingPayment(existing, input.clientKey);
      if (answer.kind === 'replay') return { kind: 'claimed', payment: existing };
      if (answer.kind === 'conflict') return answer;
    }
    const reason = reasonOrderCannotBePaid(order, new Date());
    if (reason) return { kind: 'conflict', message: reason };
    try {
      if (existing) {
        existing.retryWith(input.token, input.userId, input.clientKey);
        return { kind: 'claimed', payment: await existing.save() };
      }
      return { kind: 'claimed', payment: await claimNew() };
    } catch (err) {
      // Another request claimed the order between our read and write: answer from its record.
      if (isDuplicateKey(err) || err instanceof mongoose.Error.VersionError) continue;
      throw err;
    }
  }
  return { kind: 'conflict', message: IN_FLIGHT_MESSAGE };
}

/** The outcome of an attempt that has been through the processor (or was settled by another caller). */
function outcomeOfSettled(p: PaymentDoc): PayOrderOutcome {
  if (p.status === 'succeeded' || p.status === 'refunded') return { kind: 'paid', payment: p };
  if (p.status === 'pending') return { kind: 'conflict', message: IN_FLIGHT_MESSAGE };
  switch (p.failureReason) {
    case 'declined':
      return { kind: 'declined', message: p.failureMessage };
    case 'invalid_token':
      return { kind: 'invalid-token', message: p.failureMessage ?? 'Invalid card token' };
    default:
      return { kind: 'conflict', message: p.failureMessage ?? 'Order cannot be paid' };
  }
}
