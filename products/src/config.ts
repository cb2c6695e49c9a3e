import os from 'node:os';
import path from 'node:path';
import { baseEnv, intInRange, parseAdminEmails, readEnv } from '@jetmart/common';

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('products', 3002),
      LOW_STOCK_THRESHOLD: {
        describe: "a seller's product is low on stock (GET /api/products/mine?lowStock=true) at this many available units or fewer",
        default: '3',
        parse: intInRange(0, 1_000_000),
      },
      ADMIN_EMAILS: {
        describe: 'comma-separated emails of the users who moderate reported reviews (nobody when unset)',
        optional: true,
        parse: parseAdminEmails,
      },
      // Product images (issue 19): where the variants are kept (images/store.ts).
      IMAGE_STORE: {
        describe: 'where product images are stored: fs (a directory: the local platform) or s3 (an S3-compatible bucket: Kubernetes)',
        default: 'fs',
        parse: (raw: string) => {
          if (raw !== 'fs' && raw !== 's3') throw new Error('expected fs or s3');
          return raw;
        },
      },
      IMAGE_DIR: {
        describe: 'IMAGE_STORE=fs: the directory of the image files (the local platform passes one in its data directory)',
        devDefault: path.join(os.tmpdir(), 'jetmart-images'),
        optional: true,
      },
      S3_ENDPOINT: { describe: 'IMAGE_STORE=s3: the S3-compatible endpoint URL (unset: AWS S3 itself)', optional: true },
      S3_BUCKET: { describe: 'IMAGE_STORE=s3: the bucket of the image files', optional: true },
      S3_REGION: { describe: 'IMAGE_STORE=s3: the bucket region', default: 'us-east-1' },
      S3_ACCESS_KEY_ID: { describe: 'IMAGE_STORE=s3: access key id (from a Secret)', optional: true },
      S3_SECRET_ACCESS_KEY: { describe: 'IMAGE_STORE=s3: secret access key (from a Secret)', optional: true },
    },
    env,
  );
}

export type ProductsConfig = ReturnType<typeof loadConfig>;
