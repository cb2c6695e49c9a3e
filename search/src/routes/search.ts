import { Router } from 'express';
import { z } from 'zod';
import { MAX_PRICE, parseQuery, RequestValidationError, requireAdmin, toMinor, type EventBus } from '@jetmart/common';
import { categoryWithDescendants, isCategory, REVIEW_LIMITS, SEARCH_LIMITS, SEARCH_SORTS } from '@jetmart/common/contracts';
import { runSearch } from '../engine/query';
import { categoryPosition, type SearchIndex } from '../engine/search-index';
import type { SearchModels } from '../models';
import { rebuildReadModel } from '../rebuild';
import { ConflictError } from '@jetmart/common';
import type { Logger } from 'pino';
import { decodeCursor, encodeCursor } from './cursor';
import { presentSearchResponse } from './presenters';

const single = (name: string) => z.string({ error: `${name} must be a single value` });
const decimal = (name: string) =>
  single(name)
    .regex(/^\d{1,7}(\.\d{1,2})?$/, `${name} must be a price such as 12.50`)
    .transform(Number)
    .refine((n) => n <= MAX_PRICE, `${name} can be at most ${MAX_PRICE}`);

const searchQuery = z
  .object({
    q: single('q').max(SEARCH_LIMITS.maxQuery, `q can have at most ${SEARCH_LIMITS.maxQuery} characters`).default(''),
    category: single('category').refine(isCategory, 'category is not a category of the shop').optional(),
    minPrice: decimal('minPrice').optional(),
    maxPrice: decimal('maxPrice').optional(),
    minRating: single('minRating')
      .regex(/^\d(\.\d{1,2})?$/, 'minRating must be a number from 1 to 5')
      .transform(Number)
      .refine((n) => n >= REVIEW_LIMITS.minRating && n <= REVIEW_LIMITS.maxRating, 'minRating must be a number from 1 to 5')
      .optional(),
    inStock: z.enum(['true', 'false'], { error: 'inStock must be true or false' }).optional(),
    sort: z.enum(SEARCH_SORTS, { error: `sort must be one of ${SEARCH_SORTS.join(', ')}` }).default('relevance'),
    cursor: single('cursor').optional(),
    limit: single('limit')
      .regex(/^\d{1,3}$/, 'limit must be a whole number')
      .transform(Number)
      .refine((n) => n >= 1 && n <= SEARCH_LIMITS.maxLimit, `limit must be from 1 to ${SEARCH_LIMITS.maxLimit}`)
      .default(SEARCH_LIMITS.defaultLimit),
  })
  .refine((v) => v.minPrice === undefined || v.maxPrice === undefined || v.minPrice <= v.maxPrice, {
    message: 'maxPrice must not be below minPrice',
    path: ['maxPrice'],
  });

export interface SearchRouteDeps {
  index: SearchIndex;
  models: SearchModels;
  bus: EventBus;
  logger: Logger;
  admins: ReadonlySet<string>;
}

export function searchRouter({ index, models, bus, logger, admins }: SearchRouteDeps): Router {
  const router = Router();
  let rebuilding = false;

  router.get('/api/search', (req, res) => {
    const query = parseQuery(searchQuery, req);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort);
    if (after === null) throw new RequestValidationError([{ message: 'cursor is not valid for this search', field: 'cursor' }]);
    const outcome = runSearch(index, {
      q: query.q,
      categories: query.category ? categoryWithDescendants(query.category).map(categoryPosition) : undefined,
      minPriceMinor: query.minPrice === undefined ? undefined : toMinor(query.minPrice),
      maxPriceMinor: query.maxPrice === undefined ? undefined : toMinor(query.maxPrice),
      minRating: query.minRating,
      inStock: query.inStock === undefined ? undefined : query.inStock === 'true',
      sort: query.sort,
      after,
      limit: query.limit,
    });
    res.json(
      presentSearchResponse(
        outcome.slots.map((s) => index.docs[s]!),
        outcome.total,
        outcome.next ? encodeCursor(query.sort, outcome.next) : null,
        outcome.facets,
        outcome.didYouMean,
      ),
    );
  });

  router.post('/api/search/rebuild', requireAdmin(admins), async (_req, res) => {
    if (rebuilding) throw new ConflictError('A rebuild is already running');
    rebuilding = true;
    try {
      const outcome = await rebuildReadModel({ bus, live: models.SearchDocument, logger });
      res.json(outcome);
    } finally {
      rebuilding = false;
    }
  });

  return router;
}
