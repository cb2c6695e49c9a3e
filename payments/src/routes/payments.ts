import { Router } from 'express';
import { z } from 'zod';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  objectIdPattern,
  ORDER_TICKET_MAX_LENGTH,
  parseQuery,
  PaymentDeclinedError,
  requireAuth,
  ServiceUnavailableError,
  validateBody,
  type CustomError,
} from '@jetmart/common';
import { payOrder, type PayOrderDeps, type PayOrderOutcome } from '../charging';
import type { PaymentDoc, RefundAttrs } from '../models';
import { presentPayment } from './presenters';

const payBody = z.object({
  orderId: z.string({ error: 'orderId must be a string' }).trim().min(1, 'orderId is required').max(128, 'orderId is too long'),
  token: z.string({ error: 'token must be a string' }).trim().min(1, 'token is required').max(255, 'token is too long'),
  /** From the answer to POST /api/orders; optional (older clients wait for the order to reach payments). */
  orderTicket: z
    .string({ error: 'orderTicket must be a string' })
    .min(1, 'orderTicket must not be empty')
    .max(ORDER_TICKET_MAX_LENGTH, 'orderTicket is too long')
    .optional(),
});

const listQuery = z.object({
  orderId: z.string({ error: 'orderId must be a single string' }).regex(objectIdPattern, 'orderId is not a valid order id'),
});

/** Printable ASCII, as Stripe allows for its own Idempotency-Key; long enough for a UUID and a prefix. */
const CLIENT_KEY = /^[\x21-\x7e]{1,255}$/;

function clientKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!CLIENT_KEY.test(header)) throw new BadRequestError('Idempotency-Key must be 1-255 printable ASCII characters', 'Idempotency-Key');
  return header;
}

/** The HTTP error for every outcome of paying but a success. */
function errorFor(outcome: Exclude<PayOrderOutcome, { kind: 'paid' }>): CustomError {
  switch (outcome.kind) {
    case 'order-not-found':
      return new NotFoundError('Order not found');
    case 'conflict':
      return new ConflictError(outcome.message);
    case 'declined':
      return new PaymentDeclinedError(outcome.message);
    case 'invalid-token':
      return new BadRequestError(outcome.message, 'token');
    case 'invalid-ticket':
      return new BadRequestError(outcome.message, 'orderTicket');
    case 'processor-unavailable':
      return new ServiceUnavailableError('The payment provider did not answer; the payment is being processed, check the order shortly');
  }
}

/** The recorded refunds of a payment, by the ids it reserved (an `_id` look-up, no collection scan). */
async function refundsOf(models: PayOrderDeps['models'], p: PaymentDoc): Promise<RefundAttrs[]> {
  if (!p.refundKeys?.length) return [];
  return models.Refund.find({ _id: { $in: p.refundKeys } }).lean<RefundAttrs[]>();
}

export function paymentsRouter(deps: PayOrderDeps): Router {
  const router = Router();

  router.post('/api/payments', requireAuth, validateBody(payBody), async (req, res) => {
    const { orderId, token, orderTicket } = req.body as z.infer<typeof payBody>;
    const clientKey = clientKeyOf(req.get('idempotency-key'));
    const outcome = await payOrder(deps, { orderId, token, orderTicket, userId: req.currentUser!.id, clientKey });
    if (outcome.kind !== 'paid') throw errorFor(outcome);
    res.status(201).json(presentPayment(outcome.payment, await refundsOf(deps.models, outcome.payment)));
  });

  router.get('/api/payments', requireAuth, async (req, res) => {
    const { orderId } = parseQuery(listQuery, req);
    // One payment per order (unique orderId); listed only once it has charged the card (also
    // when that charge was refunded since: the buyer sees the refund).
    const payments = await deps.models.Payment.find({ orderId, userId: req.currentUser!.id, status: { $in: ['succeeded', 'refunded'] } });
    res.json(await Promise.all(payments.map(async (p) => presentPayment(p, await refundsOf(deps.models, p)))));
  });

  return router;
}
