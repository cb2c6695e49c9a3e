import { Router } from 'express';
import { z } from 'zod';
import {
  addressSchema,
  BadRequestError,
  ConflictError,
  NotAuthorizedError,
  NotFoundError,
  objectIdPattern,
  requireAuth,
  validateBody,
} from '@jetmart/common';
import type { ShipmentState } from '../fulfilment';
import { cancelOrder, placeOrder, type PlaceResult } from '../lifecycle';
import { refundedByOrder, shipmentsByOrder, VISIBLE_STATUSES, type OrderDoc, type OrderFields, type OrdersModels } from '../models';
import { presentOrder, presentPlacedOrder } from './presenters';

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
  // Field by field with common's rules (400 names e.g. `shippingAddress.country`); only the
  // message for a missing or non-object address is this route's own.
  shippingAddress: z.object(addressSchema.shape, {
    error: 'shippingAddress must be an address {name, line1, city, postalCode, country, …}',
  }),
});

export interface OrdersRouteDeps {
  models: OrdersModels;
  expirationSeconds: number;
  /** The platform's shared key: signs the order tickets payments verifies. */
  jwtKey: string;
}

/** Why an order could not be placed, as the HTTP error the buyer sees. Nothing was held. */
function placeFailure(result: Exclude<PlaceResult, { kind: 'placed' }>): Error {
  switch (result.kind) {
    case 'unknown-product':
      return new NotFoundError(`Product ${result.productId} not found`);
    case 'own-product':
      return new BadRequestError('You cannot buy your own product', `items.${result.line}.productId`);
    case 'unlisted':
      return new ConflictError(`"${result.title}" is no longer listed by its seller`, `items.${result.line}.productId`);
    case 'short':
      return new ConflictError(`Not enough units of "${result.title}" available`, `items.${result.line}.quantity`);
    case 'too-slow':
      return new ConflictError('Placing the order took too long; nothing was held, please try again');
    case 'account-deleted':
      return new NotAuthorizedError();
  }
}

/** A created or cancelled order's fulfilment does not depend on shipments (only a paid one has any). */
const NO_SHIPMENTS: ShipmentState[] = [];

export function ordersRouter({ models, expirationSeconds, jwtKey }: OrdersRouteDeps): Router {
  const { Order, ShipmentReplica, RefundReplica } = models;
  const router = Router();

  /** The shipments of the given orders, by order id, in one query; only paid orders have any. */
  const shipmentsOf = (orders: readonly (Pick<OrderFields, 'status'> & { _id: unknown })[]) =>
    shipmentsByOrder(
      ShipmentReplica,
      orders.filter((o) => o.status === 'complete').map((o) => String(o._id)),
    );

  /**
   * The refunds of the given orders (sum, by order id), in one query; only an order that was
   * charged has any (a complete one, or a cancelled one whose charge won the race with expiry).
   */
  const refundsOf = (orders: readonly (Pick<OrderFields, 'status'> & { _id: unknown })[]) =>
    refundedByOrder(
      RefundReplica,
      orders.filter((o) => o.status !== 'created').map((o) => String(o._id)),
    );

  /** The caller's order, visible states only; anything else is indistinguishable from unknown. */
  const findOwn = async (id: string, userId: string): Promise<OrderDoc> => {
    const order = objectIdPattern.test(id) ? await Order.findOne({ _id: id, userId, status: { $in: VISIBLE_STATUSES } }) : null;
    if (!order) throw new NotFoundError('Order not found');
    return order;
  };

  router.post('/api/orders', requireAuth, validateBody(createBody), async (req, res) => {
    const { items, shippingAddress } = req.body as z.infer<typeof createBody>;
    const result = await placeOrder({ models }, req.currentUser!.id, { items, shippingAddress }, { expirationSeconds });
    if (result.kind !== 'placed') throw placeFailure(result);
    res.status(201).json(presentPlacedOrder(result.order, jwtKey));
  });

  router.get('/api/orders', requireAuth, async (req, res) => {
    const orders = await Order.find({ userId: req.currentUser!.id, status: { $in: VISIBLE_STATUSES } })
      .sort({ createdAt: -1, _id: -1 })
      .lean();
    const [shipments, refunds] = await Promise.all([shipmentsOf(orders), refundsOf(orders)]);
    res.json(orders.map((o) => presentOrder(o, shipments.get(String(o._id)) ?? NO_SHIPMENTS, refunds.get(String(o._id)) ?? 0)));
  });

  router.get('/api/orders/:id', requireAuth, async (req, res) => {
    const order = await findOwn(String(req.params.id), req.currentUser!.id);
    const [shipments, refunds] = await Promise.all([shipmentsOf([order]), refundsOf([order])]);
    res.json(presentOrder(order, shipments.get(order.id as string) ?? NO_SHIPMENTS, refunds.get(order.id as string) ?? 0));
  });

  router.delete('/api/orders/:id', requireAuth, async (req, res) => {
    const own = await findOwn(String(req.params.id), req.currentUser!.id);
    const result = await cancelOrder({ models }, own.id, 'buyer');
    switch (result.kind) {
      case 'cancelled':
        res.json(presentOrder(result.order, NO_SHIPMENTS));
        return;
      case 'already-cancelled': {
        // Possibly charged and refunded (a payment that lost the race with expiry).
        const refunds = await refundsOf([result.order]);
        res.json(presentOrder(result.order, NO_SHIPMENTS, refunds.get(result.order.id as string) ?? 0));
        return;
      }
      case 'is-complete':
        // Decided where each part lives: a pending part is cancelled by shipping at once (with its
        // refund), a delivered one is returned here; the order itself stays paid.
        throw new ConflictError(
          'This order is paid and can no longer be cancelled as a whole: cancel each part that has not shipped with ' +
            'POST /api/shipments/{id}/cancel, or return delivered goods with POST /api/orders/{id}/returns',
        );
      case 'not-placed': // never shown to its buyer (findOwn reads visible orders only)
      case 'not-found':
        throw new NotFoundError('Order not found');
    }
  });

  return router;
}
