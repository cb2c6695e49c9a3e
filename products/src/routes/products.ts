import { Router } from 'express';
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  objectIdPattern,
  parseQuery,
  priceSchema,
  RequestValidationError,
  requireAuth,
  toMinor,
  validateBody,
} from '@jetmart/common';
import { DEFAULT_CATEGORY, isCategory } from '@jetmart/common/contracts';
import {
  afterPosition,
  buildProduct,
  categoryFilter,
  ratingSummaries,
  sellerProductsPage,
  unitsTaken,
  type ProductDoc,
  type ProductsModels,
} from '../models';
import { refreshStock } from '../stock';
import { decodeCursor, encodeCursor, titleWordsFilter } from './listing';
import { presentProduct, presentProductPage } from './presenters';

const title = z
  .string({ error: 'title must be a string' })
  .trim()
  .min(1, 'title is required')
  .max(200, 'title can have at most 200 characters');
const description = z.string({ error: 'description must be a string' }).max(5000, 'description can have at most 5000 characters');
const quantity = z
  .number({ error: 'quantity must be a number' })
  .int('quantity must be a whole number')
  .min(0, 'quantity cannot be negative')
  .max(1_000_000, 'quantity can be at most 1000000');

/** A slug of common's category tree (the storefront draws its menus from the same constant). */
const category = z
  .string({ error: 'category must be a string' })
  .max(100, 'category is not a known category')
  .refine(isCategory, 'category is not a known category');

const createBody = z.object({ title, price: priceSchema, quantity, description: description.optional(), category: category.optional() });
const updateBody = z.object({
  title: title.optional(),
  price: priceSchema.optional(),
  quantity: quantity.optional(),
  description: description.optional(),
  category: category.optional(),
});

const limit = z.coerce
  .number({ error: 'limit must be a number' })
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(100, 'limit can be at most 100')
  .default(20);
const cursor = z.string({ error: 'cursor must be a single string' }).optional();

const listQuery = z.object({
  q: z.string({ error: 'q must be a single string' }).max(200, 'q can have at most 200 characters').optional(),
  sellerId: z
    .string({ error: 'sellerId must be a single string' })
    .regex(/^[a-f0-9]{24}$/i, 'sellerId must be a user id')
    .transform((v) => v.toLowerCase())
    .optional(),
  category: z
    .string({ error: 'category must be a single string' })
    .max(100, 'category is not a known category')
    .refine(isCategory, 'category is not a known category')
    .optional(),
  limit,
  cursor,
});

const mineQuery = z.object({
  limit,
  cursor,
  lowStock: z.enum(['true', 'false'], { error: 'lowStock must be true or false' }).optional(),
});

/** The position a `cursor` query parameter names (400 when it is not one of ours). */
function positionOf(value: string | undefined) {
  if (value === undefined) return undefined;
  const at = decodeCursor(value);
  if (!at) throw new RequestValidationError([{ message: 'cursor is not valid', field: 'cursor' }]);
  return at;
}

export interface ProductsRouteDeps {
  models: ProductsModels;
  /** `/mine?lowStock=true`: products with at most this many available units. */
  lowStockThreshold: number;
}

