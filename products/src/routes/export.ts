import { Router } from 'express';
import { requireAuth } from '@jetmart/common';
import type { ProductsExportPart } from '@jetmart/common/contracts';
import { ratingSummaries, unitsTaken, type ProductsModels } from '../models';
import { reviewsByPerson } from '../reviews';
import { presentProduct, presentReview } from './presenters';

/**
 * Products' part of the person's data export (auth's `GET /api/users/me/export` asks for it with
 * the person's session): every listing of theirs, on sale or not, the reviews they wrote and the
 * reports they made. The units ledger is per order and the delivered lines that let a buyer review
 * repeat their shipments (shipping's part), so neither is here.
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
    const written = await reviewsByPerson(models, req.currentUser!.id);
    const part: ProductsExportPart = {
      products: products.map((p) => presentProduct(p, taken.get(p.id as string) ?? 0, { rating: ratings.get(p.id as string) })),
      reviews: written.reviews.map(presentReview),
      reviewReports: written.reports.map((r) => ({ ...r, at: r.at.toISOString() })),
    };
    res.json(part);
  });
  return router;
}
