import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, objectIdPattern, requireAuth, validateBody, type ServiceContext } from '@jetmart/common';
import { ordersCancelled } from '../metrics';
import { changeOrder, placeOrder, settleHolds, VISIBLE_STATUSES, type OrderDoc, type OrdersModels } from '../models';

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

export interface OrdersRouteDeps extends Pick<ServiceContext, 'relay'> {
  models: OrdersModels;
  expirationSeconds: number;
}

export function ordersRouter({ models, relay, expirationSeconds }: OrdersRouteDeps): Router {
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
    const order = await placeOrder(models, req.currentUser!.id, items, { expirationSeconds });
    relay?.kick();
    res.status(201).json(order);
  });

  router.get('/api/orders', requireAuth, async (req, res) => {
    const orders = await Order.find({ userId: req.currentUser!.id, status: { $in: VISIBLE_STATUSES } }).sort({ createdAt: -1, _id: -1 });
    res.json(orders);
  });

  router.get('/api/orders/:id', requireAuth, async (req, res) => {
    res.json(await findOwn(String(req.params.id), req.currentUser!.id));
  });

  router.delete('/api/orders/:id', requireAuth, async (req, res) => {
    const own = await findOwn(String(req.params.id), req.currentUser!.id);
    const result = (await changeOrder(Order, own.id, (order) => order.cancel('buyer')))!;
    if (result.changed) {
      ordersCancelled.inc({ reason: 'buyer' });
      relay?.kick();
      await settleHolds(models, result.order);
    }
    res.json(result.order);
  });

  return router;
}
