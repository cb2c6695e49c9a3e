import { Router } from 'express';
import { requireAuth } from '@jetmart/common';
import type { ProductsExportPart } from '@jetmart/common/contracts';
import { ratingSummaries, unitsTaken, type ProductsModels } from '../models';
import { presentProduct } from './presenters';

/**
 * Products' part of the person's data export (auth's `GET /api/users/me/export` asks for it with
 * the person's session): every listing of theirs, on sale or not. Products hold nothing else about
 * a person (the units ledger is per order, not per buyer).
 */
export function exportRouter({ models }: { models: ProductsModels }): Router {
  const router = Router();
  router.get('/api/products/me/export', requireAuth, async (req, res) => {
    const products = await models.Product.find({ userId: req.currentUser!.id }).sort({ createdAt: 1, _id: 1 });
    const taken = await unitsTaken(
      models.UnitLedger,
      products.map((p) => p.id as string),
    );
    const ratings = await ratingSummaries(
      models.ProductRating,
      products.map((p) => p.id as string),
    );
    const part: ProductsExportPart = {
      products: products.map((p) => presentProduct(p, taken.get(p.id as string) ?? 0, { rating: ratings.get(p.id as string) })),
    };
    res.json(part);
  });
  return router;
}
