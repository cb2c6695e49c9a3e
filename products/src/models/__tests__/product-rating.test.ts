/**
 * The rating aggregate's guard step by step (real database): a result computed from a read taken
 * before a review change misses (the revision moved), two results from the same read store once
 * (one event), an unchanged count and sum store no event, and versions rise by one per change.
 */
import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { bumpRatingRevision, productsModels, ratingSummaries, storeRating } from '..';

useTestDatabase({ prefix: 'products_rating_guard' });
const { ProductRating } = productsModels(mongoose.connection);
const oid = () => new mongoose.Types.ObjectId().toHexString();
const read = async (id: string) => (await ProductRating.findById(id).lean())!;

describe('ProductRating: storeRating decides on the revision and version it read', () => {
  it('a result read before a review change misses; re-read, it stores with version 1 and one event', async () => {
    const id = oid();
    await bumpRatingRevision(ProductRating, id);
    const before = await read(id);
    await bumpRatingRevision(ProductRating, id);
    expect(await storeRating(ProductRating, before, { ratingCount: 1, ratingSum: 4 })).toBe('stale');
    expect(await read(id)).toMatchObject({ ratingCount: 0, ratingSum: 0, version: 0, revision: 2, computedRevision: 0, outbox: [] });
    expect(await storeRating(ProductRating, await read(id), { ratingCount: 1, ratingSum: 4 })).toBe('changed');
    const stored = await read(id);
    expect(stored).toMatchObject({ ratingCount: 1, ratingSum: 4, version: 1, computedRevision: 2 });
    expect(stored.outbox.map((e) => e.event.data)).toEqual([{ id, ratingCount: 1, ratingSum: 4, version: 1 }]);
  });

  it('6 stores of one read at once: one changes (one event), the rest miss', async () => {
    const id = oid();
    await bumpRatingRevision(ProductRating, id);
    const snapshot = await read(id);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => storeRating(ProductRating, snapshot, { ratingCount: 2, ratingSum: 7 })),
    );
    expect(outcomes.sort()).toEqual(['changed', 'stale', 'stale', 'stale', 'stale', 'stale']);
    const stored = await read(id);
    expect(stored.version).toBe(1);
    expect(stored.outbox).toHaveLength(1);
  });

  it('the same count and sum again: computed at the new revision, no version, no event', async () => {
    const id = oid();
    await bumpRatingRevision(ProductRating, id);
    expect(await storeRating(ProductRating, await read(id), { ratingCount: 1, ratingSum: 5 })).toBe('changed');
    await bumpRatingRevision(ProductRating, id);
    expect(await storeRating(ProductRating, await read(id), { ratingCount: 1, ratingSum: 5 })).toBe('unchanged');
    expect(await read(id)).toMatchObject({ version: 1, revision: 2, computedRevision: 2 });
    expect((await read(id)).outbox).toHaveLength(1);
  });
});

describe('ratingSummaries', () => {
  it('each product read by _id (FerretDB reads every rating for `_id: {$in}`); unrated products have none', async () => {
    const [rated, unrated] = [oid(), oid()];
    await bumpRatingRevision(ProductRating, rated);
    expect(await storeRating(ProductRating, await read(rated), { ratingCount: 2, ratingSum: 9 })).toBe('changed');
    const filters: unknown[] = [];
    mongoose.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'productratings') filters.push([method, filter]);
    });
    let summaries: Awaited<ReturnType<typeof ratingSummaries>>;
    try {
      summaries = await ratingSummaries(ProductRating, [rated, unrated, rated]);
    } finally {
      mongoose.set('debug', false);
    }
    expect(summaries.get(rated)).toEqual({ average: 4.5, count: 2 });
    expect(summaries.get(unrated)).toEqual({ average: null, count: 0 });
    expect(filters).toHaveLength(2);
    expect(filters).toEqual(
      expect.arrayContaining([
        ['findOne', { _id: rated }],
        ['findOne', { _id: unrated }],
      ]),
    );
  });
});
