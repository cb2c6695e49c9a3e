import { Schema, type Connection, type Model } from 'mongoose';
import { applyVersion, createReplica, modelOn, type EventData, type ReplicaOutcome, type Subjects } from '@jetmart/common';

/**
 * This service's copy of each shipment's state (version-checked), read only to derive an order's
 * fulfilment. Shipping owns shipments; orders never decides anything from this copy.
 * `pending` (v0, shipment.created) → `shipped` (v1) → `delivered` (v2).
 */
export type ShipmentReplicaStatus = 'pending' | 'shipped' | 'delivered';

export interface ShipmentReplicaFields {
  /** The shipment's id. */
  _id: string;
  orderId: string;
  sellerId: string;
  status: ShipmentReplicaStatus;
  version: number;
}

export type ShipmentReplicaModel = Model<ShipmentReplicaFields>;

const shipmentReplicaSchema = new Schema<ShipmentReplicaFields>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    sellerId: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'shipped', 'delivered'] },
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

/** A new shipment: its replica starts at the event's version (0), pending. A redelivery is a no-op. */
export function applyShipmentCreated(
  Replica: ShipmentReplicaModel,
  data: EventData<typeof Subjects.ShipmentCreated>,
): Promise<ReplicaOutcome> {
  return createReplica(Replica, { _id: data.id, orderId: data.orderId, sellerId: data.sellerId, status: 'pending', version: data.version });
}

type StepData = EventData<typeof Subjects.ShipmentShipped> | EventData<typeof Subjects.ShipmentDelivered>;

/**
 * shipment.shipped / shipment.delivered: applied only onto the previous version, so a step that
 * overtook the one before it waits (RetryLater) and a duplicate or older one changes nothing: the
 * replica only ever moves forward, whatever order the events arrive in.
 */
export function applyShipmentStep(
  Replica: ShipmentReplicaModel,
  data: StepData,
  status: Exclude<ShipmentReplicaStatus, 'pending'>,
): Promise<ReplicaOutcome> {
  return applyVersion(Replica, data.id, data.version, { $set: { status } });
}

/** The replicas of the given orders' shipments, by order id, in one query. */
export async function shipmentsByOrder(
  Replica: ShipmentReplicaModel,
  orderIds: readonly string[],
): Promise<Map<string, Pick<ShipmentReplicaFields, 'sellerId' | 'status'>[]>> {
  const byOrder = new Map<string, Pick<ShipmentReplicaFields, 'sellerId' | 'status'>[]>();
  if (orderIds.length === 0) return byOrder;
  const replicas = await Replica.find({ orderId: { $in: orderIds } }, { orderId: 1, sellerId: 1, status: 1 }).lean();
  for (const r of replicas) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), { sellerId: r.sellerId, status: r.status }]);
  return byOrder;
}
