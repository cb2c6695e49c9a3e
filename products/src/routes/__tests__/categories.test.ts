/**
 * Categories on products (issue 19): a slug of common's tree on every product (`other` unless the
 * seller chose one), changed by the seller, filtered with `?category=` (a parent includes its
 * children), carried by product.created / product.updated.
 */
import request from 'supertest';
import { Subjects } from '@jetmart/common';
import { categoryWithDescendants, DEFAULT_CATEGORY } from '@jetmart/common/contracts';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase({ prefix: 'products_categories' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));

const seller = signinCookie({ id: '64b000000000000000000001' });
const valid = { title: 'Brass lamp', price: 30, quantity: 2, description: 'Warm light' };
const create = (body: object) => request(app).post('/api/products').set('Cookie', seller).send(body);
const put = (id: string, body: object) => request(app).put(`/api/products/${id}`).set('Cookie', seller).send(body);

/** Every listed product of `category` through the cursor, page by page (limit 2: several pages). */
async function listAll(category: string): Promise<{ id: string; category: string }[]> {
  const out: { id: string; category: string }[] = [];
  let cursor: string | null = null;
  do {
    const res: request.Response = await request(app)
      .get('/api/products')
      .query({ category, limit: 2, ...(cursor ? { cursor } : {}) })
      .expect(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

it('POST: the chosen category, or other; product.created carries it with the description and createdAt', async () => {
  const lamp = (await create({ ...valid, category: 'lighting' }).expect(201)).body;
  expect(lamp.category).toBe('lighting');
  const plain = (await create(valid).expect(201)).body;
  expect(plain.category).toBe(DEFAULT_CATEGORY);
  const stored = (await models.Product.findById(lamp.id).lean())!;
  expect(stored.category).toBe('lighting');
  expect(stored.outbox[0].event).toMatchObject({
    subject: Subjects.ProductCreated,
    data: { category: 'lighting', description: 'Warm light', images: [], createdAt: stored.createdAt.toISOString() },
  });
});

it('POST/PUT: an unknown category is 400 on field category and changes nothing', async () => {
  for (const category of [
    'lamps',
    'Lighting',
    ' lighting',
    '',
    'home/lighting',
    '__proto__',
    'constructor',
    42,
    null,
    ['home'],
    { $ne: 'x' },
  ]) {
    const res = await create({ ...valid, category }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'category' })]);
  }
  expect(await models.Product.countDocuments()).toBe(0);
  const { id } = (await create(valid).expect(201)).body;
  const res = await put(id, { category: 'Lamps' }).expect(400);
  expect(res.body.errors).toEqual([expect.objectContaining({ field: 'category' })]);
  expect(await models.Product.findById(id).lean()).toMatchObject({ category: DEFAULT_CATEGORY, version: 0 });
});

it('PUT: the seller moves a product to another category (product.updated carries it); the same category again changes nothing', async () => {
  const { id } = (await create(valid).expect(201)).body;
  const moved = (await put(id, { category: 'furniture' }).expect(200)).body;
  expect(moved).toMatchObject({ category: 'furniture', version: 1 });
  expect((await put(id, { category: 'furniture' }).expect(200)).body.version).toBe(1);
  const stored = (await models.Product.findById(id).lean())!;
  const events = stored.outbox.map((e) => ({ subject: e.subject, data: e.event.data as { category?: string; version: number } }));
  expect(events.map((e) => [e.subject, e.data.category, e.data.version])).toEqual([
    [Subjects.ProductCreated, DEFAULT_CATEGORY, 0],
    [Subjects.ProductUpdated, 'furniture', 1],
  ]);
});

it('GET ?category=: a parent lists its own and its children’s products, a child only its own, across pages; unlisted ones never', async () => {
  const made: Record<string, string[]> = {};
  for (const category of ['home', 'lighting', 'lighting', 'furniture', 'decor', 'audio', 'shoes', 'lighting']) {
    const { id } = (await create({ ...valid, category }).expect(201)).body;
    (made[category] ??= []).push(id);
  }
  const unlisted = (await create({ ...valid, category: 'lighting' }).expect(201)).body.id;
  await request(app).post(`/api/products/${unlisted}/unlist`).set('Cookie', seller).expect(200);

  const home = await listAll('home');
  const homeIds = categoryWithDescendants('home').flatMap((c) => made[c] ?? []);
  expect(home.map((p) => p.id).sort()).toEqual(homeIds.sort());
  expect(home).toHaveLength(6);
  expect((await listAll('lighting')).map((p) => p.id).sort()).toEqual(made.lighting.sort());
  expect((await listAll('electronics')).map((p) => p.id)).toEqual(made.audio);
  expect(await listAll('kitchen')).toEqual([]);
  // Newest first within the category, as the whole catalog.
  expect(home.map((p) => p.id)).toEqual([...homeIds].reverse());
});

it('GET ?category=other includes products stored before categories (no category field); they read as other', async () => {
  const legacy = await models.Product.collection.insertOne({
    title: 'Old chair',
    description: '',
    priceMinor: 1000,
    quantity: 1,
    userId: '64b000000000000000000001',
    version: 0,
    outbox: [],
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const chosen = (await create({ ...valid, category: 'other' }).expect(201)).body.id;
  await create({ ...valid, category: 'books' }).expect(201);
  const other = await listAll('other');
  expect(other.map((p) => p.id).sort()).toEqual([legacy.insertedId.toHexString(), chosen].sort());
  expect(other.every((p) => p.category === 'other')).toBe(true);
  expect((await request(app).get(`/api/products/${legacy.insertedId.toHexString()}`).expect(200)).body.category).toBe('other');
});

it('GET ?category=: unknown, repeated or operator-shaped → 400 on field category', async () => {
  for (const qs of ['category=lamps', 'category=', 'category=home&category=audio', 'category=HOME', 'category=%00home']) {
    const res = await request(app).get(`/api/products?${qs}`).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'category' })]);
  }
});

it('the category listing has its index (category, createdAt, _id)', async () => {
  const indexes = await models.Product.collection.indexes();
  expect(indexes.map((i) => i.key)).toContainEqual({ category: 1, createdAt: -1, _id: -1 });
});
