import mongoose from 'mongoose';
import { createLogger, type EventData, type Subjects } from '@jetmart/common';
import { TEST_JWT_KEY } from '@jetmart/common/testing';
import type { Address } from '@jetmart/common/contracts';
import { buildApp, type ShippingAppOptions } from '../../app';
import { createShipmentsForOrder } from '../../fulfilment';
import { shippingModels, type ShipmentDoc, type ShippingModels } from '../../models';

export type OrderCompletedData = EventData<typeof Subjects.OrderCompleted>;

export const oid = () => new mongoose.Types.ObjectId().toHexString();

export const ADDRESS: Address = { name: 'Ada Buyer', line1: '1 Market St', city: 'Berlin', postalCode: '10115', country: 'DE' };

export const APP_OPTIONS: ShippingAppOptions = {
  jwtKey: process.env.JWT_KEY ?? TEST_JWT_KEY,
  jwtTtlSeconds: 3600,
  autoDeliverAfterMs: 14 * 24 * 3600 * 1000,
  returnWindowMs: 30 * 24 * 3600 * 1000,
};

/** The models on the test database's connection (call useTestDatabase() first: it installs the plugins). */
export const testModels = (): ShippingModels => shippingModels(mongoose.connection);

/** The shipping app as the service builds it, without a bus. */
export function testApp(opts: Partial<ShippingAppOptions> = {}) {
  return buildApp(
    { logger: createLogger('shipping-test', { level: 'silent' }), isReady: () => true, models: testModels() },
    { ...APP_OPTIONS, ...opts },
  );
}

/**
 * An order.completed as orders publishes it since fulfilment: each line with its seller, title and
 * price, and the address. `sellers` gives each line's seller (two lines of one seller by default).
 */
export function orderCompleted(sellers: string[] = [oid(), oid()], over: Partial<OrderCompletedData> = {}): OrderCompletedData {
  return {
    id: oid(),
    userId: oid(),
    items: sellers.map((sellerId, i) => ({ productId: oid(), quantity: i + 1, sellerId, title: `Item ${i}`, priceMinor: 1000 + i })),
    shippingAddress: ADDRESS,
    version: 1,
    ...over,
  };
}

/** A pending shipment of a new paid order with one seller (as the order.completed listener creates it). */
export async function seedShipment(models: ShippingModels = testModels()): Promise<ShipmentDoc> {
  const order = orderCompleted([oid()]);
  const outcome = await createShipmentsForOrder(models, order);
  if (outcome.kind !== 'split' || outcome.created !== 1) throw new Error(`no shipment seeded: ${JSON.stringify(outcome)}`);
  return (await models.Shipment.findOne({ orderId: order.id }))!;
}
