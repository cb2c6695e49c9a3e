/**
 * The S3 image store against a real S3 wire server (gofakes3, see ./s3-server.ts): the BlobStore
 * contract, and the image routes running on it (upload, serve, a refused upload stores nothing).
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import request from 'supertest';
import sharp from 'sharp';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { syncIndexes, testApp } from '../../__tests__/helpers';
import { S3BlobStore } from '../s3-blob-store';
import { imageStoreFrom } from '../store';
import { jpeg, TEXT } from './fixtures';
import { startS3, type S3TestServer } from './s3-server';

useTestDatabase({ prefix: 'products_images_s3', clearEachTest: false });
let s3: S3TestServer;
let store: S3BlobStore;
const credentials = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };

beforeAll(async () => {
  s3 = await startS3();
  store = imageStoreFrom({
    IMAGE_STORE: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  }) as S3BlobStore;
});
afterAll(async () => {
  store?.close();
  await s3?.stop();
});

async function keysInBucket(): Promise<string[]> {
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
  const out = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  client.destroy();
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

describe('S3BlobStore on an S3 server', () => {
  it('put, get, overwrite, delete; a missing key reads as null and deletes quietly', async () => {
    const key = `${'a'.repeat(32)}/thumb.webp`;
    expect(await store.get(key)).toBeNull();
    await store.put(key, Buffer.from('first'), 'image/webp');
    expect((await store.get(key))!.toString()).toBe('first');
    await store.put(key, Buffer.from('second, longer'), 'image/webp');
    expect((await store.get(key))!.toString()).toBe('second, longer');
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
    await store.put(`${'b'.repeat(32)}/large.webp`, binary, 'image/webp');
    expect((await store.get(`${'b'.repeat(32)}/large.webp`))!.equals(binary)).toBe(true);
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    await store.delete(key);
    await store.delete(`${'b'.repeat(32)}/large.webp`);
    expect(await keysInBucket()).toEqual([]);
  });

  it('refuses keys it did not make (no path tricks reach the bucket)', async () => {
    for (const key of ['../x.webp', '/abs.webp', 'a/../../b.webp', 'A/B.webp', 'x.png', 'a\u0000b.webp', '']) {
      await expect(store.put(key, Buffer.from('x'), 'image/webp')).rejects.toThrow(/invalid blob key/);
      await expect(store.get(key)).rejects.toThrow(/invalid blob key/);
    }
    expect(await keysInBucket()).toEqual([]);
  });

  it('missing S3 settings fail the start-up with every problem named', () => {
    expect(() => imageStoreFrom({ IMAGE_STORE: 's3', S3_REGION: 'us-east-1' })).toThrow(
      /S3_BUCKET[\s\S]*S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY/,
    );
  });
});

describe('the image routes on the S3 store', () => {
  it('an upload is stored in the bucket and served from it; a refused upload adds no object', async () => {
    const { app, models } = testApp({ imageStore: store });
    await syncIndexes(models);
    const seller = signinCookie({ id: '64b0000000000000000000c1' });
    const { body: product } = await request(app)
      .post('/api/products')
      .set('Cookie', seller)
      .send({ title: 'Vase', price: 12, quantity: 1 })
      .expect(201);
    const { body: image } = await request(app)
      .post(`/api/products/${product.id}/images`)
      .set('Cookie', seller)
      .set('Content-Type', 'image/jpeg')
      .send(await jpeg(900, 600, 61))
      .expect(201);
    expect(await keysInBucket()).toEqual([`${image.id}/large.webp`, `${image.id}/medium.webp`, `${image.id}/thumb.webp`]);
    const served = await request(app).get(image.urls.medium).buffer(true).expect(200);
    expect(served.headers['content-type']).toBe('image/webp');
    const meta = await sharp(served.body as Buffer).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 480, 320]);

    await request(app)
      .post(`/api/products/${product.id}/images`)
      .set('Cookie', seller)
      .set('Content-Type', 'image/png')
      .send(TEXT)
      .expect(415);
    expect(await keysInBucket()).toHaveLength(3);
  });
});
