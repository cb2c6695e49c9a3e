import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ADDRESS_LIMITS, COUNTRY_CODES } from '../api/address';
import { RETURN_LIMITS, RETURN_REASONS, SHIPMENT_LIMITS, REFUND_REASONS } from '../api/records';
import { IMAGE_LIMITS, isCategory } from '../api/catalog';

/**
 * The event contracts of jetmart. Every event is an envelope `{id, subject, occurredAt, data}`;
 * `id` is the JetStream message id (duplicate publishes are dropped) and `data.version` is the
 * version of the record the event describes. Money in events is integer minor units (`*Minor`).
 */
export const Subjects = {
  ProductCreated: 'product.created',
  ProductUpdated: 'product.updated',
  OrderCreated: 'order.created',
  OrderCancelled: 'order.cancelled',
  OrderCompleted: 'order.completed',
  PaymentCreated: 'payment.created',
  ExpirationComplete: 'expiration.complete',
  ShipmentCreated: 'shipment.created',
  ShipmentShipped: 'shipment.shipped',
  ShipmentDelivered: 'shipment.delivered',
  /** A pending shipment was cancelled by its buyer (a paid order's part, before shipping). */
  ShipmentCancelled: 'shipment.cancelled',
  /** A shipped shipment's auto-delivery time has come (the expiration service is the platform's timer). */
  ShipmentDeliveryDue: 'expiration.shipment-delivery-due',
  /** A delivered shipment's return window has ended (its `returnableUntil`). */
  ReturnWindowClosed: 'expiration.return-window-closed',
  /** A charge attempt is about to go to the processor: the order must not expire under it. */
  PaymentStarted: 'payment.started',
  /** A charge attempt ended without charging (declined, bad token, or the order ended first). */
  PaymentFailed: 'payment.failed',
  /** Money went back to the buyer: one refund per source (cancelled order, cancelled shipment, return). */
  PaymentRefunded: 'payment.refunded',
  ReturnRequested: 'return.requested',
  ReturnApproved: 'return.approved',
  ReturnRejected: 'return.rejected',
  ReturnCancelled: 'return.cancelled',
  ReturnReceived: 'return.received',
  ReturnRefunded: 'return.refunded',
  /** A person's account and contact details (auth's outbox): what other services may know of them. */
  UserCreated: 'user.created',
  UserUpdated: 'user.updated',
  /** The account is gone: every service forgets the person (SPEC invariant 13). */
  UserDeleted: 'user.deleted',
  /**
   * Someone asked to reset the password of this account: notifications mails the link. Carries
   * the raw single-use token (valid until `expiresAt`; auth keeps only its hash): see docs/SPEC.md
   * "Password reset and email verification" for why an internal event may hold it.
   */
  UserPasswordResetRequested: 'user.password-reset-requested',
  /** The account's address needs confirming (sign-up, or a resend): notifications mails the link (raw token, as above). */
  UserVerificationRequested: 'user.verification-requested',
  /** Money went to a seller's connected account (a Stripe transfer): one event per payout. */
  PayoutSent: 'payment.payout-sent',
  /**
   * A product's in-stock state flipped (available > 0 ↔ 0). `version` counts the product's stock
   * flips, apart from the product's own version: stock moves with every order, and bumping the
   * product's version for them would make every replica of the product re-apply its listing.
   */
  ProductStockChanged: 'product.stock-changed',
  /** A product's rating aggregate over its visible reviews changed; `version` is the rating's own counter. */
  ProductRatingChanged: 'product.rating-changed',
} as const;
export type Subject = (typeof Subjects)[keyof typeof Subjects];

const id = z.string().min(1).max(128);
const version = z.number().int().min(0);
const minor = z.number().int().min(0);

const productData = z.object({
  id,
  title: z.string().min(1).max(200),
  priceMinor: minor.positive(),
  quantity: z.number().int().min(0),
  userId: id,
  /** Added with seller unlisting (issue 18): false while the product is off the catalog. Absent in older events: listed. */
  listed: z.boolean().optional(),
  /** Added with the catalog (issue 19), absent in older events: what search indexes. */
  description: z.string().max(5000).optional(),
  /** A slug of the category tree; absent in older events (DEFAULT_CATEGORY). */
  category: z.string().refine(isCategory, 'category must be a slug of the category tree').optional(),
  /** Image ids, the cover first; absent in older events (no images). */
  images: z.array(id).max(IMAGE_LIMITS.maxPerProduct).optional(),
  /** When the product was listed (search's "newest" sort); absent in older events. */
  createdAt: z.iso.datetime().optional(),
  version,
});