export function productsRouter({ models, lowStockThreshold }: ProductsRouteDeps): Router {
  const { Product, UnitLedger } = models;
  const router = Router();

  const present = async (products: ProductDoc[]) => {
    const taken = await unitsTaken(
      UnitLedger,
      products.map((p) => p.id as string),
    );
    const ratings = await ratingSummaries(
      models.ProductRating,
      products.map((p) => p.id as string),
    );
    return products.map((p) => presentProduct(p, taken.get(p.id) ?? 0, { rating: ratings.get(p.id) }));
  };

  const findOr404 = async (id: string): Promise<ProductDoc> => {
    const product = objectIdPattern.test(id) ? await Product.findById(id) : null;
    if (!product) throw new NotFoundError('Product not found');
    return product;
  };

  /** The seller's own product (403 for anyone else). */
  const findOwned = async (id: string, userId: string): Promise<ProductDoc> => {
    const product = await findOr404(id);
    if (product.userId !== userId) throw new ForbiddenError('Only the seller can change this product');
    return product;
  };

  router.post('/api/products', requireAuth, validateBody(createBody), async (req, res) => {
    const body = req.body as z.infer<typeof createBody>;
    const product = buildProduct(Product, {
      title: body.title,
      description: body.description ?? '',
      priceMinor: toMinor(body.price),
      quantity: body.quantity,
      userId: req.currentUser!.id,
      category: body.category ?? DEFAULT_CATEGORY,
    });
    await product.save();
    res.status(201).json(presentProduct(product, 0));
  });

  // The catalog: listed products only (an unlisted one has `unlistedAt`, see Product.isListed).
  router.get('/api/products', async (req, res) => {
    const query = parseQuery(listQuery, req);
    const filter: Record<string, unknown> = {
      ...(query.sellerId ? { userId: query.sellerId } : {}),
      ...(query.category ? categoryFilter(query.category) : {}),
      unlistedAt: { $exists: false },
      ...titleWordsFilter(query.q),
      ...afterPosition(positionOf(query.cursor)),
    };
    const found = await Product.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(query.limit + 1);
    const page = found.slice(0, query.limit);
    const last = page[page.length - 1];
    res.json(presentProductPage(await present(page), found.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null));
  });

  router.get('/api/products/mine', requireAuth, async (req, res) => {
    const query = parseQuery(mineQuery, req);
    const page = await sellerProductsPage(models, req.currentUser!.id, {
      after: positionOf(query.cursor),
      limit: query.limit,
      lowStockAt: query.lowStock === 'true' ? lowStockThreshold : undefined,
    });
    const ratings = await ratingSummaries(
      models.ProductRating,
      page.items.map(({ product }) => product.id as string),
    );
    res.json(
      presentProductPage(
        page.items.map(({ product, taken }) => presentProduct(product, taken, { rating: ratings.get(product.id) })),
        page.next ? encodeCursor(page.next.createdAt, page.next.id.toHexString()) : null,
      ),
    );
  });

  router.get('/api/products/:id', async (req, res) => {
    const [product] = await present([await findOr404(String(req.params.id))]);
    res.json(product);
  });

  router.put('/api/products/:id', requireAuth, validateBody(updateBody), async (req, res) => {
    const body = req.body as z.infer<typeof updateBody>;
    const product = await findOwned(String(req.params.id), req.currentUser!.id);
    const taken = (await unitsTaken(UnitLedger, [product.id])).get(product.id) ?? 0;
    const outcome = product.applyChanges(
      {
        title: body.title,
        description: body.description,
        quantity: body.quantity,
        priceMinor: body.price === undefined ? undefined : toMinor(body.price),
        category: body.category,
      },
      taken,
    );
    if (outcome.kind === 'quantity-below-taken') {
      throw new ConflictError(`quantity cannot be lower than the ${outcome.unitsTaken} units already held or sold`, 'quantity');
    }
    if (outcome.kind === 'changed') await product.save();
    // Also when unchanged: the seller's retry after a failed refresh must still refresh.
    if (body.quantity !== undefined) await refreshStock(models, product.id as string);
    const rating = (await ratingSummaries(models.ProductRating, [product.id as string])).get(product.id);
    res.json(presentProduct(product, taken, { rating }));
  });

  router.post('/api/products/:id/unlist', requireAuth, async (req, res) => {
    const product = await findOwned(String(req.params.id), req.currentUser!.id);
    if (product.unlistBySeller() === 'unlisted') await product.save();
    await refreshStock(models, product.id as string);
    const [presented] = await present([product]);
    res.json(presented);
  });

  router.post('/api/products/:id/relist', requireAuth, async (req, res) => {
    const product = await findOwned(String(req.params.id), req.currentUser!.id);
    const outcome = product.relist();
    if (outcome === 'account-deleted') throw new ConflictError("This product's seller account was deleted; it cannot be listed again");
    if (outcome === 'relisted') await product.save();
    await refreshStock(models, product.id as string);
    const [presented] = await present([product]);
    res.json(presented);
  });

  return router;
}
