import { baseEnv, readEnv } from '@jetmart/common';

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv({ ...baseEnv('products', 3002) }, env);
}

export type ProductsConfig = ReturnType<typeof loadConfig>;
