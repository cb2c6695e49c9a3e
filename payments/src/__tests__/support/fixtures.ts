import mongoose from 'mongoose';
import { createLogger } from '@jetmart/common';
import { buildApp, type AppSettings } from '../../app';
import type { PaymentGateway } from '../../gateway/payment-gateway';
import { paymentsModels, type OrderReplica, type PaymentsModels } from '../../models';

export const TEST_SETTINGS: AppSettings = { JWT_KEY: 'test-only-jwt-key', JWT_TTL_SECONDS: 3600, PAYMENT_CURRENCY: 'usd' };

/** The models on the test database's connection (call useTestDatabase() first: it installs the plugins). */
export const testModels = (): PaymentsModels => paymentsModels(mongoose.connection);

/** The payments app as the service builds it, with the given gateway and no bus. */
export function testApp(gateway: PaymentGateway, settings: Partial<AppSettings> = {}) {
  return buildApp(
    { logger: createLogger('payments-test', { level: 'silent' }), isReady: () => true, models: testModels() },
    { settings: { ...TEST_SETTINGS, ...settings }, gateway },
  );
}

/** An order replica as the order.created listener would store it. */
export async function seedOrder(over: Partial<OrderReplica> = {}): Promise<OrderReplica> {
  const order: OrderReplica = {
    _id: new mongoose.Types.ObjectId().toHexString(),
    userId: new mongoose.Types.ObjectId().toHexString(),
    status: 'created',
    totalMinor: 4250,
    expiresAt: new Date(Date.now() + 15 * 60_000),
    version: 0,
    ...over,
  };
  await testModels().Order.create(order);
  return order;
}
