import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError, ConflictError, NotFoundError, objectIdPattern, requireAuth, validateBody } from '@jetmart/common';
import { cancelOrder, placeOrder, type PlaceResult } from '../lifecycle';
import { VISIBLE_STATUSES, type OrderDoc, type OrdersModels } from '../models';
import { presentOrder } from './presenters';

const line = z.object({
  productId: z.string({ error: 'productId must be a string' }).min(1, 'productId is required').max(128, 'productId is too long'),
  quantity: z
    .number({ error: 'quantity must be a number' })
    .int('quantity must be a whole number')
    .min(1, 'quantity must be at least 1')
    .max(100, 'quantity can be at most 100'),
});

const createBody = z.object({
  items: z
    .array(line, { error: 'items must be a list of {productId, quantity}' })
    .min(1, 'an order needs at least one item')
    .max(50, 'an order can have at most 50 items')
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((l, i) => {
        if (seen.has(l.productId)) ctx.addIssue({ code: 'custom', message: 'each product can appear only once', path: [i, 'productId'] });
        seen.add(l.productId);
      });
    }),
});

export interface OrdersRouteDeps {
  models: OrdersModels;
  expirationSeconds: number;
}

/** Why an order could not be placed, as the HTTP error the buyer sees. Nothing was held. */
function placeFailure(result: Exclude<PlaceResult, { kind: 'placed' }>): Error {
  switch (result.kind) {
    case 'unknown-product':
      return new NotFoundError(`Product ${result.productId} not found`);
    case 'own-product':
      return new BadRequestError('You cannot buy your own product', `items.${result.line}.productId`);
    case 'short':
      return new ConflictError(`Not enough units of "${result.title}" available`, `items.${result.line}.quantity`);
    case 'too-slow':
      return new ConflictError('Placing the order took too long; nothing was held, please try again');
  }
}

export function ordersRouter({ models, expirationSeconds }: OrdersRouteDeps): Router {
  const { Order } = models;
  const router = Router();

  /** The caller's order, visible states only; anything else is indistinguishable from unknown. */
  const findOwn = async (id: string, userId: string): Promise<OrderDoc> => {
    const order = objectIdPattern.test(id) ? await Order.findOne({ _id: id, userId, status: { $in: VISIBLE_STATUSES } }) : null;
    if (!order) throw new NotFoundError('Order not found');
    return order;
  };

  router.post('/api/orders', requireAuth, validateBody(createBody), async (req, res) => {
    const { items } = req.body as z.infer<typeof createBody>;
    const result = await placeOrder({ models }, req.currentUser!.id, items, { expirationSeconds });
    if (result.kind !== 'placed') throw placeFailure(result);
    res.status(201).json(presentOrder(result.order));
  });

  router.get('/api/orders', requireAuth, async (req, res) => {
    const orders = await Order.find({ userId: req.currentUser!.id, status: { $in: VISIBLE_STATUSES } }).sort({ createdAt: -1, _id: -1 }).lean();
    res.json(orders.map(presentOrder));
  });

  router.get('/api/orders/:id', requireAuth, async (req, res) => {
    res.json(presentOrder(await findOwn(String(req.params.id), req.currentUser!.id)));
  });

  router.delete('/api/orders/:id', requireAuth, async (req, res) => {
    const own = await findOwn(String(req.params.id), req.currentUser!.id);
    const result = await cancelOrder({ models }, own.id, 'buyer');
    switch (result.kind) {
      case 'cancelled':
      case 'already-cancelled':
        res.json(presentOrder(result.order));
        return;
      case 'is-complete':
        throw new ConflictError('This order is paid and can no longer be cancelled');
      case 'not-placed': // never shown to its buyer (findOwn reads visible orders only)
      case 'not-found':
        throw new NotFoundError('Order not found');
    }
  });

  return router;
}