/**
 * An order line in events. `sellerId` was added with fulfilment: events written before it have
 * none and still parse (consumers treat such an order as placed before fulfilment existed).
 */
const orderLine = z.object({
  productId: id,
  quantity: z.number().int().min(1),
  sellerId: id.optional(),
});

/** A postal address snapshot (the API's Address; see api/address.ts for the limits). */
export const addressSchema = z.object({
  name: z.string().min(1).max(ADDRESS_LIMITS.name),
  line1: z.string().min(1).max(ADDRESS_LIMITS.line1),
  line2: z.string().max(ADDRESS_LIMITS.line2).optional(),
  city: z.string().min(1).max(ADDRESS_LIMITS.city),
  postalCode: z.string().min(1).max(ADDRESS_LIMITS.postalCode),
  country: z.string().refine((c) => COUNTRY_CODES.includes(c), 'country must be an ISO 3166-1 alpha-2 code'),
  phone: z.string().max(ADDRESS_LIMITS.phone).optional(),
});

const shipmentLine = z.object({ productId: id, quantity: z.number().int().min(1) });
const shipmentRef = { id, orderId: id, sellerId: id, buyerId: id };
/** A line whose money moves (a cancelled shipment's or a return's): the unit price as ordered. */
const pricedLine = shipmentLine.extend({ priceMinor: minor });
const returnRef = { id, orderId: id, shipmentId: id, sellerId: id, buyerId: id };

/** A single-use account link's secret as auth makes it: base64url of random bytes. */
export const ACCOUNT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

/** An account mail (reset, verification): whom to write to, the link's token and until when it works. */
const accountLinkData = z.object({
  userId: id,
  /** The account's address when asked: the mail goes there (the person may have no contact replica yet). */
  email: z.email().max(254),
  token: z.string().regex(ACCOUNT_TOKEN_PATTERN),
  expiresAt: z.iso.datetime(),
});

