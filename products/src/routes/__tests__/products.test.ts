import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { recordHeld, recordRestocked, recordSold } from '../../models';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase();
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));

const seller = { id: '64b000000000000000000001' };
const buyer = { id: '64b000000000000000000002' };

const createProduct = (body: Record<string, unknown>, user: { id: string } = seller) =>
  request(app).post('/api/products').set('Cookie', signinCookie(user)).send(body);

const valid = { title: 'Red shoes', price: 19.99, quantity: 5, description: 'Comfortable' };

describe('POST /api/products', () => {
  it('401 when not signed in', async () => {
    const res = await request(app).post('/api/products').send(valid).expect(401);
    expect(res.body.errors[0].message).toBeTruthy();
    expect(await models.Product.countDocuments()).toBe(0);
  });

  it.each([
    ['title', { ...valid, title: undefined }],
    ['title', { ...valid, title: '   ' }],
    ['title', { ...valid, title: 'x'.repeat(201) }],
    ['title', { ...valid, title: 42 }],
    ['price', { ...valid, price: undefined }],
    ['price', { ...valid, price: 0 }],
    ['price', { ...valid, price: -1 }],
    ['price', { ...valid, price: 1.234 }],
    ['price', { ...valid, price: 1_000_000.01 }],
    ['price', { ...valid, price: '10' }],
    ['quantity', { ...valid, quantity: undefined }],
    ['quantity', { ...valid, quantity: -1 }],
    ['quantity', { ...valid, quantity: 1.5 }],
    ['quantity', { ...valid, quantity: 1_000_001 }],
    ['description', { ...valid, description: 7 }],
  ])('400 naming %s for %j', async (field, body) => {
    const res = await createProduct(body).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
    expect(await models.Product.countDocuments()).toBe(0);
  });

  it('400 for a body that is not a JSON object', async () => {
    await request(app)
      .post('/api/products')
      .set('Cookie', signinCookie(seller))
      .set('Content-Type', 'application/json')
      .send('[1]')
      .expect(400);
    await request(app)
      .post('/api/products')
      .set('Cookie', signinCookie(seller))
      .set('Content-Type', 'application/json')
      .send('{bad')
      .expect(400);
  });

  it('201 with the product, stored in minor units, product.created (version 0) in the outbox', async () => {
    const res = await createProduct({ ...valid, price: 0.29 }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      title: 'Red shoes',
      description: 'Comfortable',
      price: 0.29,
      quantity: 5,
      available: 5,
      userId: seller.id,
      listed: true,
      category: 'other',
      images: [],
      rating: { average: null, count: 0 },
      version: 0,
    });
    const stored = await models.Product.findById(res.body.id).lean();
    expect(stored!.priceMinor).toBe(29);
    expect(stored!.outbox).toHaveLength(1);
    expect(stored!.outbox[0].event).toMatchObject({
      subject: 'product.created',
      data: {
        id: res.body.id,
        title: 'Red shoes',
        priceMinor: 29,
        quantity: 5,
        userId: seller.id,
        listed: true,
        description: 'Comfortable',
        category: 'other',
        images: [],
        // The event's createdAt is the stored one (search sorts "newest" by it).
        createdAt: stored!.createdAt.toISOString(),
        version: 0,
      },
    });
  });
});

describe('GET /api/products', () => {
  it('lists newest first with cursor paging over every product exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createProduct({ ...valid, title: `Item ${i}` }).expect(201)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(app)
        .get('/api/products')
        .query(cursor ? { limit: 2, cursor } : { limit: 2 })
        .expect(200);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
  });

  it('q matches title words case-insensitively and regex characters literally', async () => {
    await createProduct({ ...valid, title: 'Red Shoes' });
    await createProduct({ ...valid, title: 'Blue shoe (size 42)' });
    await createProduct({ ...valid, title: 'Horseshoes' });
    const titles = async (q: string) =>
      ((await request(app).get('/api/products').query({ q }).expect(200)).body.items as { title: string }[]).map((p) => p.title).sort();
    expect(await titles('SHOE')).toEqual(['Blue shoe (size 42)', 'Red Shoes']);
    expect(await titles('red shoes')).toEqual(['Red Shoes']);
    expect(await titles('(size')).toEqual(['Blue shoe (size 42)']);
    expect(await titles('.*')).toEqual([]);
  });

  it.each([
    ['limit', { limit: 0 }],
    ['limit', { limit: 101 }],
    ['limit', { limit: 'ten' }],
    ['cursor', { cursor: 'not-a-cursor' }],
  ])('400 naming %s for %j', async (field, query) => {
    const res = await request(app).get('/api/products').query(query).expect(400);
    expect(res.body.errors[0].field).toBe(field);
  });

  it('400 when q is given twice', async () => {
    const res = await request(app).get('/api/products?q=a&q=b').expect(400);
    expect(res.body.errors[0].field).toBe('q');
  });

  it('defaults to 20 per page', async () => {
    await models.Product.insertMany(
      Array.from({ length: 21 }, (_, i) => ({ title: `P${i}`, priceMinor: 100, quantity: 1, userId: seller.id })),
    );
    const res = await request(app).get('/api/products').expect(200);
    expect(res.body.items).toHaveLength(20);
    expect(res.body.nextCursor).toEqual(expect.any(String));
  });
});

