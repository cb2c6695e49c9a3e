import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';
import type { SaleStatus } from '@jetmart/common/contracts';
import type { ShipmentReplicaStatus } from './shipment-replica';

/**
 * The sales read model (issue 18): one document per sold line, (order, product) of a paid order,
 * written only by listeners from events (order.completed, shipment.*, return.received) and read by
 * `/api/sales`. Every write is idempotent and commutative, so redelivered and out-of-order events
 * converge on the same document:
 * - the line is inserted once (a unique `_id`, the one write FerretDB applies atomically);
 * - the shipment state only moves up its rank (pending < shipped < delivered, or cancelled);
 * - a return's units are counted once per return id (recorded in the same conditional update).
 * A step that arrives before the line exists changes nothing; the line catches up from orders'
 * replicas and returns when it is inserted (see ../sales/project.ts).
 *
 * It holds no buyer id, name, street or email: the buyer's city only, and that is forgotten too
 * when the buyer's account is deleted (found through the buyer's orders).
 */
export interface SaleLineFields {
  /** saleLineId(orderId, productId) */
  _id: string;
  orderId: string;
  productId: string;
  sellerId: string;
  title: string;
  quantity: number;
  priceMinor: number;
  /** When the order was paid (order.completed's occurredAt), and its UTC day (YYYY-MM-DD) for the dashboard. */
  soldAt: Date;
  soldDay: string;
  buyerCity: string | null;
  shipmentId?: string;
  shipmentStatus?: ShipmentReplicaStatus;
  /** SHIPMENT_RANK of shipmentStatus; -1 before shipping created the shipment. */
  shipmentRank: number;
  /** Units the seller received back (returns), and the units the buyer keeps (0 once cancelled). */
  returnedQuantity: number;
  keptQuantity: number;
  /** What the buyer finally pays for this line: price × kept units (0 once cancelled). */
  revenueMinor: number;
  /** Returns (ids) already counted. */
  returns: string[];
}

export type SaleLineModel = Model<SaleLineFields>;

/** Shipment states only ever move up: a lower or equal rank arriving late changes nothing. */
export const SHIPMENT_RANK: Record<ShipmentReplicaStatus, number> = { pending: 0, shipped: 1, delivered: 2, cancelled: 3 };

const saleLineSchema = new Schema<SaleLineFields>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    productId: { type: String, required: true },
    sellerId: { type: String, required: true },
    title: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    priceMinor: { type: Number, required: true, min: 0 },
    soldAt: { type: Date, required: true },
    soldDay: { type: String, required: true },
    buyerCity: { type: String, default: null },
    shipmentId: { type: String },
    shipmentStatus: { type: String, enum: ['pending', 'shipped', 'delivered', 'cancelled'] },
    shipmentRank: { type: Number, default: -1 },
    returnedQuantity: { type: Number, default: 0 },
    keptQuantity: { type: Number, required: true },
    revenueMinor: { type: Number, required: true },
    returns: { type: [String], default: [] },
  },
  { versionKey: false },
);
// A seller's sales, newest first with a (soldAt, _id) cursor; the dashboard's range by day.
saleLineSchema.index({ sellerId: 1, soldAt: -1, _id: -1 });
saleLineSchema.index({ sellerId: 1, soldDay: 1 });
// Projections and forgetting find an order's lines.
saleLineSchema.index({ orderId: 1 });

export function saleLineModelOn(conn: Connection): SaleLineModel {
  return modelOn<SaleLineModel>(conn, 'SaleLine', saleLineSchema);
}

export const saleLineId = (orderId: string, productId: string) => `${orderId}:${productId}`;

/** The status of a line, from its stored counts (see SaleStatus). */
export function saleStatus(line: Pick<SaleLineFields, 'shipmentStatus' | 'returnedQuantity' | 'keptQuantity'>): SaleStatus {
  if (line.shipmentStatus === 'cancelled') return 'cancelled';
  if (line.returnedQuantity > 0) return line.keptQuantity > 0 ? 'partially_returned' : 'returned';
  return 'paid';
}

/** The query condition of a status (the inverse of saleStatus). */
export function saleStatusFilter(status: SaleStatus): Record<string, unknown> {
  switch (status) {
    case 'cancelled':
      return { shipmentStatus: 'cancelled' };
    case 'returned':
      return { shipmentStatus: { $ne: 'cancelled' }, returnedQuantity: { $gt: 0 }, keptQuantity: 0 };
    case 'partially_returned':
      return { shipmentStatus: { $ne: 'cancelled' }, returnedQuantity: { $gt: 0 }, keptQuantity: { $gt: 0 } };
    case 'paid':
      return { shipmentStatus: { $ne: 'cancelled' }, returnedQuantity: 0 };
  }
}

export interface NewSaleLine {
  orderId: string;
  productId: string;
  sellerId: string;
  title: string;
  quantity: number;
  priceMinor: number;
  soldAt: Date;
  buyerCity: string | null;
}

/** Inserts a sold line once: 'recorded', or 'duplicate' when it is already there. */
export async function insertSaleLine(SaleLine: SaleLineModel, line: NewSaleLine): Promise<'recorded' | 'duplicate'> {
  try {
    await SaleLine.create({
      _id: saleLineId(line.orderId, line.productId),
      ...line,
      soldDay: line.soldAt.toISOString().slice(0, 10),
      shipmentRank: -1,
      returnedQuantity: 0,
      keptQuantity: line.quantity,
      revenueMinor: line.priceMinor * line.quantity,
      returns: [],
    });
    return 'recorded';
  } catch (err) {
    if (isDuplicateKey(err)) return 'duplicate';
    throw err;
  }
}

/**
 * Moves one line's shipment state up to `status` (never down). A cancelled part was refunded in
 * full before it shipped: nothing is kept and it brings no revenue.
 */
export async function raiseShipmentState(
  SaleLine: SaleLineModel,
  lineId: string,
  shipmentId: string,
  status: ShipmentReplicaStatus,
): Promise<boolean> {
  const rank = SHIPMENT_RANK[status];
  const cancelled = status === 'cancelled' ? { keptQuantity: 0, revenueMinor: 0 } : {};
  const res = await SaleLine.updateOne(
    { _id: lineId, shipmentRank: { $lt: rank } },
    { $set: { shipmentId, shipmentStatus: status, shipmentRank: rank, ...cancelled } },
  );
  return res.modifiedCount === 1;
}

/**
 * Counts a return's units of one line once (the return id is recorded in the same conditional
 * update); never more than the units kept. False when already counted or the line is not here.
 */
export async function countReturnedUnits(
  SaleLine: SaleLineModel,
  lineId: string,
  returnId: string,
  quantity: number,
  priceMinor: number,
): Promise<boolean> {
  const res = await SaleLine.updateOne(
    { _id: lineId, returns: { $ne: returnId }, keptQuantity: { $gte: quantity } },
    { $inc: { returnedQuantity: quantity, keptQuantity: -quantity, revenueMinor: -priceMinor * quantity }, $push: { returns: returnId } },
  );
  return res.modifiedCount === 1;
}

/** The buyer's account is gone: the city of one line is forgotten (true when this call did it). */
export async function forgetSaleCity(SaleLine: SaleLineModel, lineId: string): Promise<boolean> {
  const res = await SaleLine.updateOne({ _id: lineId, buyerCity: { $ne: null } }, { $set: { buyerCity: null } });
  return res.modifiedCount === 1;
}
