import { Router } from 'express';
import { z } from 'zod';
import { ConflictError, NotFoundError, objectIdPattern, parseQuery, requireAuth, validateBody } from '@jetmart/common';
import { SHIPMENT_LIMITS } from '@jetmart/common/contracts';
import { cancelShipment, deliverShipment, shipShipment, type CancelResult, type DeliverResult, type ShipResult } from '../fulfilment';
import type { ShipmentDoc, ShippingModels } from '../models';
import { presentShipment } from './presenters';

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} can be at most ${max} characters`);

const shipBody = z.object({
  carrier: text('carrier', SHIPMENT_LIMITS.maxCarrierLength),
  trackingNumber: text('trackingNumber', SHIPMENT_LIMITS.maxTrackingNumberLength),
});

const listQuery = z.object({
  status: z
    .enum(['pending', 'shipped', 'delivered', 'cancelled'], { error: 'status must be one of pending, shipped, delivered, cancelled' })
    .optional(),
  orderId: z.string({ error: 'orderId must be a single string' }).regex(objectIdPattern, 'orderId is not a valid order id').optional(),
});

export interface ShipmentsRouteDeps {
  models: ShippingModels;
  autoDeliverAfterMs: number;
  returnWindowMs: number;
}

const NOT_FOUND = 'Shipment not found';

/** The shipment after a ship request, or the HTTP error of why it was not shipped as asked. */
function shippedOrThrow(result: ShipResult): ShipmentDoc {
  switch (result.kind) {
    case 'shipped':
    case 'already-shipped':
      return result.shipment;
    case 'shipped-differently':
      throw new ConflictError('This shipment was already shipped with another carrier or tracking number');
    case 'is-delivered':
      throw new ConflictError('This shipment was already delivered');
    case 'is-cancelled':
      throw new ConflictError('This shipment was cancelled');
    case 'not-found':
      throw new NotFoundError(NOT_FOUND);
  }
}

function deliveredOrThrow(result: DeliverResult): ShipmentDoc {
  switch (result.kind) {
    case 'delivered':
    case 'already-delivered':
      return result.shipment;
    case 'not-shipped':
      throw new ConflictError('This shipment has not been shipped yet');
    case 'is-cancelled':
      throw new ConflictError('This shipment was cancelled');
    case 'not-found':
      throw new NotFoundError(NOT_FOUND);
  }
}

/** A shipment on its way cannot be called back: the buyer's way is a return once it arrives. */
export const TOO_LATE_TO_CANCEL = 'This part has already shipped; it can be returned after delivery';

function cancelledOrThrow(result: CancelResult): ShipmentDoc {
  switch (result.kind) {
    case 'cancelled':
    case 'already-cancelled':
      return result.shipment;
    case 'is-shipped':
    case 'is-delivered':
      throw new ConflictError(TOO_LATE_TO_CANCEL);
    case 'not-found':
      throw new NotFoundError(NOT_FOUND);
  }
}

export function shipmentsRouter(deps: ShipmentsRouteDeps): Router {
  const { Shipment } = deps.models;
  const router = Router();

  /**
   * Without orderId: the caller's shipments as seller, oldest first (`?status=pending` is "to
   * ship"). With orderId: that order's shipments if the caller is its buyer, else only the parts
   * the caller sells; nothing for anyone else.
   */
  router.get('/api/shipments', requireAuth, async (req, res) => {
    const { status, orderId } = parseQuery(listQuery, req);
    const userId = req.currentUser!.id;
    const sort = { createdAt: 1, _id: 1 } as const;
    if (orderId === undefined) {
      const own = await Shipment.find({ sellerId: userId, ...(status ? { status } : {}) })
        .sort(sort)
        .lean();
      res.json(own.map(presentShipment));
      return;
    }
    const parts = await Shipment.find({ orderId, ...(status ? { status } : {}) })
      .sort(sort)
      .lean();
    const isBuyer = parts.some((s) => s.buyerId === userId);
    res.json(parts.filter((s) => isBuyer || s.sellerId === userId).map(presentShipment));
  });

  router.get('/api/shipments/:id', requireAuth, async (req, res) => {
    const id = String(req.params.id);
    const userId = req.currentUser!.id;
    const shipment = objectIdPattern.test(id) ? await Shipment.findById(id).lean() : null;
    if (!shipment || (shipment.sellerId !== userId && shipment.buyerId !== userId)) throw new NotFoundError(NOT_FOUND);
    res.json(presentShipment(shipment));
  });

  router.post('/api/shipments/:id/ship', requireAuth, validateBody(shipBody), async (req, res) => {
    const { carrier, trackingNumber } = req.body as z.infer<typeof shipBody>;
    const result = await shipShipment(deps, { id: String(req.params.id), userId: req.currentUser!.id, carrier, trackingNumber });
    res.json(presentShipment(shippedOrThrow(result)));
  });

  router.post('/api/shipments/:id/deliver', requireAuth, async (req, res) => {
    const result = await deliverShipment(deps, { id: String(req.params.id), userId: req.currentUser!.id });
    res.json(presentShipment(deliveredOrThrow(result)));
  });

  /** The buyer cancels their unshipped part; shipment.cancelled tells payments to refund it. */
  router.post('/api/shipments/:id/cancel', requireAuth, async (req, res) => {
    const result = await cancelShipment(deps, { id: String(req.params.id), userId: req.currentUser!.id });
    res.json(presentShipment(cancelledOrThrow(result)));
  });

  return router;
}
