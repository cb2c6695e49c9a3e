import type { EventData, Subjects } from '@jetmart/common';
import { isAnonymisedAddress } from '@jetmart/common/contracts';
import {
  countReturnedUnits,
  forgetSaleCity,
  insertSaleLine,
  raiseShipmentState,
  saleLineId,
  type OrdersModels,
  type ShipmentReplicaFields,
} from '../models';

/**
 * The sales read model's projections (models/sale-line.ts). Each is idempotent and only moves a
 * line forward, so any number of deliveries in any order give the same lines. A step whose line is
 * not recorded yet changes nothing: recordSale catches the line up from what orders already holds
 * (shipment replicas, received returns, the order's address) right after inserting it, so a step
 * that ran before the insert is not lost (its replica or return was stored before it looked).
 */
export interface SalesDeps {
  models: OrdersModels;
}

export type RecordSaleResult = { kind: 'recorded'; lines: number; skipped: number };

type CompletedData = EventData<typeof Subjects.OrderCompleted>;

/**
 * order.completed: one line per item of the paid order. Events written before fulfilment lack the
 * seller, title or price of a line: those come from the order itself (orders' own record); a line
 * with no seller anywhere belongs to nobody's sales and is skipped.
 */
export async function recordSale(deps: SalesDeps, data: CompletedData, occurredAt: string): Promise<RecordSaleResult> {
  const { SaleLine, Order } = deps.models;
  const needsOrder = data.items.some((l) => !l.sellerId || l.title === undefined || l.priceMinor === undefined) || !data.shippingAddress;
  const order = needsOrder ? await Order.findById(data.id, { items: 1, shippingAddress: 1 }).lean() : null;
  const address = data.shippingAddress ?? order?.shippingAddress;
  let lines = 0;
  let skipped = 0;
  for (const item of data.items) {
    const ordered = order?.items.find((l) => l.productId === item.productId);
    const sellerId = item.sellerId ?? ordered?.sellerId;
    const title = item.title ?? ordered?.title;
    const priceMinor = item.priceMinor ?? ordered?.priceMinor;
    if (!sellerId || title === undefined || priceMinor === undefined) {
      skipped++;
      continue;
    }
    await insertSaleLine(SaleLine, {
      orderId: data.id,
      productId: item.productId,
      sellerId,
      title,
      quantity: item.quantity,
      priceMinor,
      soldAt: new Date(occurredAt),
      buyerCity: address && !isAnonymisedAddress(address) ? address.city : null,
    });
    lines++;
  }
  await catchUp(deps, data.id);
  return { kind: 'recorded', lines, skipped };
}

export type ShipmentState = Pick<ShipmentReplicaFields, '_id' | 'orderId' | 'sellerId' | 'status' | 'returnable'>;
const SHIPMENT_STATE = { orderId: 1, sellerId: 1, status: 1, returnable: 1 } as const;

/** What orders already knows about an order's shipments, returns and buyer, applied to its lines. */
async function catchUp(deps: SalesDeps, orderId: string): Promise<void> {
  const { ShipmentReplica, Return } = deps.models;
  const shipments = await ShipmentReplica.find({ orderId }, SHIPMENT_STATE).lean();
  for (const shipment of shipments) await applyShipmentState(deps, shipment);
  // A return is requested against a shipment's replica (requestReturn), and replicas are never
  // removed: with none, the order has no return yet (the usual case: the sale is recorded before
  // shipping has split the order). One received later projects itself onto the line inserted above.
  const returns = shipments.length
    ? await Return.find({ orderId, status: { $in: ['received', 'refunded'] } }, { orderId: 1, items: 1 }).lean()
    : [];
  for (const ret of returns) await projectReturn(deps, { id: String(ret._id), orderId: ret.orderId, items: ret.items });
  // Checked after the insert: a user.deleted handled in between anonymised the order first.
  const order = await deps.models.Order.findById(orderId, { shippingAddress: 1 }).lean();
  if (order?.shippingAddress && isAnonymisedAddress(order.shippingAddress)) await forgetSaleCities(deps, orderId);
}

/**
 * A shipment is one seller's part of an order: its lines are that seller's lines of the order.
 * The replica's `returnable` names every product of the part, so the lines are found by their
 * derived `_id`s (FerretDB reads the whole collection for a query on `orderId`); a replica made
 * before returns has no `returnable` and its lines are looked up.
 */
async function applyShipmentState(deps: SalesDeps, shipment: ShipmentState): Promise<number> {
  const { SaleLine } = deps.models;
  const lineIds = shipment.returnable
    ? Object.keys(shipment.returnable).map((key) => saleLineId(shipment.orderId, decodeURIComponent(key)))
    : (await SaleLine.find({ orderId: shipment.orderId, sellerId: shipment.sellerId }, { _id: 1 }).lean()).map((l) => l._id);
  let moved = 0;
  for (const lineId of lineIds) {
    if (await raiseShipmentState(SaleLine, lineId, shipment._id, shipment.status)) moved++;
  }
  return moved;
}

/**
 * After a shipment event was applied to the shipment replica: the lines take the replica's state
 * (the replica applies versions in order, so it is never behind the event).
 */
export async function projectShipment(deps: SalesDeps, shipmentId: string, created?: ShipmentState): Promise<number> {
  // Just created from its event (`created`): its state is known, pending, and a later step applied
  // meanwhile projects itself (a line never moves back), so there is nothing to read back.
  const shipment = created ?? (await deps.models.ShipmentReplica.findById(shipmentId, SHIPMENT_STATE).lean());
  return shipment ? applyShipmentState(deps, shipment) : 0;
}

export interface ReceivedReturn {
  id: string;
  orderId: string;
  items: readonly { productId: string; quantity: number; priceMinor: number }[];
}

/** return.received: the units came back to the seller (counted once per return and line). */
export async function projectReturn(deps: SalesDeps, ret: ReceivedReturn): Promise<number> {
  let counted = 0;
  for (const item of ret.items) {
    if (await countReturnedUnits(deps.models.SaleLine, saleLineId(ret.orderId, item.productId), ret.id, item.quantity, item.priceMinor)) {
      counted++;
    }
  }
  return counted;
}

/** The buyer of the order deleted their account: its lines forget the city (one write per line). */
export async function forgetSaleCities(deps: SalesDeps, orderId: string): Promise<number> {
  const { SaleLine } = deps.models;
  let forgotten = 0;
  for (const line of await SaleLine.find({ orderId, buyerCity: { $ne: null } }, { _id: 1 }).lean()) {
    if (await forgetSaleCity(SaleLine, line._id)) forgotten++;
  }
  return forgotten;
}
