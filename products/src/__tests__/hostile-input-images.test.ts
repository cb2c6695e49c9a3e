/**
 * Hostile input at the image routes (SPEC invariant 6): random and mutated file bytes (valid
 * images with bytes flipped or cut, garbage behind a JPEG/PNG/WebP signature), random declared
 * Content-Types, hostile product and image ids, sizes, If-None-Match headers, order bodies and
 * session cookies. Every answer is < 500 and, when an error, in the documented shape; a refused
 * upload stores nothing, and nobody but the seller changes the product's pictures. Seeded.
 */
import fc from 'fast-check';
import request from 'supertest';
import sharp from 'sharp';
import {
  anyValue,
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  hostileId,
  percentEncode,
  rawBody,
  rawSegment,
  signinCookie,
  useTestDatabase,
  weirdString,
} from '@jetmart/common/testing';
import type { FsBlobStore } from '../images';
import { filesIn, jpeg, png, webp } from '../images/__tests__/fixtures';
import { syncIndexes, testApp } from './helpers';

useTestDatabase({ clearEachTest: false, prefix: 'products_hostile_images' });
const { app, models, imageStore } = testApp();
const dir = (imageStore as FsBlobStore).dir;
const seller = { id: '64b0000000000000000000e1' };
const stranger = { id: '64b0000000000000000000e2' };
let productId = '';
const imageIds: string[] = [];
let samples: Buffer[] = [];

beforeAll(async () => {
  await syncIndexes(models);
  productId = (
    await request(app).post('/api/products').set('Cookie', signinCookie(seller)).send({ title: 'Lamp', price: 10, quantity: 5 }).expect(201)
  ).body.id;
  samples = [await jpeg(64, 48, 901), await png(40, 30, 902), await webp(50, 40, 903)];
  for (const file of samples.slice(0, 2)) {
    imageIds.push(
      (await request(app).post(`/api/products/${productId}/images`).set('Cookie', signinCookie(seller)).send(file).expect(201)).body.id,
    );
  }
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const productIdArb = fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constant('64b0000000000000000000ff'));
const sellerCookie = signinCookie(seller);
const cookieArb = fc.oneof(fc.constant(sellerCookie), fc.constant(signinCookie(stranger)), hostileCookie);
const contentType = fc.oneof(
  fc.constantFrom(
    'image/png',
    'image/jpeg',
    'image/webp',
    'application/json',
    'text/html',
    'multipart/form-data; boundary=x',
    'image/svg+xml',
  ),
  fc.string({ maxLength: 60 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
);
const SIGNATURES = [
  Buffer.from([0xff, 0xd8, 0xff]),
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'),
];
/** Garbage, garbage behind an image signature, or a real small image with bytes flipped or cut. */
const fileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.nat(2), fc.uint8Array({ maxLength: 3000 })).map(([s, a]) => Buffer.concat([SIGNATURES[s]!, Buffer.from(a)])),
  fc.tuple(fc.nat(2), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }), fc.option(fc.nat())).map(([s, flips, cut]) => {
    const bytes = Buffer.from(samples[s]!);
    for (const [at, value] of flips) bytes[at % bytes.length] = value;
    return cut === null ? bytes : bytes.subarray(0, cut % bytes.length);
  }),
);

