/**
 * The shipments and refunds of a page of orders (GET /api/orders, the buyer's export): right per
 * order, and read by `orderId` equality, one order at a time. FerretDB pushes equality down to
 * the orderId index but never `$in`, which read every shipment replica and every refund on each
 * page view.
 */
import { applyPaymentRefunded, refundedByOrder, shipmentsByOrder } from '..';
import { newId, paidOrderWithShipment, useMonitoredModels } from '../../__tests__/helpers';

const monitored = useMonitoredModels('orders_by_order');

const refund = (orderId: string, amountMinor: number) =>
  applyPaymentRefunded(monitored.models.RefundReplica, {
    id: newId(),
    orderId,
    paymentId: newId(),
    reason: 'cancelled',
    sourceId: newId(),
    amountMinor,
    version: 0,
  } as never);

it('per order, each read by orderId equality; an order named twice is read once; an order with none has none', async () => {
  const a = await paidOrderWithShipment(monitored.models, newId(), { final: 'shipped' });
  const b = await paidOrderWithShipment(monitored.models, newId(), { final: 'pending' });
  const none = newId();
  await refund(a.order.id, 300);
  await refund(a.order.id, 200);
  await refund(b.order.id, 99);
  const ids = [a.order.id as string, b.order.id as string, none, a.order.id as string];

  monitored.reset();
  const shipments = await shipmentsByOrder(monitored.models.ShipmentReplica, ids);
  const refunded = await refundedByOrder(monitored.models.RefundReplica, ids);

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
