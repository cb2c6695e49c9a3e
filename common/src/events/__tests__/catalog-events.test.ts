import { InvalidEventError, makeEvent, parseEvent, streamOf, Subjects } from '../..';
import {
  CATEGORIES,
  DEFAULT_CATEGORY,
  categoryPath,
  categoryWithDescendants,
  findCategory,
  isCategory,
  ratingSummary,
} from '../../contracts';

const roundTrip = <T>(e: T): unknown => JSON.parse(JSON.stringify(e));
const product = { id: 'p1', title: 'Brass lamp', priceMinor: 4500, quantity: 3, userId: 'seller1', listed: true, version: 2 };

describe('the category tree', () => {
  it('has about ten top-level categories, each but the default with children, and unique slugs', () => {
    expect(CATEGORIES.length).toBeGreaterThanOrEqual(10);
    for (const top of CATEGORIES.filter((c) => c.slug !== DEFAULT_CATEGORY)) expect(top.children?.length).toBeGreaterThan(1);
    const slugs = CATEGORIES.flatMap((c) => [c.slug, ...(c.children ?? []).map((k) => k.slug)]);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const s of slugs) expect(s).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(isCategory(DEFAULT_CATEGORY)).toBe(true);
  });

  it('a parent includes its children when filtering; a child only itself; an unknown slug nothing', () => {
    expect(categoryWithDescendants('home')).toEqual(['home', 'lighting', 'furniture', 'decor', 'kitchen']);
    expect(categoryWithDescendants('lighting')).toEqual(['lighting']);
    expect(categoryWithDescendants('nope')).toEqual([]);
  });

  it('gives a breadcrumb from the top, and refuses what is not a slug of the tree', () => {
    expect(categoryPath('lighting').map((c) => c.slug)).toEqual(['home', 'lighting']);
    expect(categoryPath('nope')).toEqual([]);
    expect(findCategory('audio')?.name).toBe('Audio');
    for (const bad of ['', 'Home', 'home ', '__proto__', 'constructor', 42, null, undefined]) expect(isCategory(bad)).toBe(false);
  });

  it('rounds a rating average to 2 decimals and has none without reviews', () => {
    expect(ratingSummary(0, 0)).toEqual({ average: null, count: 0 });
    expect(ratingSummary(3, 13)).toEqual({ average: 4.33, count: 3 });
    expect(ratingSummary(2, 9)).toEqual({ average: 4.5, count: 2 });
  });
});

describe('catalog events', () => {
  it('stock and rating changes live in the PRODUCTS stream, so the index is rebuildable from one stream', () => {
    expect(streamOf(Subjects.ProductStockChanged)).toBe('PRODUCTS');
    expect(streamOf(Subjects.ProductRatingChanged)).toBe('PRODUCTS');
  });

  it('a product event carries category, description, images and createdAt, and an older one without them still parses', () => {
    const rich = { ...product, description: 'Heavy', category: 'lighting', images: ['i1', 'i2'], createdAt: new Date().toISOString() };
    expect(parseEvent(roundTrip(makeEvent(Subjects.ProductUpdated, rich)), Subjects.ProductUpdated).data).toEqual(rich);
    const old = { id: 'e1', subject: 'product.created', occurredAt: new Date().toISOString(), data: { ...product, listed: undefined } };
    expect(parseEvent(roundTrip(old)).data).toMatchObject({ id: 'p1', title: 'Brass lamp' });
  });

  it('refuses a product event with an unknown category or more than 8 images', () => {
    expect(() => makeEvent(Subjects.ProductCreated, { ...product, category: 'weapons' })).toThrow(InvalidEventError);
    const nine = Array.from({ length: 9 }, (_, i) => `i${i}`);
    expect(() => makeEvent(Subjects.ProductCreated, { ...product, images: nine })).toThrow(InvalidEventError);
  });

  it('stock and rating events round-trip; negative counts are refused', () => {
    const stock = makeEvent(Subjects.ProductStockChanged, { id: 'p1', inStock: false, available: 0, version: 3 });
    expect(parseEvent(roundTrip(stock), Subjects.ProductStockChanged).data).toEqual(stock.data);
    const rating = makeEvent(Subjects.ProductRatingChanged, { id: 'p1', ratingCount: 2, ratingSum: 9, version: 1 });
    expect(parseEvent(roundTrip(rating), Subjects.ProductRatingChanged).data).toEqual(rating.data);
    expect(() => makeEvent(Subjects.ProductRatingChanged, { id: 'p1', ratingCount: -1, ratingSum: 0, version: 1 })).toThrow(
      InvalidEventError,
    );
    expect(() => makeEvent(Subjects.ProductStockChanged, { id: 'p1', inStock: true, available: -2, version: 1 })).toThrow(
      InvalidEventError,
    );
  });

  it('shipment.delivered may carry its lines (reviews); without them it still parses', () => {
    const base = {
      id: 's1',
      orderId: 'o1',
      sellerId: 'x',
      buyerId: 'y',
      deliveredAt: new Date().toISOString(),
      by: 'buyer' as const,
      version: 2,
    };
    const withItems = makeEvent(Subjects.ShipmentDelivered, { ...base, items: [{ productId: 'p1', quantity: 2 }] });
    expect(parseEvent(roundTrip(withItems), Subjects.ShipmentDelivered).data.items).toEqual([{ productId: 'p1', quantity: 2 }]);
    expect(parseEvent(roundTrip(makeEvent(Subjects.ShipmentDelivered, base))).data).toEqual(base);
    expect(() => makeEvent(Subjects.ShipmentDelivered, { ...base, items: [] })).toThrow(InvalidEventError);
  });
});