export const eventDataSchemas = {
  [Subjects.ProductCreated]: productData,
  [Subjects.ProductUpdated]: productData,
  [Subjects.OrderCreated]: z.object({
    id,
    userId: id,
    status: z.literal('created'),
    expiresAt: z.iso.datetime(),
    items: z.array(orderLine.extend({ title: z.string(), priceMinor: minor })).min(1),
    totalMinor: minor,
    /** Added with fulfilment; absent in older events. */
    shippingAddress: addressSchema.optional(),
    version,
  }),
  [Subjects.OrderCancelled]: z.object({
    id,
    userId: id,
    /** `unavailable`: the seller listed fewer units than live orders held (see orders' withdrawExcessHolds). */
    reason: z.enum(['buyer', 'expired', 'unavailable']),
    items: z.array(orderLine).min(1),
    version,
  }),
  [Subjects.OrderCompleted]: z.object({
    id,
    userId: id,
    /** title and priceMinor were added with fulfilment (shipping shows the lines); absent in older events. */
    items: z.array(orderLine.extend({ title: z.string().optional(), priceMinor: minor.optional() })).min(1),
    /** Added with fulfilment; absent in older events (such orders get no shipment). */
    shippingAddress: addressSchema.optional(),
    version,
  }),
  [Subjects.PaymentCreated]: z.object({
    id,
    orderId: id,
    userId: id,
    amountMinor: minor,
    version,
  }),
  [Subjects.ExpirationComplete]: z.object({
    orderId: id,
    /** The order version the expiry was scheduled for. */
    version,
  }),
  [Subjects.ShipmentCreated]: z.object({ ...shipmentRef, items: z.array(shipmentLine).min(1), version }),
  [Subjects.ShipmentShipped]: z.object({
    ...shipmentRef,
    carrier: z.string().min(1).max(SHIPMENT_LIMITS.maxCarrierLength),
    trackingNumber: z.string().min(1).max(SHIPMENT_LIMITS.maxTrackingNumberLength),
    shippedAt: z.iso.datetime(),
    /** When the shipment counts as delivered if nobody confirms it (SHIPPING_AUTO_DELIVER_DAYS). */
    autoDeliverAt: z.iso.datetime(),
    version,
  }),
  [Subjects.ShipmentDelivered]: z.object({
    ...shipmentRef,
    deliveredAt: z.iso.datetime(),
    by: z.enum(['seller', 'buyer', 'auto']),
    /** Added with returns: the end of the return window (RETURN_WINDOW_DAYS after delivery). */
    returnableUntil: z.iso.datetime().optional(),
    /** Added with reviews: the delivered lines (a buyer may review these products); absent in older events. */
    items: z.array(shipmentLine).min(1).optional(),
    version,
  }),
  [Subjects.ShipmentCancelled]: z.object({
    ...shipmentRef,
    items: z.array(pricedLine).min(1),
    /** The refund this cancellation is owed: the sum of its lines. */
    amountMinor: minor,
    cancelledAt: z.iso.datetime(),
    /**
     * Who ended it: `buyer` (their cancel, or their account deleted) or `seller-closed` (the
     * seller deleted their account before shipping it). Absent on events from before the field:
     * those were all the buyer's.
     */
    reason: z.enum(['buyer', 'seller-closed']).optional(),
    version,
  }),
  [Subjects.ShipmentDeliveryDue]: z.object({
    shipmentId: id,
    /** The shipment version the timer was scheduled for (the shipped version). */
    version,
  }),
  [Subjects.ReturnWindowClosed]: z.object({
    shipmentId: id,
    orderId: id,
    sellerId: id,
    /** The shipment version the timer was scheduled for (the delivered version). */
    version,
  }),
  [Subjects.PaymentStarted]: z.object({ id, orderId: id, userId: id, attempt: z.number().int().min(1), version }),
  [Subjects.PaymentFailed]: z.object({
    id,
    orderId: id,
    userId: id,
    attempt: z.number().int().min(1),
    reason: z.enum(['declined', 'invalid_token', 'order_not_payable']),
    version,
  }),
  [Subjects.PaymentRefunded]: z.object({
    /** The refund's id: `<reason>-<sourceId>`, also its processor idempotency key's suffix. */
    id,
    paymentId: id,
    orderId: id,
    userId: id,
    reason: z.enum(REFUND_REASONS),
    /** The order (order-cancelled), shipment (shipment-cancelled) or return (return) refunded. */
    sourceId: id,
    amountMinor: minor.positive(),
    /** The lines refunded; empty for a whole cancelled order. */
    items: z.array(pricedLine),
    /** A refund is written once: always 0. */
    version,
  }),
  [Subjects.ReturnRequested]: z.object({
    ...returnRef,
    items: z.array(pricedLine).min(1),
    reason: z.enum(RETURN_REASONS),
    note: z.string().max(RETURN_LIMITS.maxNoteLength).optional(),
    version,
  }),
  [Subjects.ReturnApproved]: z.object({ ...returnRef, version }),
  [Subjects.ReturnRejected]: z.object({ ...returnRef, message: z.string().min(1).max(RETURN_LIMITS.maxMessageLength), version }),
  [Subjects.ReturnCancelled]: z.object({ ...returnRef, version }),
  [Subjects.ReturnReceived]: z.object({
    ...returnRef,
    items: z.array(pricedLine).min(1),
    /** The refund this return is owed: the sum of its lines. */
    amountMinor: minor.positive(),
    /** The seller's choice: the units go back on sale (once). */
    restock: z.boolean(),
    version,
  }),
  [Subjects.ReturnRefunded]: z.object({ ...returnRef, refundId: id, amountMinor: minor.positive(), version }),
  [Subjects.UserCreated]: z.object({ id, email: z.email().max(254), displayName: z.string().max(80).optional(), version }),
  [Subjects.UserUpdated]: z.object({ id, email: z.email().max(254), displayName: z.string().max(80).optional(), version }),
  [Subjects.UserDeleted]: z.object({ id, version }),
  [Subjects.UserPasswordResetRequested]: accountLinkData,
  [Subjects.UserVerificationRequested]: accountLinkData,
  [Subjects.PayoutSent]: z.object({
    /** The payout's id (the transfer's idempotency key is derived from it). */
    id,
    sellerId: id,
    amountMinor: minor.positive(),
    currency: z.string().regex(/^[a-z]{3}$/),
    /** The processor's transfer id (Stripe `tr_…`). */
    transferId: id,
    version,
  }),
  [Subjects.ProductStockChanged]: z.object({
    id,
    inStock: z.boolean(),
    /** Units a buyer could order when the state flipped. */
    available: z.number().int().min(0),
    version,
  }),
  [Subjects.ProductRatingChanged]: z.object({
    /** The product's id. */
    id,
    ratingCount: z.number().int().min(0),
    /** Sum of the visible reviews' ratings (average = ratingSum / ratingCount). */
    ratingSum: z.number().int().min(0),
    version,
  }),
} satisfies Record<Subject, z.ZodType>;

