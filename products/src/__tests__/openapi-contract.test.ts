/**
 * Every documented response of the products API, produced by real requests (real database) and
 * checked against src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { unlistSeller } from '../forgetting';
import { recordDeliveredLines, recordHeld } from '../models';
import { productsApiDocument } from '../openapi';
import { imagesApiPaths } from '../openapi-images';
import { reviewsApiPaths } from '../openapi-reviews';
import { syncIndexes, testApp } from './helpers';

useTestDatabase({ prefix: 'products_contract', clearEachTest: false });
const { app, models } = testApp();
const contract = new OpenApiContract(productsApiDocument);
beforeAll(() => syncIndexes(models));

const seller = signinCookie({ id: '64b000000000000000000001' });
const other = signinCookie({ id: '64b000000000000000000002' });
const valid = { title: 'Red shoes', price: 19.99, quantity: 5, description: 'Comfortable' };

it('POST /api/products: 201, 400, 401', async () => {
  const created = await contract.expect(request(app).post('/api/products').set('Cookie', seller).send(valid), 201);
  expect(created.body).toMatchObject({ ...valid, available: 5, version: 0 });
  await contract.expect(
    request(app)
      .post('/api/products')
      .set('Cookie', seller)
      .send({ ...valid, price: 0 }),
    400,
  );
  await contract.expect(request(app).post('/api/products').send(valid), 401);
  const lamp = await contract.expect(
    request(app)
      .post('/api/products')
      .set('Cookie', seller)
      .send({ ...valid, category: 'lighting' }),
    201,
  );
  expect(lamp.body.category).toBe('lighting');
  await contract.expect(
    request(app)
      .post('/api/products')
      .set('Cookie', seller)
      .send({ ...valid, category: 'lamps' }),
    400,
  );
});

it('GET /api/products (pages) and /api/products/:id: 200, 400, 404', async () => {
  await request(app)
    .post('/api/products')
    .set('Cookie', seller)
    .send({ ...valid, title: 'Blue shoes' })
    .expect(201);
  const first = await contract.expect(request(app).get('/api/products?limit=1'), 200);
  expect(first.body.nextCursor).toEqual(expect.any(String));
  // The rest in one page (the first test listed two products already): the last page has no cursor.
  const last = await contract.expect(request(app).get(`/api/products?limit=100&cursor=${first.body.nextCursor}`), 200);
  expect(last.body.nextCursor).toBeNull();
  await contract.expect(request(app).get('/api/products?limit=0'), 400);
  const home = await contract.expect(request(app).get('/api/products?category=home'), 200);
  expect(home.body.items.map((p: { category: string }) => p.category)).toContain('lighting');
  await contract.expect(request(app).get('/api/products?category=nope'), 400);
  await contract.expect(request(app).get(`/api/products/${first.body.items[0].id}`), 200);
  await contract.expect(request(app).get('/api/products/64b0000000000000000000ff'), 404);
});

it('PUT /api/products/:id: 200, 400, 401, 403, 404, 409', async () => {
  const { id } = (await request(app).post('/api/products').set('Cookie', seller).send(valid).expect(201)).body;
  const put = (body: object, cookie = seller, target = id) => request(app).put(`/api/products/${target}`).set('Cookie', cookie).send(body);
  const changed = await contract.expect(put({ price: 25 }), 200);
  expect(changed.body).toMatchObject({ price: 25, version: 1 });
  await contract.expect(put({ title: '' }), 400);
  await contract.expect(request(app).put(`/api/products/${id}`).send({ price: 1 }), 401);
  await contract.expect(put({ price: 1 }, other), 403);
  await contract.expect(put({ price: 1 }, seller, '64b0000000000000000000fe'), 404);
  await recordHeld(models.UnitLedger, '64b0000000000000000000aa', [{ productId: id, quantity: 3 }]);
  await contract.expect(put({ quantity: 2 }), 409);
});

it('GET /api/products?sellerId= and /api/products/mine: 200, 400, 401', async () => {
  await contract.expect(request(app).get('/api/products?sellerId=64b000000000000000000001'), 200);
  await contract.expect(request(app).get('/api/products?sellerId=nope'), 400);
  const page = await contract.expect(request(app).get('/api/products/mine?limit=1&lowStock=true').set('Cookie', seller), 200);
  expect(page.body.items).toHaveLength(1);
  await contract.expect(request(app).get('/api/products/mine?lowStock=maybe').set('Cookie', seller), 400);
  await contract.expect(request(app).get('/api/products/mine'), 401);
});

it('POST /api/products/:id/unlist and /relist: 200, 401, 403, 404, 409', async () => {
  const { id } = (await request(app).post('/api/products').set('Cookie', seller).send(valid).expect(201)).body;
  for (const action of ['unlist', 'relist']) {
    const done = await contract.expect(request(app).post(`/api/products/${id}/${action}`).set('Cookie', seller), 200);
    expect(done.body.listed).toBe(action === 'relist');
    await contract.expect(request(app).post(`/api/products/${id}/${action}`), 401);
    await contract.expect(request(app).post(`/api/products/${id}/${action}`).set('Cookie', other), 403);
    await contract.expect(request(app).post(`/api/products/64b0000000000000000000fe/${action}`).set('Cookie', seller), 404);
  }
  await unlistSeller({ models }, '64b000000000000000000001');
  await contract.expect(request(app).post(`/api/products/${id}/relist`).set('Cookie', seller), 409);
});

it('GET /api/products/me/export: 200, 401', async () => {
  const me = signinCookie({ id: '64b000000000000000000e01' });
  const made = await request(app).post('/api/products').set('Cookie', me).send(valid);
  // A review of theirs and a report of theirs, so the documented item shapes are checked too.
  const [author, reviewer] = ['64b000000000000000000e02', '64b000000000000000000e03'];
  for (const buyerId of [author, reviewer]) {
    await recordDeliveredLines(models.DeliveredLine, { buyerId, shipmentId: buyerId, deliveredAt: new Date(), productIds: [made.body.id] });
  }
  const theirs = await request(app)
    .post(`/api/products/${made.body.id}/reviews`)
    .set('Cookie', signinCookie({ id: author }))
    .send({ rating: 3, text: 'Fine' });
  await request(app)
    .post(`/api/products/${made.body.id}/reviews`)
    .set('Cookie', signinCookie({ id: reviewer }))
    .send({ rating: 4, text: 'Good' })
    .expect(201);
  await request(app)
    .post(`/api/reviews/${theirs.body.id}/report`)
    .set('Cookie', signinCookie({ id: reviewer }))
    .send({ reason: 'off topic' })
    .expect(202);
  const res = await contract.expect(request(app).get('/api/products/me/export').set('Cookie', me), 200);
  expect(res.body.products.map((p: { id: string }) => p.id)).toEqual([made.body.id]);
  const reviewers = await contract.expect(
    request(app)
      .get('/api/products/me/export')
      .set('Cookie', signinCookie({ id: reviewer })),
    200,
  );
  expect(reviewers.body.reviews.map((r: { text: string }) => r.text)).toEqual(['Good']);
  expect(reviewers.body.reviewReports).toEqual([
    { reviewId: theirs.body.id, productId: made.body.id, reason: 'off topic', at: expect.any(String) },
  ]);
  await contract.expect(request(app).get('/api/products/me/export'), 401);
});

it('every documented response was produced', () => {
  // The reviews and images parts have their own contract tests (openapi-contract-reviews/-images.test.ts).
  const elsewhere = [...Object.keys(reviewsApiPaths), ...Object.keys(imagesApiPaths)];
  expect(contract.unexercised().filter((k) => !elsewhere.includes(k.split(' ')[1]))).toEqual([]);
});
