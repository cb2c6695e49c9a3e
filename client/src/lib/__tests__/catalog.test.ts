import { CATEGORIES, PRICE_BUCKETS, type SearchFacets } from '@jetmart/common/contracts';
import {
  catalogHref,
  categoryChoices,
  categoryCounts,
  categoryOptions,
  filterFields,
  isPriceSelected,
  parseCatalogParams,
  priceFacet,
  priceFilter,
  priceLabel,
  ratingText,
  searchPath,
  starGlyphs,
} from '../catalog';
import { parseReviewForm } from '../reviews';
import { photoErrorFor, photoNotice, withCover } from '../product-images';

const facets = (category: [string, number][]): SearchFacets => ({
  category: category.map(([value, count]) => ({ value, count })),
  price: [{ min: 250, max: null, count: 2 }],
  rating: [],
  inStock: [],
});

describe('parseCatalogParams', () => {
  test('reads every filter of the URL', () => {
    expect(
      parseCatalogParams({
        q: '  brass lamp ',
        category: 'lighting',
        minPrice: '10',
        maxPrice: '25.5',
        minRating: '4',
        inStock: 'true',
        sort: 'price_desc',
        cursor: 'c1',
      }),
    ).toEqual({
      q: 'brass lamp',
      category: 'lighting',
      minPrice: 10,
      maxPrice: 25.5,
      minRating: 4,
      inStock: true,
      sort: 'price_desc',
      cursor: 'c1',
    });
  });

  test('leaves out what the API would refuse, so an old or edited link still shows a catalog', () => {
    expect(
      parseCatalogParams({ category: 'nope', minPrice: '-3', maxPrice: '1e9', minRating: '4.5', inStock: 'yes', sort: 'cheap' }),
    ).toEqual({ q: '' });
    // A maximum under the minimum is dropped; the first of repeated parameters counts.
    expect(parseCatalogParams({ minPrice: '50', maxPrice: '10', q: ['a', 'b'] })).toEqual({ q: 'a', minPrice: 50 });
    expect(parseCatalogParams({ q: 'x'.repeat(500) }).q).toHaveLength(200);
  });
});

describe('links and the API query', () => {
  const state = parseCatalogParams({ q: 'lamp', category: 'lighting', minPrice: '10', maxPrice: '25', cursor: 'c2' });

  test('a change starts again at the first page; a cursor keeps the filters', () => {
    expect(catalogHref(state, { category: 'home' })).toBe('/?q=lamp&category=home&minPrice=10&maxPrice=25');
    expect(catalogHref(state, { minPrice: undefined, maxPrice: undefined })).toBe('/?q=lamp&category=lighting');
    expect(catalogHref(state, { cursor: 'c3' })).toBe('/?q=lamp&category=lighting&minPrice=10&maxPrice=25&cursor=c3');
    expect(catalogHref({ q: '' })).toBe('/');
  });

  test('the API query always names the sort: best match for a search, newest first for browsing', () => {
    expect(searchPath(state, 12)).toBe('/api/search?q=lamp&category=lighting&minPrice=10&maxPrice=25&cursor=c2&sort=relevance&limit=12');
    expect(searchPath({ q: '' }, 24)).toBe('/api/search?sort=newest&limit=24');
  });

  test('the hidden fields of a form keep the filters but not the cursor', () => {
    expect(filterFields(state, ['q'])).toEqual([
      ['category', 'lighting'],
      ['minPrice', '10'],
      ['maxPrice', '25'],
    ]);
  });
});

