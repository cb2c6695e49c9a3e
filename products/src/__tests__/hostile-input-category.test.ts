/**
 * Hostile input for the category (issue 19) in POST/PUT /api/products and GET /api/products?category=
 * (SPEC invariant 6): weird strings, wrong types, operators, look-alike slugs and repeated or
 * bracketed query keys. A value that is not a slug of the tree is a 400 on field `category` and
 * changes nothing; a real slug is stored as sent; a listing filtered by a slug holds only products
 * of that category or below it. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import request from 'supertest';
import { CATEGORIES, categoryWithDescendants, isCategory } from '@jetmart/common/contracts';
import {
  expectErrorShape,
  expectNever5xx,
  percentEncode,
  signinCookie,
  useTestDatabase,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
import { syncIndexes, testApp } from './helpers';

useTestDatabase({ clearEachTest: false, prefix: 'products_hostile_category' });
// 200 property runs against FerretDB each: with both cores busy they take longer than the default 30 s.
jest.setTimeout(180_000);
const { app, models } = testApp();
const seller = signinCookie({ id: '64b0000000000000000000aa' });
const valid = { title: 'Lamp', price: 10, quantity: 5 };
const slugs = CATEGORIES.flatMap((c) => categoryWithDescendants(c.slug));
let productId = '';

beforeAll(async () => {
  await syncIndexes(models);
  for (const category of ['lighting', 'audio', 'other'])
    await request(app)
      .post('/api/products')
      .set('Cookie', seller)
      .send({ ...valid, category });
  productId = (
    await request(app)
      .post('/api/products')
      .set('Cookie', seller)
      .send({ ...valid, category: 'decor' })
  ).body.id;
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });

/** Strings that look like slugs: case, padding, separators, prototype names, control characters. */
const lookAlike = fc.oneof(
  fc
    .constantFrom(...slugs)
    .chain((s) =>
      fc.constantFrom(s.toUpperCase(), ` ${s}`, `${s} `, `${s}\u0000`, `${s}/`, `home/${s}`, `${s},audio`, `${s}s`, s.replace('-', '_')),
    ),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'null', 'undefined', '*', '.*', '$ne'),
);
const hostileCategory = fc.oneof(weirdString, lookAlike, wrongType, fc.constantFrom(...slugs));

describe('products category: hostile input never answers 5xx', () => {
  it('POST /api/products: a category not in the tree → 400 on field category, nothing stored; a slug → 201 with it', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCategory, async (category) => {
        const before = await models.Product.countDocuments();
        const res = await request(app)
          .post('/api/products')
          .set('Cookie', seller)
          .send({ ...valid, category });
        expectNever5xx(res);
        if (isCategory(category)) {
          expect(res.status).toBe(201);
          expect(res.body.category).toBe(category);
          expect((await models.Product.findById(res.body.id).lean())!.category).toBe(category);
        } else {
          expect(res.status).toBe(400);
          expectErrorShape(res);
          expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain('category');
          expect(await models.Product.countDocuments()).toBe(before);
        }
      }),
      params(191),
    );
  });

  it('PUT /api/products/:id: a category not in the tree → 400 and the product keeps its category and version', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCategory, async (category) => {
        const before = (await models.Product.findById(productId).lean())!;
        const res = await request(app).put(`/api/products/${productId}`).set('Cookie', seller).send({ category });
        expectNever5xx(res);
        const after = (await models.Product.findById(productId).lean())!;
        if (isCategory(category)) {
          expect(res.status).toBe(200);
          expect(after.category).toBe(category);
        } else {
          expect(res.status).toBe(400);
          expectErrorShape(res);
          expect(after).toMatchObject({ category: before.category, version: before.version });
        }
      }),
      params(192),
    );
  });

  it('GET /api/products?category=…: 200 only for one real slug (and then only its products), else 400 on category; other keys are ignored', async () => {
    const key = fc.constantFrom('category', 'category', 'category[]', 'category[$ne]', 'category[$in][]', 'Category');
    const value = fc.oneof(
      fc.constantFrom(...slugs),
      lookAlike,
      weirdString.filter((s) => s.length < 500),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 3 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
        const res = await request(app).get(`/api/products?${qs}&limit=100`);
        expectNever5xx(res);
        const exact = pairs.filter(([k]) => k === 'category').map(([, v]) => v);
        if (exact.length === 0) {
          expect(res.status).toBe(200);
        } else if (exact.length === 1 && isCategory(exact[0])) {
          expect(res.status).toBe(200);
          const allowed = categoryWithDescendants(exact[0]);
          for (const p of res.body.items) expect(allowed).toContain(p.category);
        } else {
          expect(res.status).toBe(400);
          expectErrorShape(res);
          expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain('category');
        }
      }),
      params(193),
    );
  });
});