export type EventData<S extends Subject> = z.infer<(typeof eventDataSchemas)[S]>;

export interface Event<S extends Subject = Subject> {
  id: string;
  subject: S;
  occurredAt: string;
  data: EventData<S>;
}

export type ProductCreatedEvent = Event<typeof Subjects.ProductCreated>;
export type ProductUpdatedEvent = Event<typeof Subjects.ProductUpdated>;
export type OrderCreatedEvent = Event<typeof Subjects.OrderCreated>;
export type OrderCancelledEvent = Event<typeof Subjects.OrderCancelled>;
export type OrderCompletedEvent = Event<typeof Subjects.OrderCompleted>;
export type PaymentCreatedEvent = Event<typeof Subjects.PaymentCreated>;
export type ExpirationCompleteEvent = Event<typeof Subjects.ExpirationComplete>;
export type ShipmentCreatedEvent = Event<typeof Subjects.ShipmentCreated>;
export type ShipmentShippedEvent = Event<typeof Subjects.ShipmentShipped>;
export type ShipmentDeliveredEvent = Event<typeof Subjects.ShipmentDelivered>;
export type ShipmentDeliveryDueEvent = Event<typeof Subjects.ShipmentDeliveryDue>;
export type ShipmentCancelledEvent = Event<typeof Subjects.ShipmentCancelled>;
export type ReturnWindowClosedEvent = Event<typeof Subjects.ReturnWindowClosed>;
export type PaymentStartedEvent = Event<typeof Subjects.PaymentStarted>;
export type PaymentFailedEvent = Event<typeof Subjects.PaymentFailed>;
export type PaymentRefundedEvent = Event<typeof Subjects.PaymentRefunded>;
export type ReturnRequestedEvent = Event<typeof Subjects.ReturnRequested>;
export type ReturnApprovedEvent = Event<typeof Subjects.ReturnApproved>;
export type ReturnRejectedEvent = Event<typeof Subjects.ReturnRejected>;
export type ReturnCancelledEvent = Event<typeof Subjects.ReturnCancelled>;
export type ReturnReceivedEvent = Event<typeof Subjects.ReturnReceived>;
export type ReturnRefundedEvent = Event<typeof Subjects.ReturnRefunded>;
export type UserCreatedEvent = Event<typeof Subjects.UserCreated>;
export type UserUpdatedEvent = Event<typeof Subjects.UserUpdated>;
export type UserDeletedEvent = Event<typeof Subjects.UserDeleted>;
export type UserPasswordResetRequestedEvent = Event<typeof Subjects.UserPasswordResetRequested>;
export type UserVerificationRequestedEvent = Event<typeof Subjects.UserVerificationRequested>;
export type PayoutSentEvent = Event<typeof Subjects.PayoutSent>;
export type ProductStockChangedEvent = Event<typeof Subjects.ProductStockChanged>;
export type ProductRatingChangedEvent = Event<typeof Subjects.ProductRatingChanged>;

const subjectSchema = z.enum(Object.values(Subjects) as [Subject, ...Subject[]]);

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

// Built once: zod compiles a schema on its first parse, so a schema made per call paid that
// compilation on every event (about 93% of parseEvent's CPU: bench/event-parse.js).
const envelopeSchema = z.object({ id, subject: subjectSchema, occurredAt: z.iso.datetime(), data: z.unknown() });

/** Validates an event (any subject) and returns it typed; throws InvalidEventError. */
export function parseEvent<S extends Subject = Subject>(raw: unknown, expected?: S): Event<S> {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) throw new InvalidEventError(`bad envelope: ${z.prettifyError(envelope.error)}`);
  const { subject } = envelope.data;
  if (expected && subject !== expected) throw new InvalidEventError(`expected ${expected}, got ${subject}`);
  const data = eventDataSchemas[subject].safeParse(envelope.data.data);
  if (!data.success) throw new InvalidEventError(`bad ${subject} data: ${z.prettifyError(data.error)}`);
  return { ...envelope.data, data: data.data } as Event<S>;
}

/** A new, validated event with a fresh id. */
export function makeEvent<S extends Subject>(subject: S, data: EventData<S>, eventId: string = randomUUID()): Event<S> {
  return parseEvent({ id: eventId, subject, occurredAt: new Date().toISOString(), data }, subject);
}

export * from './streams';
export * from './dead-letter';
