import { Schema, type Connection, type Model } from 'mongoose';
import {
  applyVersion,
  createReplica,
  modelOn,
  readEach,
  RetryLater,
  type EventData,
  type ReplicaOutcome,
  type Subjects,
} from '@jetmart/common';

/**
 * This service's copy of each shipment's state (version-checked), read to derive an order's
 * fulfilment and to decide returns. Shipping owns the shipment's status; orders owns the
 * `returnable` counts (how many units of each line may still be returned), changed only by
 * conditional single-document updates (reserveReturnable / giveBackReturnable).
 * `pending` (v0, shipment.created) → `shipped` (v1) → `delivered` (v2), or `pending` → `cancelled` (v1).
 */
export type ShipmentReplicaStatus = 'pending' | 'shipped' | 'delivered' | 'cancelled';

export interface ShipmentReplicaFields {
  /** The shipment's id. */
  _id: string;
  orderId: string;
  sellerId: string;
  status: ShipmentReplicaStatus;
  /** Units still returnable, by returnableKey(productId). Absent on replicas made before returns. */
  returnable?: Record<string, number>;
  /** The end of the return window, from shipment.delivered (absent in older events). */
  returnableUntil?: Date;
  /** Set by expiration.return-window-closed: the timer, not this clock, closes the window. */
  returnWindowClosed?: boolean;
  /** Returns (by id) whose units were given back, so a repeated give-back counts once. */
  givenBack?: string[];
  version: number;
}

export type ShipmentReplicaModel = Model<ShipmentReplicaFields>;

const shipmentReplicaSchema = new Schema<ShipmentReplicaFields>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    sellerId: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'shipped', 'delivered', 'cancelled'] },
    returnable: { type: Schema.Types.Mixed },
    returnableUntil: { type: Date },
    returnWindowClosed: { type: Boolean },
    givenBack: { type: [String], default: undefined },
    version: { type: Number, required: true },
  },
  // `version` is the shipment's version, set by events only.
  { versionKey: false },
);
// Order pages read the shipments of the orders they show.
shipmentReplicaSchema.index({ orderId: 1 });

export function shipmentReplicaModelOn(conn: Connection): ShipmentReplicaModel {
  return modelOn<ShipmentReplicaModel>(conn, 'ShipmentReplica', shipmentReplicaSchema);
}

/**
 * The key of a product in `returnable`. Product ids are ObjectIds in practice, but the event
 * contract allows any string, and a `.` or `$` in a field name would turn an update path into
 * another path: both are percent-encoded (ObjectIds are left as they are).
 */
export function returnableKey(productId: string): string {
  return encodeURIComponent(productId).replace(/\./g, '%2E');
}

/**
 * A new shipment: its replica starts at the event's version (0), pending, every unit of its lines
 * returnable (once delivered). A redelivery is a no-op.
 */
export function applyShipmentCreated(
  Replica: ShipmentReplicaModel,
  data: EventData<typeof Subjects.ShipmentCreated>,
): Promise<ReplicaOutcome> {
  return createReplica(Replica, { ...shipmentCreatedState(data), version: data.version });
}

/** The replica's state as shipment.created makes it (without its version). */
export function shipmentCreatedState(
  data: EventData<typeof Subjects.ShipmentCreated>,
): Pick<ShipmentReplicaFields, '_id' | 'orderId' | 'sellerId' | 'status' | 'returnable'> {
  const returnable: Record<string, number> = {};
  for (const l of data.items) returnable[returnableKey(l.productId)] = (returnable[returnableKey(l.productId)] ?? 0) + l.quantity;
  return { _id: data.id, orderId: data.orderId, sellerId: data.sellerId, status: 'pending', returnable };
}

type StepData =
  EventData<typeof Subjects.ShipmentShipped> | EventData<typeof Subjects.ShipmentDelivered> | EventData<typeof Subjects.ShipmentCancelled>;