describe('image routes: hostile input never answers 5xx', () => {
  it('POST /api/products/:id/images: random and mutated bytes, types, ids and cookies → 4xx or a real WebP, nothing stored on refusal', async () => {
    const other = (
      await request(app)
        .post('/api/products')
        .set('Cookie', signinCookie(seller))
        .send({ title: 'Fuzz', price: 1, quantity: 1 })
        .expect(201)
    ).body.id as string;
    await fc.assert(
      fc.asyncProperty(fileBytes, contentType, fc.oneof(fc.constant(other), productIdArb), cookieArb, async (bytes, type, id, cookie) => {
        const before = filesIn(dir);
        const res = await request(app)
          .post(`/api/products/${id}/images`)
          .set('Cookie', cookie)
          .set('Content-Type', type)
          .serialize((b: unknown) => b as string)
          .send(bytes);
        expectNever5xx(res);
        if (res.status === 201 || res.status === 200) {
          // Only the seller, and only something that decodes; what is served is a WebP.
          expect(cookie).toBe(sellerCookie);
          const served = await request(app).get(res.body.urls.thumb).buffer(true).expect(200);
          expect((await sharp(served.body as Buffer).metadata()).format).toBe('webp');
          // Keep room: the product may hold at most 8.
          await request(app).delete(`/api/products/${other}/images/${res.body.id}`).set('Cookie', cookie).expect(200);
        } else {
          expectErrorShape(res);
          expect([400, 401, 403, 404, 409, 413, 415]).toContain(res.status);
          expect(filesIn(dir)).toEqual(before);
        }
      }),
      params(301),
    );
  });

  it('DELETE /api/products/:id/images/:imageId: hostile ids and cookies → never 5xx; only the seller removes', async () => {
    await fc.assert(
      fc.asyncProperty(
        productIdArb,
        fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constantFrom('f'.repeat(32), 'order', '..%2F..%2Fetc')),
        cookieArb,
        async (id, imageId, cookie) => {
          const res = await request(app).delete(`/api/products/${id}/images/${imageId}`).set('Cookie', cookie);
          expectNever5xx(res);
          expectErrorShape(res);
        },
      ),
      params(302),
    );
    // Another seller, or a session that is not one, takes nothing off the real product.
    for (const cookie of [signinCookie(stranger), 'session=e30']) {
      const res = await request(app).delete(`/api/products/${productId}/images/${imageIds[0]}`).set('Cookie', cookie);
      expect([401, 403]).toContain(res.status);
    }
    expect((await models.Product.findById(productId).lean())!.images.map((i) => i.id)).toEqual(imageIds);
  });

  it('PUT /api/products/:id/images/order: hostile bodies, ids and cookies → never 5xx; the pictures stay the same set', async () => {
    const orderBody = fc.oneof(
      fc.record({ imageIds: fc.oneof(anyValue, fc.array(fc.oneof(fc.constantFrom(...imageIds), weirdString), { maxLength: 10 })) }),
      fc.dictionary(fc.constantFrom('imageIds', '$set', 'images', '__proto__', 'version'), anyValue),
      anyValue,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(productId), productIdArb),
        fc.oneof(orderBody, rawBody),
        cookieArb,
        async (id, body, cookie) => {
          // Raw strings as they are (malformed JSON), anything else as its JSON text.
          const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? 'null');
          const res = await request(app)
            .put(`/api/products/${id}/images/order`)
            .set('Cookie', cookie)
            .set('Content-Type', 'application/json')
            .send(text);
          expectNever5xx(res);
          if (res.status >= 400) expectErrorShape(res);
          const stored = (await models.Product.findById(productId).lean())!;
          expect(stored.images.map((i) => i.id).sort()).toEqual([...imageIds].sort());
        },
      ),
      params(303),
    );
  });

  it('GET /api/products/:id/images/:imageId/:size: hostile segments and If-None-Match → 200/304/400/404, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(productId), productIdArb),
        fc.oneof(fc.constantFrom(...imageIds), hostileId.map(percentEncode), rawSegment),
        fc.oneof(
          fc.constantFrom('thumb', 'medium', 'large', 'original', '..', 'THUMB'),
          weirdString.filter((s) => s.length < 200).map(percentEncode),
        ),
        fc.option(
          fc.oneof(
            fc.constantFrom('*', 'W/"x"', `"${imageIds[0]}-thumb"`),
            fc.string({ maxLength: 200 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
          ),
        ),
        async (id, imageId, size, inm) => {
          const req = request(app).get(`/api/products/${id}/images/${imageId}/${size}`);
          const res = inm === null ? await req : await req.set('If-None-Match', inm);
          expectNever5xx(res);
          expect([200, 304, 400, 404]).toContain(res.status);
          if (res.status === 200) expect(res.headers['content-type']).toBe('image/webp');
          if (res.status >= 400) expectErrorShape(res);
        },
      ),
      params(304),
    );
  });
});
