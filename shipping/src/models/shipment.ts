import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { addressSnapshotSchema, modelOn, outboxPlugin, recordEvent, Subjects, type EventData, type WithOutbox } from '@jetmart/common';
import { anonymisedAddress, isAnonymisedAddress, type Address, type DeliveredBy, type ShipmentStatus } from '@jetmart/common/contracts';

/**
 * One seller's part of a paid order: `pending` → `shipped` → `delivered`, or `pending` →
 * `cancelled` by its buyer (or because its seller deleted their account). Created at version 0 with shipment.created, then shipped at 1 with
 * shipment.shipped (delivered at 2 with shipment.delivered) or cancelled at 1 with
 * shipment.cancelled: each event is written in the same save as the state it describes (outbox),
 * and `optimisticConcurrency` makes a save of a stale copy fail (VersionError), so two racing
 * transitions (a buyer's cancel and the seller's ship) cannot both win.
 */
export interface ShipmentLine {
  productId: string;
  /** Title and price as ordered. */
  title: string;
  priceMinor: number;
  quantity: number;
}

export interface ShipmentFields extends WithOutbox {
  orderId: string;
  sellerId: string;
  buyerId: string;
  status: ShipmentStatus;
  items: ShipmentLine[];
  /** The order's address snapshot. */
  shippingAddress: Address;
  carrier?: string;
  trackingNumber?: string;
  shippedAt?: Date;
  /** When the shipment counts as delivered if nobody confirms it (the expiration service's timer). */
  autoDeliverAt?: Date;
  deliveredAt?: Date;
  deliveredBy?: DeliveredBy;
  /** Until when the buyer may return the goods: set on delivery, the return window after it. */
  returnableUntil?: Date;
  cancelledAt?: Date;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a transition did. Only `shipped` / `delivered` / `cancelled` changed the document (save
 * it); the others leave it as it was and say why.
 *   already-shipped     the same carrier and tracking number again (also once delivered): a repeat
 *   shipped-differently shipped already with another carrier or tracking number
 *   is-delivered        delivered already, and the request names other values (or asks to cancel)
 *   not-shipped         delivery confirmed before the shipment was shipped
 *   is-shipped          a cancel of a shipment on its way: too late, it can be returned once delivered
 *   is-cancelled        the buyer cancelled it before it shipped
 */
export type ShipOutcome = 'shipped' | 'already-shipped' | 'shipped-differently' | 'is-delivered' | 'is-cancelled';
export type DeliverOutcome = 'delivered' | 'already-delivered' | 'not-shipped' | 'is-cancelled';
export type CancelOutcome = 'cancelled' | 'already-cancelled' | 'is-shipped' | 'is-delivered';
/** Who ended a pending shipment: its buyer, or its seller by deleting their account (closeSeller). */
export type CancelReason = NonNullable<EventData<typeof Subjects.ShipmentCancelled>['reason']>;

interface ShipmentMethods {
  /** pending → shipped, queuing shipment.shipped with its auto-delivery time. */
  ship(carrier: string, trackingNumber: string, autoDeliverAfterMs: number, now?: Date): ShipOutcome;
  /** shipped → delivered, queuing shipment.delivered; returnable for `returnWindowMs` after it. */
  deliver(by: DeliveredBy, returnWindowMs: number, now?: Date): DeliverOutcome;
  /** pending → cancelled, queuing shipment.cancelled with the refund it is owed and why. */
  cancel(reason?: CancelReason, now?: Date): CancelOutcome;
}

export type ShipmentModel = Model<ShipmentFields, object, ShipmentMethods>;
export type ShipmentDoc = HydratedDocument<ShipmentFields, ShipmentMethods>;

const lineSchema = new Schema<ShipmentLine>(
  {
    productId: { type: String, required: true },
    title: { type: String, required: true },
    priceMinor: { type: Number, required: true, min: 0 },
    quantity: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

// Validated by the event contract before it gets here (addressSchema); stored as given.
const addressSchema = addressSnapshotSchema();

const shipmentSchema = new Schema<ShipmentFields, ShipmentModel, ShipmentMethods>(
  {
    orderId: { type: String, required: true },
    sellerId: { type: String, required: true },
    buyerId: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'shipped', 'delivered', 'cancelled'] },
    items: { type: [lineSchema], required: true },
    shippingAddress: { type: addressSchema, required: true },
    carrier: { type: String },
    trackingNumber: { type: String },
    shippedAt: { type: Date },
    autoDeliverAt: { type: Date },
    deliveredAt: { type: Date },
    deliveredBy: { type: String, enum: ['seller', 'buyer', 'auto'] },
    returnableUntil: { type: Date },
    cancelledAt: { type: Date },
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
shipmentSchema.plugin(outboxPlugin);
// One shipment per seller per order: the unique index is what makes a redelivered order.completed,
// or two replicas handling it at once, create exactly one (an insert is atomic even on FerretDB).
shipmentSchema.index({ orderId: 1, sellerId: 1 }, { unique: true });
// A seller's list ("to ship": pending, oldest first).
shipmentSchema.index({ sellerId: 1, status: 1, createdAt: 1 });

const ref = (s: ShipmentDoc) => ({ id: s.id as string, orderId: s.orderId, sellerId: s.sellerId, buyerId: s.buyerId });

shipmentSchema.methods.ship = function (
  this: ShipmentDoc,
  carrier: string,
  trackingNumber: string,
  autoDeliverAfterMs: number,
  now = new Date(),
): ShipOutcome {
  const same = this.carrier === carrier && this.trackingNumber === trackingNumber;
  switch (this.status) {
    case 'cancelled':
      return 'is-cancelled';
    case 'delivered':
      return same ? 'already-shipped' : 'is-delivered';
    case 'shipped':
      return same ? 'already-shipped' : 'shipped-differently';
    case 'pending':
      break;
  }
  this.status = 'shipped';
  this.carrier = carrier;
  this.trackingNumber = trackingNumber;
  this.shippedAt = now;
  this.autoDeliverAt = new Date(now.getTime() + autoDeliverAfterMs);
  // save() with optimisticConcurrency raises the version by one.
  recordEvent(this, Subjects.ShipmentShipped, {
    ...ref(this),
    carrier,
    trackingNumber,
    shippedAt: now.toISOString(),
    autoDeliverAt: this.autoDeliverAt.toISOString(),
    version: this.version + 1,
  });
  return 'shipped';
};

shipmentSchema.methods.deliver = function (this: ShipmentDoc, by: DeliveredBy, returnWindowMs: number, now = new Date()): DeliverOutcome {
  switch (this.status) {
    case 'cancelled':
      return 'is-cancelled';
    case 'pending':
      return 'not-shipped';
    case 'delivered':
      return 'already-delivered';
    case 'shipped':
      break;
  }
  this.status = 'delivered';
  this.deliveredAt = now;
  this.deliveredBy = by;
  // Stored with the delivery rather than derived from the configuration when read: a window
  // promised at delivery stays as promised when RETURN_WINDOW_DAYS changes later.
  this.returnableUntil = new Date(now.getTime() + returnWindowMs);
  recordEvent(this, Subjects.ShipmentDelivered, {
    ...ref(this),
    deliveredAt: now.toISOString(),
    by,
    returnableUntil: this.returnableUntil.toISOString(),
    // The delivered lines: products lets their buyer review these (a verified buyer).
    items: this.items.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    version: this.version + 1,
  });
  return 'delivered';
};

shipmentSchema.methods.cancel = function (this: ShipmentDoc, reason: CancelReason = 'buyer', now = new Date()): CancelOutcome {
  switch (this.status) {
    case 'cancelled':
      return 'already-cancelled';
    case 'shipped':
      return 'is-shipped';
    case 'delivered':
      return 'is-delivered';
    case 'pending':
      break;
  }
  this.status = 'cancelled';
  this.cancelledAt = now;
  const items = this.items.map((l) => ({ productId: l.productId, quantity: l.quantity, priceMinor: l.priceMinor }));
  // The refund owed is fixed here, from the prices as ordered, so payments refunds exactly what
  // this part cost without knowing the order.
  const amountMinor = items.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
  recordEvent(this, Subjects.ShipmentCancelled, {
    ...ref(this),
    items,
    amountMinor,
    cancelledAt: now.toISOString(),
    reason,
    version: this.version + 1,
  });
  return 'cancelled';
};

/** A new shipment at version 0 with shipment.created queued; stored by its first save. */
export function newShipment(
  Shipment: ShipmentModel,
  fields: Pick<ShipmentFields, 'orderId' | 'sellerId' | 'buyerId' | 'items' | 'shippingAddress'>,
): ShipmentDoc {
  const shipment = new Shipment({ ...fields, status: 'pending' });
  recordEvent(shipment, Subjects.ShipmentCreated, {
    ...ref(shipment),
    items: fields.items.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    version: 0,
  });
  return shipment;
}

/**
 * Replaces the shipment's address snapshot with the anonymised one; status, carrier and tracking
 * stay. True when this call changed it. A plain update of one document (locked by `_id`) that
 * leaves `version` alone: no event carries the address, and the published version must not move.
 */
export async function anonymiseShipmentAddress(Shipment: ShipmentModel, shipmentId: string): Promise<boolean> {
  const found = await Shipment.findById(shipmentId, { shippingAddress: 1 }).lean();
  if (!found?.shippingAddress || isAnonymisedAddress(found.shippingAddress)) return false;
  const res = await Shipment.updateOne(
    { _id: shipmentId },
    { $set: { shippingAddress: anonymisedAddress(found.shippingAddress.country) } },
    { timestamps: false },
  );
  return res.modifiedCount === 1;
}

export function shipmentModelOn(conn: Connection): ShipmentModel {
  return modelOn<ShipmentModel>(conn, 'Shipment', shipmentSchema);
}
