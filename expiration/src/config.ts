import { baseEnv, intInRange, readEnv } from '@jetmart/common';

/** Everything expiration reads from the environment. It has no database, so no MONGO_URL. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const { MONGO_URL: _noDatabase, ...base } = baseEnv('expiration', 3005);
  return readEnv(
    {
      ...base,
      EXPIRATION_MAX_HOLD_SECONDS: {
        describe: 'longest single wait of a held timer message (order.created, shipment.shipped) before it is looked at again',
        default: '300',
        parse: intInRange(1, 3600),
      },
      EXPIRATION_GRACE_SECONDS: {
        describe: 'how long after expiresAt an order expires, so a payment accepted just before expiresAt completes it',
        default: '5',
        parse: intInRange(0, 300),
      },
      EXPIRATION_CONCURRENCY: {
        describe: 'timer messages of each kind (order.created, shipment.shipped) one instance handles at once',
        default: '32',
        parse: intInRange(1, 1000),
      },
    },
    env,
  );
}

export type ExpirationConfig = ReturnType<typeof loadConfig>;
