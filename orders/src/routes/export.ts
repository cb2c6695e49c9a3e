import { Router } from 'express';
import { requireAuth } from '@jetmart/common';
import type { OrdersExportPart } from '@jetmart/common/contracts';
import { refundedByOrder, shipmentsByOrder, VISIBLE_STATUSES, type OrdersModels } from '../models';
import { presentOrder, presentReturn } from './presenters';

/**
 * Orders' part of the person's data export (auth's `GET /api/users/me/export` asks for it with the
 * person's session): their orders as buyer (with the address each was placed with, fulfilment and
 * payment as `GET /api/orders` shows them) and the returns they asked for. Orders and returns of
 * other buyers, the caller's sales included, are not theirs to export (they hold other people's
 * addresses and notes).
 */
export function exportRouter({ models }: { models: OrdersModels }): Router {
  const { Order, Return, ShipmentReplica, RefundReplica } = models;
  const router = Router();
  router.get('/api/orders/me/export', requireAuth, async (req, res) => {
    const userId = req.currentUser!.id;
    const [orders, returns] = await Promise.all([
      Order.find({ userId, status: { $in: VISIBLE_STATUSES } })
        .sort({ createdAt: 1, _id: 1 })
        .lean(),
      Return.find({ buyerId: userId }).sort({ createdAt: 1, _id: 1 }).lean(),
    ]);
    const [shipments, refunds] = await Promise.all([
      shipmentsByOrder(
        ShipmentReplica,
        orders.filter((o) => o.status === 'complete').map((o) => String(o._id)),
      ),
      refundedByOrder(
        RefundReplica,
        orders.filter((o) => o.status !== 'created').map((o) => String(o._id)),
      ),
    ]);
    const part: OrdersExportPart = {
      orders: orders.map((o) => presentOrder(o, shipments.get(String(o._id)) ?? [], refunds.get(String(o._id)) ?? 0)),
      returns: returns.map(presentReturn),
    };
    res.json(part);
  });
  return router;
}
