import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checkKey, type BlobStore } from './blob-store';

export interface S3BlobStoreOptions {
  /** An S3-compatible endpoint (MinIO, SeaweedFS, Ceph RGW, R2 ...); omitted for AWS S3 itself. */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style URLs (`endpoint/bucket/key`): what self-hosted S3 servers answer by default. */
  forcePathStyle?: boolean;
}

/**
 * Object storage for Kubernetes: every replica of products reads and writes the same bucket, and
 * the images outlive pods and nodes (a pod's disk does neither). A PUT of an object is atomic in
 * S3 (a reader sees the old or the new object), which is what BlobStore.put promises.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(private readonly opts: S3BlobStoreOptions) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    });
  }

  async put(key: string, data: Buffer, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: checkKey(key), Body: data, ContentType: contentType }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: checkKey(key) }));
      if (!out.Body) return null;
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers a delete of an absent key with success, as BlobStore.delete promises.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: checkKey(key) }));
  }

  describe(): string {
    return `S3 bucket ${this.opts.bucket} at ${this.opts.endpoint ?? `AWS ${this.opts.region}`}`;
  }

  /** Closes the client's sockets (at shutdown). */
  close(): void {
    this.client.destroy();
  }
}
