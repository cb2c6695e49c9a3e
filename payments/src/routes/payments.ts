import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError, requireAuth, validateBody } from '@jetmart/common';
import { payOrder, type ChargingDeps } from '../models/charging';
import { paymentResponse } from '../models/payment';

const payBody = z.object({
  orderId: z.string({ error: 'orderId must be a string' }).trim().min(1, 'orderId is required').max(128, 'orderId is too long'),
  token: z.string({ error: 'token must be a string' }).trim().min(1, 'token is required').max(255, 'token is too long'),
});

/** Printable ASCII, as Stripe allows for its own Idempotency-Key; long enough for a UUID and a prefix. */
const CLIENT_KEY = /^[\x21-\x7e]{1,255}$/;

export function clientKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!CLIENT_KEY.test(header)) throw new BadRequestError('Idempotency-Key must be 1-255 printable ASCII characters', 'Idempotency-Key');
  return header;
}

export function paymentsRouter(deps: ChargingDeps): Router {
  const router = Router();

  router.post('/api/payments', requireAuth, validateBody(payBody), async (req, res) => {
    const { orderId, token } = req.body as z.infer<typeof payBody>;
    const clientKey = clientKeyOf(req.get('idempotency-key'));
    const payment = await payOrder({ orderId, token, userId: req.currentUser!.id, clientKey }, deps);
    res.status(201).json(paymentResponse(payment));
  });

  return router;
}
