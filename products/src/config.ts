import { baseEnv, intInRange, readEnv } from '@jetmart/common';

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('products', 3002),
      LOW_STOCK_THRESHOLD: {
        describe: "a seller's product is low on stock (GET /api/products/mine?lowStock=true) at this many available units or fewer",
        default: '3',
        parse: intInRange(0, 1_000_000),
      },
    },
    env,
  );
}

export type ProductsConfig = ReturnType<typeof loadConfig>;
