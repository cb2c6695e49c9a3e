import { ConfigError } from '@jetmart/common';
import { FsBlobStore, type BlobStore } from './blob-store';
import { S3BlobStore } from './s3-blob-store';

export interface ImageStoreConfig {
  IMAGE_STORE: 'fs' | 's3';
  IMAGE_DIR?: string;
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_REGION: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
}

/**
 * The image store the configuration names. `fs` on the local platform: one process, one disk,
 * nothing to run. `s3` in Kubernetes: every replica shares the bucket and the images outlive pods.
 * Missing settings fail the start-up with every problem listed.
 */
export function imageStoreFrom(config: ImageStoreConfig): BlobStore {
  const problems: string[] = [];
  if (config.IMAGE_STORE === 'fs') {
    if (!config.IMAGE_DIR) throw new ConfigError(['IMAGE_DIR is not set (IMAGE_STORE=fs needs a directory)']);
    return new FsBlobStore(config.IMAGE_DIR);
  }
  for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
    if (!config[name]) problems.push(`${name} is not set (IMAGE_STORE=s3 needs it)`);
  }
  if (problems.length) throw new ConfigError(problems);
  return new S3BlobStore({
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET!,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID!,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
  });
}
