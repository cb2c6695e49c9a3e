'use strict';
// SPEC invariants 14 (reviews are earned) and 15 (the index follows the catalog), read from
// products' and search's databases after the platform has quiesced. Used by
// bench/check-invariants.js; written independently of the services' code (it recounts the
// aggregates from the stored reviews and compares search's read model field by field).
//
// 14. Every review whose author is known has a delivered line of its (buyer, product); at most one
//     review and one review claim per (buyer, product), the claim naming that review; every
//     product's rating aggregate (count and sum) equals a recount of its VISIBLE reviews, computed
//     at its latest revision, its rating-changed event published (outbox empty).
// 15. Every product has one search document at the product's latest version with the product's
//     searchable facts, its stock state at the stock version products published last and its
//     rating at the rating version; `listed` agrees (an unlisted product is out of the index: the
//     search service serves only listed documents); no search document without a product.

const id = (x) => String(x);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Image ids of a product as products stores them (`images: [{id, width, height}]`), the cover first. */
const imageIdsOf = (p) => (Array.isArray(p.images) ? p.images.map((i) => (typeof i === 'string' ? i : id(i.id ?? i._id))) : []);

async function checkCatalog({ client, prefix = 'jetmart', bad }) {
  const P = client.db(`${prefix}_products`);
  const S = client.db(`${prefix}_search`);
  // A run without the search service (an older platform, a benchmark of other services) has no
  // search database: invariant 15 is then not checked, and the counts say so.
  const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  const searchChecked = databases.some((d) => d.name === `${prefix}_search`);
  const [products, reviews, claims, delivered, ratings, stocks, documents] = await Promise.all([
    P.collection('products').find({}).toArray(),
    P.collection('reviews').find({}).toArray(),
    P.collection('reviewauthors').find({}).toArray(),
    P.collection('deliveredlines').find({}).toArray(),
    P.collection('productratings').find({}).toArray(),
    P.collection('productstocks').find({}).toArray(),
    searchChecked ? S.collection('searchdocuments').find({}).toArray() : [],
  ]);
  const counts = {
    reviews: reviews.length,
    reviewsByStatus: reviews.reduce((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {}),
    reviewsAnonymised: reviews.filter((r) => !r.userId).length,
    deliveredLines: delivered.length,
    ratedProducts: 0,
    searchChecked,
    searchDocuments: documents.length,
    searchDocumentsListed: documents.filter((d) => d.listed !== false).length,
    productsChecked: products.length,
  };

  // 14. Earned: a delivered line for each (known) author and product.
  const deliveredPairs = new Set(delivered.map((l) => `${l.buyerId}:${l.productId}`));
  for (const l of delivered)
    if (id(l._id) !== `${l.buyerId}:${l.productId}`) bad('delivered line id is not buyer:product', `${l._id}: ${l.buyerId} ${l.productId}`);
  const byPair = new Map();
  for (const r of reviews) {
    if (!r.userId) continue; // the author deleted their account: the review stays, anonymised
    const pair = `${r.userId}:${r.productId}`;
    if (!deliveredPairs.has(pair)) bad('REVIEW NOT EARNED', `review ${r._id}: ${r.userId} never received product ${r.productId}`);
    byPair.set(pair, [...(byPair.get(pair) ?? []), r]);
  }
  // 14. Once: one review per (buyer, product), and its claim names it.
  const claimById = new Map(claims.map((c) => [id(c._id), c]));
  for (const [pair, list] of byPair) {
    if (list.length > 1) bad('MORE THAN ONE REVIEW per buyer and product', `${pair}: ${list.map((r) => id(r._id)).join(', ')}`);
    const [userId, productId] = pair.split(':');
    const claim = claimById.get(`${productId}:${userId}`);
    if (!claim) bad('review without its claim', `${pair}: no review author ${productId}:${userId}`);
    else if (!list.some((r) => id(r._id) === claim.reviewId))
      bad('review claim names another review', `${pair}: claim ${claim.reviewId}, reviews ${list.map((r) => id(r._id)).join(', ')}`);
  }
  // A claim whose review is not written: products died between the two writes and the buyer has
  // not tried again (the next attempt writes the review with the claimed id). No review exists, so
  // nothing unearned: counted, not a violation.
  const reviewIds = new Set(reviews.map((r) => id(r._id)));
  counts.claimsAwaitingTheirReview = claims.filter((c) => !reviewIds.has(c.reviewId)).length;

  // 14. The aggregate is the recount of the visible reviews.
  const visible = new Map(); // productId → {count, sum}
  for (const r of reviews) {
    if (r.status !== 'visible') continue;
    const v = visible.get(r.productId) ?? { count: 0, sum: 0 };
    visible.set(r.productId, { count: v.count + 1, sum: v.sum + r.rating });
  }
  const ratingById = new Map(ratings.map((r) => [id(r._id), r]));
  for (const [productId, v] of visible)
    if (!ratingById.has(productId)) bad('rating aggregate missing', `product ${productId} has ${v.count} visible reviews and no aggregate`);
  for (const r of ratings) {
    const v = visible.get(id(r._id)) ?? { count: 0, sum: 0 };
    if (v.count) counts.ratedProducts++;
    if (r.ratingCount !== v.count || r.ratingSum !== v.sum)
      bad(
        'RATING AGGREGATE ≠ VISIBLE REVIEWS',
        `product ${r._id}: stored ${r.ratingCount}/${r.ratingSum}, recount of visible reviews ${v.count}/${v.sum}`,
      );
    if ((r.computedRevision ?? 0) !== (r.revision ?? 0))
      bad(
        'rating not recomputed after the last review change',
        `product ${r._id}: computed at ${r.computedRevision}, revision ${r.revision}`,
      );
  }
  for (const [name, list] of [
    ['products.productratings', ratings],
    ['products.productstocks', stocks],
  ]) {
    const pending = list.filter((d) => Array.isArray(d.outbox) && d.outbox.length > 0);
    if (pending.length) bad('outbox not empty', `${name}: ${pending.length} documents still have unpublished events`);
  }

  // 15. The index follows the catalog.
  if (!searchChecked) return { counts };
  const documentById = new Map(documents.map((d) => [id(d._id), d]));
  const stockById = new Map(stocks.map((s) => [id(s._id), s]));
  for (const p of products) {
    const pid = id(p._id);
    const d = documentById.get(pid);
    const listed = !p.unlistedAt;
    if (!d) {
      bad(listed ? 'LISTED PRODUCT NOT IN THE INDEX' : 'search document missing (unlisted product)', `${pid} v${p.version}`);
      continue;
    }
    if (d.version !== p.version) bad('SEARCH DOCUMENT BEHIND', `${pid}: search v${d.version}, product v${p.version}`);
    if ((d.listed !== false) !== listed)
      bad(
        listed ? 'listed product not searchable' : 'UNLISTED PRODUCT SEARCHABLE',
        `${pid}: search listed=${d.listed}, product listed=${listed}`,
      );
    const want = {
      title: p.title,
      description: p.description ?? '',
      priceMinor: p.priceMinor,
      quantity: p.quantity,
      sellerId: p.userId,
      category: p.category ?? 'other',
      images: imageIdsOf(p),
    };
    const got = {
      title: d.title,
      description: d.description ?? '',
      priceMinor: d.priceMinor,
      quantity: d.quantity,
      sellerId: d.sellerId,
      category: d.category,
      images: d.images ?? [],
    };
    if (d.version === p.version && !same(want, got))
      bad(
        'search document differs from its product',
        `${pid} v${p.version}: search ${JSON.stringify(got)}, product ${JSON.stringify(want)}`,
      );
    // Stock: the last published flip (stock version > 0), else the state product events imply.
    const s = stockById.get(pid);
    const stockVersion = s?.version ?? 0;
    if ((d.stockVersion ?? 0) !== stockVersion)
      bad('search stock state behind', `${pid}: search stock v${d.stockVersion ?? 0}, products stock v${stockVersion}`);
    else if (stockVersion > 0 && d.inStock !== s.inStock)
      bad('search stock state differs', `${pid} stock v${stockVersion}: search inStock=${d.inStock}, products ${s.inStock}`);
    // Rating: the aggregate at its version (0: no review ever counted, nothing published).
    const r = ratingById.get(pid);
    const ratingVersion = r?.version ?? 0;
    if ((d.ratingVersion ?? 0) !== ratingVersion)
      bad('search rating behind', `${pid}: search rating v${d.ratingVersion ?? 0}, products rating v${ratingVersion}`);
    else if ((d.ratingCount ?? 0) !== (r?.ratingCount ?? 0) || (d.ratingSum ?? 0) !== (r?.ratingSum ?? 0))
      bad(
        'search rating differs',
        `${pid} v${ratingVersion}: search ${d.ratingCount}/${d.ratingSum}, products ${r?.ratingCount}/${r?.ratingSum}`,
      );
  }
  const productIds = new Set(products.map((p) => id(p._id)));
  for (const d of documents) if (!productIds.has(id(d._id))) bad('search document of unknown product', id(d._id));

  return { counts };
}

module.exports = { checkCatalog };
