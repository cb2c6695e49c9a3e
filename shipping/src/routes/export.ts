import { Router } from 'express';
import { requireAuth } from '@jetmart/common';
import type { ShippingExportPart } from '@jetmart/common/contracts';
import type { ShippingModels } from '../models';
import { presentShipment } from './presenters';

/**
 * Shipping's part of the person's data export (auth's `GET /api/users/me/export` asks for it with
 * the person's session): the shipments sent to them, with the address each was sent to. The
 * shipments they sell are left out: those hold other people's addresses.
 */
export function exportRouter({ models }: { models: ShippingModels }): Router {
  const router = Router();
  router.get('/api/shipments/me/export', requireAuth, async (req, res) => {
    const shipments = await models.Shipment.find({ buyerId: req.currentUser!.id }).sort({ createdAt: 1, _id: 1 }).lean();
    const part: ShippingExportPart = { shipments: shipments.map(presentShipment) };
    res.json(part);
  });
  return router;
}
