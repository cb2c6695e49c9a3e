/**
 * Product images end to end through the HTTP routes, with the real sharp and the real database
 * (FerretDB in CI): upload, serving with cache validators, removal, reordering, the limit of 8
 * under concurrent uploads, and hostile uploads (each refused with a 4xx and NOTHING stored: no
 * file in the store's directory and the product unchanged).
 */
import request from 'supertest';
import sharp from 'sharp';
import { IMAGE_LIMITS, type ProductImageRecord } from '@jetmart/common/contracts';
import { Subjects } from '@jetmart/common';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { syncIndexes, testApp } from '../../__tests__/helpers';
import type { FsBlobStore } from '../blob-store';
import { filesIn, gif, jpeg, jpegWithExif, PAYLOAD, PDF, png, pngBomb, SVG, TEXT, webp } from './fixtures';

useTestDatabase({ prefix: 'products_images', clearEachTest: false });
const { app, models, imageStore } = testApp();
const dir = (imageStore as FsBlobStore).dir;
beforeAll(() => syncIndexes(models));

const sellerId = '64b0000000000000000000a1';
const seller = signinCookie({ id: sellerId });
const stranger = signinCookie({ id: '64b0000000000000000000a2' });

async function newProduct(): Promise<string> {
  const res = await request(app).post('/api/products').set('Cookie', seller).send({ title: 'Lamp', price: 10, quantity: 3 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const upload = (productId: string, body: Buffer, contentType = 'application/octet-stream', cookie = seller) =>
  request(app).post(`/api/products/${productId}/images`).set('Cookie', cookie).set('Content-Type', contentType).send(body);

const lastEvent = async (productId: string) => {
  const stored = (await models.Product.findById(productId).lean())!;
  return stored.outbox[stored.outbox.length - 1]!.event as { subject: string; data: { images?: string[]; version: number } };
};

describe('upload, serve, remove, reorder', () => {
  it('a JPEG becomes three WebP variants, longest side per size, never enlarged, metadata stripped', async () => {
    const id = await newProduct();
    const secret = 'owner-home-address-51.5N';
    const res = await upload(id, await jpegWithExif(secret), 'image/jpeg');
    expect(res.status).toBe(201);
    const image = res.body as ProductImageRecord;
    expect(image).toEqual({
      id: expect.stringMatching(/^[a-f0-9]{32}$/),
      width: 640,
      height: 480,
      urls: {
        thumb: `/api/products/${id}/images/${image.id}/thumb`,
        medium: `/api/products/${id}/images/${image.id}/medium`,
        large: `/api/products/${id}/images/${image.id}/large`,
      },
    });
    const expected = { thumb: [160, 120], medium: [480, 360], large: [640, 480] }; // large: never enlarged
    for (const [size, [w, h]] of Object.entries(expected)) {
      const got = await request(app)
        .get(image.urls[size as keyof typeof expected])
        .buffer(true);
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe('image/webp');
      const meta = await sharp(got.body as Buffer).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', w, h]);
      expect(meta.exif).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect((got.body as Buffer).includes(Buffer.from(secret))).toBe(false);
    }
    // The product lists it, and product.updated carries the image ids at the new version.
    const product = await request(app).get(`/api/products/${id}`).expect(200);
    expect(product.body.images).toEqual([image]);
    expect(product.body.version).toBe(1);
    const event = await lastEvent(id);
    expect(event.subject).toBe(Subjects.ProductUpdated);
    expect(event.data).toMatchObject({ images: [image.id], version: 1 });
  });

  it('PNG and WebP are accepted; a large one is shrunk to 1200 on its longest side', async () => {
    const id = await newProduct();
    const a = await upload(id, await png(300, 200), 'image/png');
    expect(a.status).toBe(201);
    const b = await upload(id, await webp(2400, 1000), 'image/webp');
    expect(b.status).toBe(201);
    const large = await request(app).get(b.body.urls.large).buffer(true).expect(200);
    const meta = await sharp(large.body as Buffer).metadata();
    expect([meta.width, meta.height]).toEqual([1200, 500]);
  });

  it('the declared Content-Type does not matter, even application/json: the content decides', async () => {
    const id = await newProduct();
    // (superagent would JSON-encode a Buffer sent as application/json: send the bytes as they are.)
    const res = await upload(id, await png(64, 64, 7), 'application/json').serialize((bytes: unknown) => bytes as string);
    expect(res.status).toBe(201);
    const none = await request(app)
      .post(`/api/products/${id}/images`)
      .set('Cookie', seller)
      .send(await png(64, 64, 8));
    expect(none.status).toBe(201);
  });

  it('the same file twice is one image (200 the second time, nothing added)', async () => {
    const id = await newProduct();
    const file = await jpeg(320, 240, 3);
    const first = await upload(id, file);
    expect(first.status).toBe(201);
    const again = await upload(id, file);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const stored = (await models.Product.findById(id).lean())!;
    expect(stored.images).toHaveLength(1);
    expect(stored.version).toBe(1);
  });

  it('serving: ETag and immutable caching, 304 on If-None-Match, 404 for what the product does not list', async () => {
    const id = await newProduct();
    const other = await newProduct();
    const { body: image } = await upload(id, await jpeg(200, 150, 4)).expect(201);
    const res = await request(app).get(image.urls.medium).expect(200);
    expect(res.headers.etag).toBe(`"${image.id}-medium"`);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const again = await request(app).get(image.urls.medium).set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    const stale = await request(app).get(image.urls.medium).set('If-None-Match', '"something-else"');
    expect(stale.status).toBe(200);
    // Another product does not list this image; unknown sizes, ids and products are 404.
    await request(app).get(`/api/products/${other}/images/${image.id}/thumb`).expect(404);
    await request(app).get(`/api/products/${id}/images/${image.id}/huge`).expect(404);
    await request(app)
      .get(`/api/products/${id}/images/${'0'.repeat(32)}/thumb`)
      .expect(404);
    await request(app).get(`/api/products/64b0000000000000000000ff/images/${image.id}/thumb`).expect(404);
  });

  it('DELETE takes an image off (then it is no longer served); only the seller; unknown image 404', async () => {
    const id = await newProduct();
    const { body: a } = await upload(id, await jpeg(100, 100, 5)).expect(201);
    const { body: b } = await upload(id, await jpeg(100, 100, 6)).expect(201);
    await request(app).delete(`/api/products/${id}/images/${a.id}`).set('Cookie', stranger).expect(403);
    await request(app).delete(`/api/products/${id}/images/${a.id}`).expect(401);
    const res = await request(app).delete(`/api/products/${id}/images/${a.id}`).set('Cookie', seller).expect(200);
    expect(res.body.images.map((i: ProductImageRecord) => i.id)).toEqual([b.id]);
    expect(res.body.version).toBe(3);
    expect((await lastEvent(id)).data).toMatchObject({ images: [b.id], version: 3 });
    await request(app).get(a.urls.thumb).expect(404);
    await request(app).delete(`/api/products/${id}/images/${a.id}`).set('Cookie', seller).expect(404);
    await request(app).delete(`/api/products/64b0000000000000000000ff/images/${a.id}`).set('Cookie', seller).expect(404);
  });

  it('PUT …/images/order reorders (the first is the cover); it must list each image exactly once', async () => {
    const id = await newProduct();
    const ids: string[] = [];
    for (const seed of [11, 12, 13]) ids.push((await upload(id, await png(50, 50, seed)).expect(201)).body.id);
    const order = (imageIds: unknown, cookie = seller) =>
      request(app).put(`/api/products/${id}/images/order`).set('Cookie', cookie).send({ imageIds });
    const reversed = [...ids].reverse();
    const res = await order(reversed).expect(200);
    expect(res.body.images.map((i: ProductImageRecord) => i.id)).toEqual(reversed);
    expect((await lastEvent(id)).data).toMatchObject({ images: reversed, version: 4 });
    // The same order again changes nothing (no new version, no event).
    expect((await order(reversed).expect(200)).body.version).toBe(4);
    for (const bad of [[ids[0], ids[1]], [...ids, ids[0]], [ids[0], ids[0], ids[1]], [ids[0], ids[1], 'f'.repeat(32)], 'nope', [1, 2, 3]]) {
      const refused = await order(bad);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].field).toMatch(/^imageIds/);
    }
    await order(ids, stranger).expect(403);
    expect((await models.Product.findById(id).lean())!.images.map((i) => i.id)).toEqual(reversed);
  });
});

describe('the limit of 8 images', () => {
  it('the ninth upload is 409', async () => {
    const id = await newProduct();
    for (let n = 0; n < IMAGE_LIMITS.maxPerProduct; n++) await upload(id, await png(40, 40, 100 + n)).expect(201);
    const ninth = await upload(id, await png(40, 40, 200));
    expect(ninth.status).toBe(409);
    expect(ninth.body.errors[0].message).toMatch(/at most 8 images/);
    expect((await models.Product.findById(id).lean())!.images).toHaveLength(8);
  });

  it('10 concurrent uploads of different files: exactly 8 are added, 2 are 409, the product is consistent', async () => {
    const id = await newProduct();
    const files = await Promise.all(Array.from({ length: 10 }, (_, n) => png(48, 48, 300 + n)));
    const answers = await Promise.all(files.map((f) => upload(id, f)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(8).fill(201), 409, 409]);
    const stored = (await models.Product.findById(id).lean())!;
    expect(stored.images).toHaveLength(8);
    expect(new Set(stored.images.map((i) => i.id)).size).toBe(8);
    expect(stored.images.map((i) => i.id).sort()).toEqual(
      answers
        .filter((r) => r.status === 201)
        .map((r) => r.body.id)
        .sort(),
    );
    // One version and one product.updated per image added, each with the images up to it.
    expect(stored.version).toBe(8);
    const updates = stored.outbox
      .filter((e) => e.subject === Subjects.ProductUpdated)
      .map((e) => e.event.data as { images: string[]; version: number });
    expect(updates.map((d) => d.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(updates.map((d) => d.images.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(updates[7]!.images).toEqual(stored.images.map((i) => i.id));
  });
});

describe('hostile uploads: a 4xx, no crash, nothing stored', () => {
  let id = '';
  let before: string[] = [];
  beforeAll(async () => {
    id = await newProduct();
  });
  beforeEach(() => {
    before = filesIn(dir);
  });
  /** The store's directory and the product are exactly as before the refused upload. */
  async function nothingStored() {
    expect(filesIn(dir)).toEqual(before);
    const stored = (await models.Product.findById(id).lean())!;
    expect(stored.images).toEqual([]);
    expect(stored.version).toBe(0);
  }

  it('a valid PNG with an HTML page and a zip appended: accepted as its pixels only, the payload is not stored', async () => {
    const other = await newProduct();
    const polyglot = Buffer.concat([await png(120, 80, 21), PAYLOAD]);
    const res = await upload(other, polyglot, 'text/html');
    expect(res.status).toBe(201);
    const written = filesIn(dir).filter((f) => !before.includes(f));
    expect(written.sort()).toEqual([`${res.body.id}/large.webp`, `${res.body.id}/medium.webp`, `${res.body.id}/thumb.webp`]);
    for (const size of ['thumb', 'medium', 'large'] as const) {
      const bytes = (await imageStore.get(`${res.body.id}/${size}.webp`))!;
      expect((await sharp(bytes).metadata()).format).toBe('webp');
      expect(bytes.includes(Buffer.from('<script'))).toBe(false);
      expect(bytes.includes(Buffer.from('<html'))).toBe(false);
      expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBe(false);
      expect(bytes.includes(Buffer.from('evil.js'))).toBe(false);
      const served = await request(app).get(res.body.urls[size]).buffer(true).expect(200);
      expect(served.headers['content-type']).toBe('image/webp');
      expect(served.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('a JPEG header followed by HTML → 400', async () => {
    const fake = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), PAYLOAD]);
    const res = await upload(id, fake, 'image/jpeg');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/could not be read/);
    await nothingStored();
  });

  it('a decompression bomb (a 300-byte PNG declaring 30000×30000) → 400 at once, memory bounded', async () => {
    const bomb = pngBomb(30_000, 30_000);
    expect(bomb.length).toBeLessThan(2000);
    const rss = process.memoryUsage().rss;
    const res = await upload(id, bomb, 'image/png');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/30000×30000 pixels/);
    // Decoding it would take 2.7 GB; refusing it from its header takes nothing measurable.
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    await nothingStored();
  });

  it('a bomb within the pixel limit whose data stops early (6000×6000 declared, 2 rows present) → 400', async () => {
    const res = await upload(id, pngBomb(6000, 6000), 'image/png');
    expect(res.status).toBe(400);
    await nothingStored();
  });

  it('one side over 12000 pixels (within the pixel count) → 400', async () => {
    const res = await upload(id, pngBomb(12_001, 10), 'image/png');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/12001×10/);
    await nothingStored();
  });

  it.each([
    ['JPEG', () => jpeg(400, 300, 31)],
    ['PNG', () => png(400, 300, 32)],
    ['WebP', () => webp(400, 300, 33)],
  ])('a truncated %s → 400', async (_name, make) => {
    const whole = await make();
    for (const keep of [0.5, 0.9]) {
      const res = await upload(id, whole.subarray(0, Math.floor(whole.length * keep)));
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/could not be read/);
    }
    await nothingStored();
  });

  it.each([
    ['a GIF', gif, 'image/gif'],
    ['an SVG with a script', async () => SVG, 'image/svg+xml'],
    ['a PDF', async () => PDF, 'application/pdf'],
    ['text sent as image/png', async () => TEXT, 'image/png'],
  ])('%s → 415', async (_name, make, type) => {
    const res = await request(app)
      .post(`/api/products/${id}/images`)
      .set('Cookie', seller)
      .set('Content-Type', type)
      .set('Content-Disposition', 'attachment; filename="photo.png"')
      .send(await make());
    expect(res.status).toBe(415);
    expect(res.body.errors[0].message).toMatch(/JPEG, PNG or WebP/);
    await nothingStored();
  });

  it('zero bytes, or no body at all → 400', async () => {
    const empty = await upload(id, Buffer.alloc(0), 'image/png');
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].message).toMatch(/empty/);
    const none = await request(app).post(`/api/products/${id}/images`).set('Cookie', seller);
    expect(none.status).toBe(400);
    await nothingStored();
  });

  it('over 5 MiB → 413 in the standard error shape; exactly 5 MiB is read (then judged by content)', async () => {
    const over = Buffer.concat([await png(64, 64, 41), Buffer.alloc(IMAGE_LIMITS.maxBytes + 1 - (await png(64, 64, 41)).length)]);
    expect(over.length).toBe(IMAGE_LIMITS.maxBytes + 1);
    const res = await upload(id, over, 'image/png');
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ errors: [{ message: expect.any(String) }] });
    await nothingStored();
    const exact = Buffer.concat([await png(64, 64, 42), Buffer.alloc(IMAGE_LIMITS.maxBytes - (await png(64, 64, 42)).length)]);
    // A PNG padded with zeros after IEND: within the limit, so it is read and decoded (a valid image).
    expect((await upload(await newProduct(), exact, 'image/png')).status).toBe(201);
  });

  it('not signed in → 401, another seller → 403, unknown product → 404: nothing decoded or stored', async () => {
    const file = await png(30, 30, 51);
    expect((await request(app).post(`/api/products/${id}/images`).send(file)).status).toBe(401);
    expect((await upload(id, file, 'image/png', stranger)).status).toBe(403);
    expect((await upload('64b0000000000000000000ff', file, 'image/png')).status).toBe(404);
    expect((await upload('not-an-id', file, 'image/png')).status).toBe(404);
    await nothingStored();
  });
});
