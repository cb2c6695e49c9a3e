import type { Logger } from 'pino';
import type { PaymentsConfig } from '../config';
import type { PaymentGateway } from './payment-gateway';
import { SandboxGateway } from './sandbox-gateway';
import { StripeGateway } from './stripe-gateway';
import { tracedGateway } from './traced-gateway';

export * from './payment-gateway';
export { SandboxGateway } from './sandbox-gateway';
export { StripeGateway } from './stripe-gateway';
export { TracedGateway, tracedGateway } from './traced-gateway';

/**
 * Stripe when a secret key is configured, the sandbox otherwise (spec: payments); either way with
 * a CLIENT span around each call (traced-gateway.ts).
 */
export function createGateway(
  config: Pick<PaymentsConfig, 'STRIPE_SECRET_KEY' | 'STRIPE_API_HOST' | 'STRIPE_API_PORT' | 'STRIPE_API_PROTOCOL'>,
  logger?: Logger,
): PaymentGateway {
  if (config.STRIPE_SECRET_KEY) {
    return tracedGateway(
      new StripeGateway({
        secretKey: config.STRIPE_SECRET_KEY,
        host: config.STRIPE_API_HOST,
        port: config.STRIPE_API_PORT,
        protocol: config.STRIPE_API_PROTOCOL,
      }),
    );
  }
  logger?.warn('STRIPE_SECRET_KEY is not set: payments use the sandbox gateway, no money moves');
  return tracedGateway(new SandboxGateway());
}
