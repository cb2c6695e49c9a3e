/**
 * Every documented response of the images part of the products API (openapi-images.ts),
 * produced by real requests (real database, real sharp) and checked against the document; then
 * nothing of that part is left unproduced.
 */
import request from 'supertest';
import { IMAGE_LIMITS } from '@jetmart/common/contracts';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { jpeg, png, TEXT } from '../images/__tests__/fixtures';
import { imagesApiPaths } from '../openapi-images';
import { productsApiDocument } from '../openapi';
import { syncIndexes, testApp } from './helpers';

useTestDatabase({ prefix: 'products_contract_images', clearEachTest: false });
const { app, models } = testApp();
const contract = new OpenApiContract(productsApiDocument);
beforeAll(() => syncIndexes(models));

const seller = signinCookie({ id: '64b0000000000000000000d1' });
const other = signinCookie({ id: '64b0000000000000000000d2' });
const missing = '64b0000000000000000000ff';
let productId = '';

beforeAll(async () => {
  productId = (await request(app).post('/api/products').set('Cookie', seller).send({ title: 'Rug', price: 40, quantity: 2 }).expect(201))
    .body.id;
});

const upload = (body: Buffer, cookie: string | null = seller, id = productId) => {
  const req = request(app).post(`/api/products/${id}/images`).set('Content-Type', 'application/octet-stream');
  return (cookie ? req.set('Cookie', cookie) : req).send(body);
};

it('POST /api/products/{id}/images: 201, 200, 400, 401, 403, 404, 409, 413, 415', async () => {
  const file = await jpeg(300, 200, 71);
  await contract.expect(upload(file), 201);
  await contract.expect(upload(file), 200);
  await contract.expect(upload(file.subarray(0, file.length / 2)), 400);
  await contract.expect(upload(file, null), 401);
  await contract.expect(upload(file, other), 403);
  await contract.expect(upload(file, seller, missing), 404);
  await contract.expect(upload(TEXT), 415);
  await contract.expect(upload(Buffer.alloc(IMAGE_LIMITS.maxBytes + 1)), 413);
  for (let n = 1; n < IMAGE_LIMITS.maxPerProduct; n++) await upload(await png(20, 20, 700 + n)).expect(201);
  await contract.expect(upload(await png(20, 20, 799)), 409);
});

it('GET /api/products/{id}/images/{imageId}/{size}: 200, 304, 404', async () => {
  const { body: product } = await request(app).get(`/api/products/${productId}`).expect(200);
  const url: string = product.images[0].urls.thumb;
  const res = await contract.expect(request(app).get(url), 200);
  await contract.expect(request(app).get(url).set('If-None-Match', res.headers.etag!), 304);
  await contract.expect(request(app).get(url.replace('/thumb', '/giant')), 404);
});

it('PUT /api/products/{id}/images/order: 200, 400, 401, 403, 404', async () => {
  const { body: product } = await request(app).get(`/api/products/${productId}`).expect(200);
  const ids: string[] = product.images.map((i: { id: string }) => i.id);
  const order = (imageIds: unknown, cookie: string | null = seller, id = productId) => {
    const req = request(app).put(`/api/products/${id}/images/order`);
    return (cookie ? req.set('Cookie', cookie) : req).send({ imageIds });
  };
  const res = await contract.expect(order([...ids].reverse()), 200);
  expect(res.body.images[0].id).toBe(ids[ids.length - 1]);
  await contract.expect(order(ids.slice(1)), 400);
  await contract.expect(order(ids, null), 401);
  await contract.expect(order(ids, other), 403);
  await contract.expect(order(ids, seller, missing), 404);
});

it('DELETE /api/products/{id}/images/{imageId}: 200, 401, 403, 404', async () => {
  const { body: product } = await request(app).get(`/api/products/${productId}`).expect(200);
  const imageId: string = product.images[0].id;
  const url = `/api/products/${productId}/images/${imageId}`;
  await contract.expect(request(app).delete(url), 401);
  await contract.expect(request(app).delete(url).set('Cookie', other), 403);
  const res = await contract.expect(request(app).delete(url).set('Cookie', seller), 200);
  expect(res.body.images).toHaveLength(IMAGE_LIMITS.maxPerProduct - 1);
  await contract.expect(request(app).delete(url).set('Cookie', seller), 404);
});

it('every documented response of the images part was produced', () => {
  const paths = Object.keys(imagesApiPaths);
  expect(contract.unexercised().filter((k) => paths.includes(k.split(' ')[1]!))).toEqual([]);
});
