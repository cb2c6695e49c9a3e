/**
 * The shipments and refunds of a page of orders (GET /api/orders, the buyer's export): right per
 * order, and read by `orderId` equality, one order at a time. FerretDB pushes equality down to
 * the orderId index but never `$in`, which read every shipment replica and every refund on each
 * page view.
 */
import { useTestDatabase } from '@jetmart/common/testing';
import { applyPaymentRefunded, refundedByOrder, shipmentsByOrder, type OrdersModels } from '..';
import { monitoredModels, newId, paidOrderWithShipment } from '../../__tests__/helpers';

const db = useTestDatabase({ prefix: 'orders_by_order' });

let monitored: Awaited<ReturnType<typeof monitoredModels>>;
let models: OrdersModels;
beforeAll(async () => {
  monitored = await monitoredModels(db.url());
  models = monitored.models;
});
afterAll(() => monitored.conn.close());

const refund = (orderId: string, amountMinor: number) =>
  applyPaymentRefunded(models.RefundReplica, {
    id: newId(),
    orderId,
    paymentId: newId(),
    reason: 'cancelled',
    sourceId: newId(),
    amountMinor,
    version: 0,
  } as never);

it('per order, each read by orderId equality; an order named twice is read once; an order with none has none', async () => {
  const a = await paidOrderWithShipment(models, newId(), { final: 'shipped' });
  const b = await paidOrderWithShipment(models, newId(), { final: 'pending' });
  const none = newId();
  await refund(a.order.id, 300);
  await refund(a.order.id, 200);
  await refund(b.order.id, 99);
  const ids = [a.order.id as string, b.order.id as string, none, a.order.id as string];

  monitored.reset();
  const shipments = await shipmentsByOrder(models.ShipmentReplica, ids);
  const refunded = await refundedByOrder(models.RefundReplica, ids);

  expect(shipments.get(a.order.id)).toEqual([{ sellerId: a.sellerId, status: 'shipped' }]);
  expect(shipments.get(b.order.id)).toEqual([{ sellerId: b.sellerId, status: 'pending' }]);
  expect(shipments.has(none)).toBe(false);
  expect([...refunded.entries()].sort()).toEqual(
    [
      [a.order.id, 500],
      [b.order.id, 99],
    ].sort(),
  );
  for (const collection of ['shipmentreplicas', 'refundreplicas']) {
    const filters = monitored.sent.filter((s) => s.collection === collection).map((s) => s.filter);
    expect(filters).toHaveLength(3);
    expect(filters.map((f) => f!.orderId).sort()).toEqual([a.order.id, b.order.id, none].sort());
  }
});
