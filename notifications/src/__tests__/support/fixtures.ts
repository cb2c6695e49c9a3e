import mongoose from 'mongoose';
import { createLogger, makeEvent, Subjects, type Event, type EventData, type Subject } from '@jetmart/common';
import { TEST_JWT_KEY } from '@jetmart/common/testing';
import type { Address } from '@jetmart/common/contracts';
import { buildApp } from '../../app';
import type { MailSettings } from '../../mail/render';
import { notificationsModels, type NotificationsModels } from '../../models';
import { contactCreated } from '../../notify';

export const oid = () => new mongoose.Types.ObjectId().toHexString();

export const ADDRESS: Address = { name: 'Ada Buyer', line1: '1 Market St', city: 'Berlin', postalCode: '10115', country: 'DE' };

export const MAIL: MailSettings = { shopName: 'Test Shop', publicUrl: 'http://shop.test:8080' };

/** The models on the test database's connection (call useTestDatabase() first: it installs the plugins). */
export const testModels = (): NotificationsModels => notificationsModels(mongoose.connection);

/** The notifications app as the service builds it, without a bus. */
export function testApp(models: NotificationsModels = testModels()) {
  return buildApp(
    { logger: createLogger('notifications-test', { level: 'silent' }), isReady: () => true, models },
    { jwtKey: process.env.JWT_KEY ?? TEST_JWT_KEY, jwtTtlSeconds: 3600 },
  );
}

export interface Person {
  id: string;
  email: string;
}

/** A person with an account: their contact as user.created leaves it (domain test.dev unless given). */
export async function seedPerson(models: NotificationsModels = testModels(), email?: string): Promise<Person> {
  const id = oid();
  const person = { id, email: email ?? `p-${id.slice(-10)}@test.dev` };
  await contactCreated({ models }, { id, email: person.email, displayName: 'Test Person', version: 0 });
  return person;
}

/** One valid event of every subject notifications consumes, between these people. */
export function scenario(buyer: string, sellers: [string, string], orderId = oid()) {
  const [a, b] = sellers;
  const ev = <S extends Subject>(subject: S, data: EventData<S>): Event<S> => makeEvent(subject, data);
  const shipmentA = oid();
  const returnA = oid();
  const ret = { id: returnA, orderId, shipmentId: shipmentA, sellerId: a, buyerId: buyer };
  const now = new Date().toISOString();
  return {
    orderCreated: ev(Subjects.OrderCreated, {
      id: orderId,
      userId: buyer,
      status: 'created',
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      items: [
        { productId: oid(), quantity: 2, sellerId: a, title: 'Desk <Lamp> & "Shade"', priceMinor: 1500 },
        { productId: oid(), quantity: 1, sellerId: b, title: 'Chair', priceMinor: 4999 },
      ],
      totalMinor: 7999,
      shippingAddress: ADDRESS,
      version: 0,
    }),
    paymentCreated: ev(Subjects.PaymentCreated, { id: oid(), orderId, userId: buyer, amountMinor: 7999, version: 0 }),
    orderCompleted: ev(Subjects.OrderCompleted, {
      id: orderId,
      userId: buyer,
      items: [
        { productId: oid(), quantity: 2, sellerId: a, title: 'Desk <Lamp> & "Shade"', priceMinor: 1500 },
        { productId: oid(), quantity: 1, sellerId: b, title: 'Chair', priceMinor: 4999 },
      ],
      shippingAddress: ADDRESS,
      version: 1,
    }),
    orderCancelled: ev(Subjects.OrderCancelled, {
      id: orderId,
      userId: buyer,
      reason: 'expired',
      items: [{ productId: oid(), quantity: 1 }],
      version: 1,
    }),
    shipmentShipped: ev(Subjects.ShipmentShipped, {
      id: shipmentA,
      orderId,
      sellerId: a,
      buyerId: buyer,
      carrier: 'DHL',
      trackingNumber: 'JD0001',
      shippedAt: now,
      autoDeliverAt: now,
      version: 1,
    }),
    shipmentDelivered: ev(Subjects.ShipmentDelivered, {
      id: shipmentA,
      orderId,
      sellerId: a,
      buyerId: buyer,
      deliveredAt: now,
      by: 'buyer',
      returnableUntil: now,
      version: 2,
    }),
    returnRequested: ev(Subjects.ReturnRequested, {
      ...ret,
      items: [{ productId: oid(), quantity: 1, priceMinor: 1500 }],
      reason: 'damaged',
      note: 'Arrived <broken>',
      version: 0,
    }),
    returnApproved: ev(Subjects.ReturnApproved, { ...ret, version: 1 }),
    returnRejected: ev(Subjects.ReturnRejected, { ...ret, message: 'Used <item>', version: 1 }),
    returnRefunded: ev(Subjects.ReturnRefunded, { ...ret, refundId: `return-${returnA}`, amountMinor: 1500, version: 3 }),
    paymentRefunded: ev(Subjects.PaymentRefunded, {
      id: `shipment-cancelled-${oid()}`,
      paymentId: oid(),
      orderId,
      userId: buyer,
      reason: 'shipment-cancelled',
      sourceId: oid(),
      amountMinor: 4999,
      items: [{ productId: oid(), quantity: 1, priceMinor: 4999 }],
      version: 0,
    }),
  };
}