describe('facets', () => {
  test('counts are the API’s (it counts a product under every ancestor too); one not mentioned has none', () => {
    const counts = categoryCounts(
      facets([
        ['home', 6],
        ['lighting', 3],
        ['kitchen', 2],
      ]),
    );
    expect(counts.get('home')).toBe(6);
    expect(counts.get('lighting')).toBe(3);
    expect(counts.get('fashion')).toBeUndefined();
  });

  test('the choices: the top level; a parent’s children; a leaf’s siblings under its path', () => {
    expect(categoryChoices(undefined).options).toBe(CATEGORIES);
    expect(categoryChoices('home').options.map((c) => c.slug)).toEqual(['lighting', 'furniture', 'decor', 'kitchen']);
    const leaf = categoryChoices('kitchen');
    expect(leaf.path.map((c) => c.slug)).toEqual(['home']);
    expect(leaf.options.map((c) => c.slug)).toContain('kitchen');
    expect(categoryChoices('other').options).toBe(CATEGORIES);
  });

  test('every price bucket is listed in order, those the API left out counted 0', () => {
    const list = priceFacet(facets([]));
    expect(list.map((b) => b.min)).toEqual(PRICE_BUCKETS.map((b) => b.min));
    expect(list.at(-1)).toEqual({ min: 250, max: null, count: 2 });
    expect(list[0].count).toBe(0);
  });

  test('bucket labels and filters', () => {
    expect(PRICE_BUCKETS.map(priceLabel)).toEqual(['Under $10', '$10 – $25', '$25 – $50', '$50 – $100', '$100 – $250', '$250 and above']);
    // [min, max): the API's maxPrice is inclusive, so a bucket stops a cent below its max.
    expect(priceFilter({ min: 0, max: 10 })).toEqual({ minPrice: undefined, maxPrice: 9.99 });
    expect(priceFilter({ min: 25, max: 50 })).toEqual({ minPrice: 25, maxPrice: 49.99 });
    expect(priceFilter({ min: 250, max: null })).toEqual({ minPrice: 250, maxPrice: undefined });
    expect(isPriceSelected({ q: '', maxPrice: 9.99 }, { min: 0, max: 10 })).toBe(true);
    expect(isPriceSelected({ q: '', minPrice: 5, maxPrice: 9.99 }, { min: 0, max: 10 })).toBe(false);
  });

  test('the seller’s category select lists every category once', () => {
    const options = categoryOptions();
    expect(new Set(options.map((o) => o.value)).size).toBe(options.length);
    expect(options).toContainEqual({ value: 'lighting', label: 'Home & Living › Lighting' });
  });
});

test('ratings read aloud and drawn', () => {
  expect(ratingText({ average: null, count: 0 })).toBe('No reviews yet');
  expect(ratingText({ average: 4.25, count: 1 })).toBe('Rated 4.3 out of 5 (1 review)');
  expect(starGlyphs(3.6)).toBe('★★★★☆');
  expect(starGlyphs(null)).toBe('☆☆☆☆☆');
});

describe('parseReviewForm', () => {
  test('a rating and text', () => {
    expect(parseReviewForm({ rating: '4', text: ' Good. ' })).toEqual({ ok: true, body: { rating: 4, text: 'Good.' } });
  });
  test('each missing or wrong part named on its field', () => {
    const r = parseReviewForm({ rating: null, text: '  ' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.field)).toEqual(['rating', 'text']);
    const long = parseReviewForm({ rating: '6', text: 'x'.repeat(2001) });
    expect(!long.ok && long.errors.map((e) => e.message)).toEqual([
      'A rating is 1 to 5 stars.',
      'A review can have at most 2,000 characters (it has 2,001).',
    ]);
  });
});

describe('photo outcomes', () => {
  test('API statuses become short reasons; only known reasons are shown', () => {
    expect(photoErrorFor(413)).toBe('too-large');
    expect(photoErrorFor(415)).toBe('not-image');
    expect(photoErrorFor(400, 'image has too many pixels')).toBe('too-many-pixels');
    expect(photoErrorFor(409)).toBe('full');
    expect(photoErrorFor(502)).toBe('unavailable');
    expect(photoNotice(undefined, 'full')?.kind).toBe('error');
    expect(photoNotice('uploaded', undefined)).toEqual({ kind: 'done', message: 'Photo added.' });
    expect(photoNotice(undefined, 'Your account is locked, call us')).toBeNull();
  });
  test('the cover moves to the front, the rest keep their order', () => {
    expect(withCover(['a', 'b', 'c'], 'c')).toEqual(['c', 'a', 'b']);
    expect(withCover(['a'], 'z')).toBeNull();
  });
});
