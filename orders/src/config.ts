import { baseEnv, intInRange, readEnv } from '@jetmart/common';

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('orders', 3003),
      ORDER_EXPIRATION_SECONDS: {
        describe: 'how long a new order holds its units before it expires',
        default: '900',
        parse: intInRange(1, 7 * 24 * 3600),
      },
    },
    env,
  );
}

export type OrdersConfig = ReturnType<typeof loadConfig>;