/**
 * shipment.shipped / shipment.delivered / shipment.cancelled: applied only onto the previous
 * version, so a step that overtook the one before it waits (RetryLater) and a duplicate or older
 * one changes nothing: the replica only ever moves forward, whatever order the events arrive in.
 * Delivery brings the end of the return window when the event has one.
 */
export function applyShipmentStep(
  Replica: ShipmentReplicaModel,
  data: StepData,
  status: Exclude<ShipmentReplicaStatus, 'pending'>,
): Promise<ReplicaOutcome> {
  const until =
    status === 'delivered' && 'returnableUntil' in data && data.returnableUntil ? { returnableUntil: new Date(data.returnableUntil) } : {};
  return applyVersion(Replica, data.id, data.version, { $set: { status, ...until } });
}

/**
 * The return window of a delivered shipment closed (expiration's timer). A flag, so a repeat
 * changes nothing; it does not depend on the replica's version (a timer that overtook the
 * delivery still closes the window). A replica that is not here yet waits (RetryLater).
 */
export async function closeReturnWindow(Replica: ShipmentReplicaModel, shipmentId: string): Promise<ReplicaOutcome> {
  const res = await Replica.updateOne({ _id: shipmentId }, { $set: { returnWindowClosed: true } });
  if (res.matchedCount === 0) throw new RetryLater(`shipment replica ${shipmentId} missing`);
  return res.modifiedCount === 1 ? 'applied' : 'duplicate';
}

export interface ReturnUnits {
  productId: string;
  quantity: number;
}

/**
 * Takes `units` out of a delivered shipment's returnable counts, if its window is open and every
 * line has that many left: one conditional update (under the document lock), so concurrent
 * requests can never reserve more units than were bought. False when refused (nothing changed).
 */
export async function reserveReturnable(
  Replica: ShipmentReplicaModel,
  shipmentId: string,
  units: readonly ReturnUnits[],
): Promise<boolean> {
  const filter: Record<string, unknown> = { _id: shipmentId, status: 'delivered', returnWindowClosed: { $ne: true } };
  const inc: Record<string, number> = {};
  for (const u of units) {
    filter[`returnable.${returnableKey(u.productId)}`] = { $gte: u.quantity };
    inc[`returnable.${returnableKey(u.productId)}`] = -u.quantity;
  }
  const res = await Replica.updateOne(filter, { $inc: inc });
  return res.modifiedCount === 1;
}

/**
 * Gives a rejected or cancelled return's units back, once per return (its id is recorded in the
 * same update), so the use case may repeat it after a crash or on a repeated request.
 */
export async function giveBackReturnable(
  Replica: ShipmentReplicaModel,
  shipmentId: string,
  returnId: string,
  units: readonly ReturnUnits[],
): Promise<boolean> {
  const inc: Record<string, number> = {};
  for (const u of units) inc[`returnable.${returnableKey(u.productId)}`] = u.quantity;
  const res = await Replica.updateOne({ _id: shipmentId, givenBack: { $ne: returnId } }, { $inc: inc, $push: { givenBack: returnId } });
  return res.modifiedCount === 1;
}

/** The replicas of the given orders' shipments, by order id: one query per order by equality (FerretDB reads every replica for `orderId: {$in}`). */
export async function shipmentsByOrder(
  Replica: ShipmentReplicaModel,
  orderIds: readonly string[],
): Promise<Map<string, Pick<ShipmentReplicaFields, 'sellerId' | 'status'>[]>> {
  const byOrder = new Map<string, Pick<ShipmentReplicaFields, 'sellerId' | 'status'>[]>();
  const found = await readEach([...new Set(orderIds)], (orderId) =>
    Replica.find({ orderId }, { orderId: 1, sellerId: 1, status: 1 }).lean(),
  );
  const replicas = found.flat();
  for (const r of replicas) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), { sellerId: r.sellerId, status: r.status }]);
  return byOrder;
}