describe('GET /api/products/:id', () => {
  it('200 with available = quantity - held - sold', async () => {
    const { id } = (await createProduct(valid)).body;
    await recordHeld(models.UnitLedger, '64b0000000000000000000aa', [{ productId: id, quantity: 2 }]);
    await recordHeld(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 1 }]);
    await recordSold(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 1 }]);
    const res = await request(app).get(`/api/products/${id}`).expect(200);
    expect(res.body).toMatchObject({ id, quantity: 5, available: 2 });
  });

  it('200 with available = quantity - held - sold + restocked: restocked units are on sale again', async () => {
    const { id } = (await createProduct(valid)).body;
    await recordHeld(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 4 }]);
    await recordSold(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 4 }]);
    expect((await request(app).get(`/api/products/${id}`).expect(200)).body.available).toBe(1);
    await recordRestocked(models.UnitLedger, '64b0000000000000000000bb', 'shipment-1', [{ productId: id, quantity: 3 }]);
    expect((await request(app).get(`/api/products/${id}`).expect(200)).body.available).toBe(4);
  });

  it('404 for an unknown or malformed id', async () => {
    await request(app).get('/api/products/64b0000000000000000000ff').expect(404);
    const res = await request(app).get('/api/products/nope').expect(404);
    expect(res.body.errors[0].message).toBeTruthy();
  });
});

describe('PUT /api/products/:id', () => {
  const update = (id: string, body: Record<string, unknown>, user: { id: string } = seller) =>
    request(app).put(`/api/products/${id}`).set('Cookie', signinCookie(user)).send(body);

  it('401 when not signed in, 403 for another user, 404 when unknown', async () => {
    const { id } = (await createProduct(valid)).body;
    await request(app).put(`/api/products/${id}`).send({ title: 'x' }).expect(401);
    await update(id, { title: 'Stolen' }, buyer).expect(403);
    await update('64b0000000000000000000ff', { title: 'x' }).expect(404);
    const stored = await models.Product.findById(id).lean();
    expect(stored).toMatchObject({ title: 'Red shoes', version: 0 });
  });

  it.each([
    ['title', { title: '' }],
    ['price', { price: 0 }],
    ['price', { price: 2.001 }],
    ['quantity', { quantity: -1 }],
    ['quantity', { quantity: 0.5 }],
  ])('400 naming %s for %j', async (field, body) => {
    const { id } = (await createProduct(valid)).body;
    const res = await update(id, body).expect(400);
    expect(res.body.errors[0].field).toBe(field);
  });

  it('200 raises the version by exactly one per change and queues product.updated with it', async () => {
    const { id } = (await createProduct(valid)).body;
    const first = await update(id, { price: 25, quantity: 7 }).expect(200);
    expect(first.body).toMatchObject({ price: 25, quantity: 7, available: 7, version: 1, title: 'Red shoes' });
    const second = await update(id, { title: 'Green shoes' }).expect(200);
    expect(second.body.version).toBe(2);
    const stored = await models.Product.findById(id).lean();
    expect(stored!.version).toBe(2);
    expect(stored!.outbox.map((e) => [e.subject, (e.event.data as { version?: number }).version])).toEqual([
      ['product.created', 0],
      ['product.updated', 1],
      ['product.updated', 2],
    ]);
    expect(stored!.outbox[2].event.data).toMatchObject({ title: 'Green shoes', priceMinor: 2500, quantity: 7 });
  });

  it('a PUT that changes nothing keeps the version and publishes nothing', async () => {
    const { id } = (await createProduct(valid)).body;
    const res = await update(id, { title: 'Red shoes', price: 19.99 }).expect(200);
    expect(res.body.version).toBe(0);
    expect((await models.Product.findById(id).lean())!.outbox).toHaveLength(1);
  });

  it('409 when lowering quantity below units held or sold; exactly that many is fine', async () => {
    const { id } = (await createProduct(valid)).body;
    await recordHeld(models.UnitLedger, '64b0000000000000000000aa', [{ productId: id, quantity: 2 }]);
    await recordHeld(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 1 }]);
    await recordSold(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 1 }]);
    const res = await update(id, { quantity: 2 }).expect(409);
    expect(res.body.errors[0]).toMatchObject({ field: 'quantity' });
    expect((await models.Product.findById(id).lean())!.quantity).toBe(5);
    const ok = await update(id, { quantity: 3 }).expect(200);
    expect(ok.body).toMatchObject({ quantity: 3, available: 0, version: 1 });
  });

  it('restocked units no longer count as taken: the seller may lower the quantity by them', async () => {
    const { id } = (await createProduct(valid)).body;
    await recordHeld(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 4 }]);
    await recordSold(models.UnitLedger, '64b0000000000000000000bb', [{ productId: id, quantity: 4 }]);
    await update(id, { quantity: 3 }).expect(409);
    await recordRestocked(models.UnitLedger, '64b0000000000000000000bb', 'return-1', [{ productId: id, quantity: 1 }]);
    await update(id, { quantity: 2 }).expect(409);
    expect((await update(id, { quantity: 3 }).expect(200)).body).toMatchObject({ quantity: 3, available: 0 });
  });
});
