import { baseEnv, intInRange, parseAdminEmails, readEnv } from '@jetmart/common';

/** Everything payments reads from the environment; `loadConfig()` fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('payments', 3004),
      STRIPE_SECRET_KEY: {
        describe: 'Stripe secret key (Kubernetes secret stripe-secret); unset = the built-in sandbox gateway',
        optional: true,
      },
      STRIPE_API_HOST: { describe: 'Stripe API host (e.g. 127.0.0.1 for stripe-mock)', optional: true },
      STRIPE_API_PORT: { describe: 'Stripe API port (e.g. 12111 for stripe-mock)', optional: true, parse: intInRange(1, 65535) },
      STRIPE_API_PROTOCOL: {
        describe: 'Stripe API protocol, http or https',
        optional: true,
        parse: (raw: string) => {
          if (raw !== 'http' && raw !== 'https') throw new Error('expected http or https');
          return raw as 'http' | 'https';
        },
      },
      PAYMENT_CURRENCY: {
        describe: 'ISO currency code charged (lower case, as Stripe expects)',
        default: 'usd',
        parse: (raw: string) => {
          if (!/^[a-z]{3}$/.test(raw)) throw new Error('expected a three-letter lower-case currency code');
          return raw;
        },
      },
      ORDER_REPLICA_WAIT_MS: {
        describe: 'how long a payment for an order not replicated here yet waits for its order.created before answering 404',
        default: '2000',
        parse: intInRange(0, 30_000),
      },
      PLATFORM_COMMISSION_PERCENT: {
        describe: "the platform's commission on every sold line, a whole percentage (recorded on each ledger entry)",
        default: '10',
        parse: intInRange(0, 100),
      },
      PAYOUT_RETRY_OPEN_AFTER_SECONDS: {
        describe:
          'age after which a payout reserved but not settled (its request crashed) is transferred again with the same idempotency key',
        default: '30',
        parse: intInRange(1, 24 * 3600),
      },
      ADMIN_EMAILS: {
        describe: 'comma-separated emails of the users allowed to read the platform commission (nobody when unset)',
        optional: true,
        parse: parseAdminEmails,
      },
      PAYMENT_RETRY_PENDING_AFTER_SECONDS: {
        describe:
          'age after which a payment still pending (its request crashed or timed out) is charged again with the same idempotency key',
        default: '30',
        parse: intInRange(1, 24 * 3600),
      },
    },
    env,
  );
}

export type PaymentsConfig = ReturnType<typeof loadConfig>;
