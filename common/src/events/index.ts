import { randomUUID } from 'node:crypto';
import { z } from 'zod';

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
  version,
});

const orderLine = z.object({
  productId: id,
  quantity: z.number().int().min(1),
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
    items: z.array(orderLine).min(1),
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

const subjectSchema = z.enum(Object.values(Subjects) as [Subject, ...Subject[]]);

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** Validates an event (any subject) and returns it typed; throws InvalidEventError. */
export function parseEvent<S extends Subject = Subject>(raw: unknown, expected?: S): Event<S> {
  const envelope = z
    .object({ id, subject: subjectSchema, occurredAt: z.iso.datetime(), data: z.unknown() })
    .safeParse(raw);
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
