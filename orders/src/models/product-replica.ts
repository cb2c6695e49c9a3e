import { Schema, type Connection, type Model, type mongo } from 'mongoose';
import { createReplica, modelOn, RetryLater, withDocumentLock, type EventData, type ReplicaOutcome, type Subjects } from '@jetmart/common';

/**
 * This service's copy of a product (version-checked), and the single place that decides
 * whether units can be held: `available` = listed quantity − units held by live orders − units
 * sold, changed only by conditional single-document updates.
 */
export interface UnitHold {
  orderId: string;
  quantity: number;
}

export interface ProductReplicaFields {
  _id: string;
  title: string;
  priceMinor: number;
  quantity: number;
  userId: string;
  /** False while the seller has the product off the catalog: no new order may hold its units. */
  listed: boolean;
  version: number;
  available: number;
  holds: UnitHold[];
  sold: number;
  /** Sources (cancelled shipment or received return ids) whose units were put back on sale. */
  restocks: string[];
}

export type ProductReplicaModel = Model<ProductReplicaFields>;

const holdSchema = new Schema<UnitHold>(
  { orderId: { type: String, required: true }, quantity: { type: Number, required: true } },
  { _id: false },
);

export const productReplicaSchema = new Schema<ProductReplicaFields>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    priceMinor: { type: Number, required: true },
    quantity: { type: Number, required: true },
    userId: { type: String, required: true },
    // Replicas made before unlisting existed have none: listed.
    listed: { type: Boolean, default: true },
    version: { type: Number, required: true },
    available: { type: Number, required: true },
    holds: { type: [holdSchema], default: [] },
    sold: { type: Number, default: 0 },
    restocks: { type: [String], default: [] },
  },
  // `version` is the product's version, set by events only.
  { versionKey: false },
);

export function productReplicaModelOn(conn: Connection): ProductReplicaModel {
  return modelOn<ProductReplicaModel>(conn, 'ProductReplica', productReplicaSchema);
}

/**
 * The hold element exactly as stored. Release and sell filter on `holds.orderId` and `$pull` this
 * exact element (FerretDB matches neither whole array elements nor `$pull` by condition). An
 * order holds a product at most once and always with its line's quantity, so the element the
 * filter found is the element pulled, and the `$inc` in the same update counts it exactly once.
 */
const hold = (orderId: string, quantity: number): UnitHold => ({ orderId, quantity });

/**
 * Holds `quantity` units of a product for an order if it is listed, that many are available and
 * the order holds none yet: one conditional atomic update. False when refused (nothing changed).
 */
export async function reserveUnits(Replica: ProductReplicaModel, productId: string, orderId: string, quantity: number): Promise<boolean> {
  const res = await Replica.updateOne(
    { _id: productId, listed: { $ne: false }, available: { $gte: quantity }, 'holds.orderId': { $ne: orderId } },
    { $inc: { available: -quantity }, $push: { holds: hold(orderId, quantity) } },
  );
  return res.modifiedCount === 1;
}

/** Gives an order's units back; a no-op when it holds none (so it is safe to repeat). */
export async function releaseUnits(Replica: ProductReplicaModel, productId: string, orderId: string, quantity: number): Promise<boolean> {
  const res = await Replica.updateOne(
    { _id: productId, 'holds.orderId': orderId },
    { $inc: { available: quantity }, $pull: { holds: hold(orderId, quantity) } },
  );
  return res.modifiedCount === 1;
}

/** Turns an order's held units into sold ones (available is unchanged); safe to repeat. */
export async function sellUnits(Replica: ProductReplicaModel, productId: string, orderId: string, quantity: number): Promise<boolean> {
  const res = await Replica.updateOne(
    { _id: productId, 'holds.orderId': orderId },
    { $inc: { sold: quantity }, $pull: { holds: hold(orderId, quantity) } },
  );
  return res.modifiedCount === 1;
}

/**
 * Puts sold units back on sale (a cancelled part never left its seller; a returned one came back
 * and the seller chose to restock it): `sold` down and `available` up by the same amount, so
 * available + held + sold still equals the listed quantity. Once per source: `restockId` (the
 * shipment or return id) is recorded in the same conditional update, so a redelivered event is
 * a no-op. False when already restocked (or the replica is unknown).
 */
export async function restockUnits(Replica: ProductReplicaModel, productId: string, restockId: string, quantity: number): Promise<boolean> {
  const res = await Replica.updateOne(
    { _id: productId, restocks: { $ne: restockId } },
    { $inc: { available: quantity, sold: -quantity }, $push: { restocks: restockId } },
  );
  return res.modifiedCount === 1;
}

type ProductData = EventData<typeof Subjects.ProductCreated>;

/** What a product event says of the product, as the replica stores it. */
const productFacts = (data: ProductData) => ({
  title: data.title,
  priceMinor: data.priceMinor,
  quantity: data.quantity,
  userId: data.userId,
  listed: data.listed ?? true,
  version: data.version,
});

export function applyProductCreated(Replica: ProductReplicaModel, data: ProductData): Promise<ReplicaOutcome> {
  return createReplica(Replica, {
    _id: data.id,
    ...productFacts(data),
    available: data.quantity,
    holds: [],
    sold: 0,
    restocks: [],
  });
}

/** What the replica holds of a product's units: enough for withdrawExcessHolds to decide. */
export type ReplicaUnits = Pick<ProductReplicaFields, 'available' | 'holds'>;

/**
 * How a product.updated was applied, and the units right after, where they are known exactly
 * (`units` absent otherwise: a reader must look).
 */
export interface ProductUpdateApplied {
  outcome: ReplicaOutcome;
  units?: ReplicaUnits;
}

/**
 * Applies version N onto N−1. A change of the listed quantity moves `available` by the same
 * amount; the quantity it moves from is read at N−1, and nothing changes it before the write
 * (only product events change it, and they apply one version onto the one before).
 *
 * The read and the write are done under the replica's lock, and the write answers with the units
 * it left. On FerretDB (locks on) the lock already orders every writer, so the version is checked
 * on the read here and the write goes by `_id` alone: one read and one write, where an update
 * through mongoose under its own lock would read the document again for its guard, and the
 * caller's look at the units afterwards would be a third read. On MongoDB (no lock) the write
 * carries the version filter and decides atomically, as before; the units it returns are its own
 * post-image, so exact too. A duplicate's units are exact only under the lock.
 */
export async function applyProductUpdated(Replica: ProductReplicaModel, data: ProductData): Promise<ProductUpdateApplied> {
  return withDocumentLock(
    Replica.collection.collectionName,
    data.id,
    async (lock) => {
      const current = await Replica.findById(data.id, { version: 1, quantity: 1, available: 1, holds: 1 }).lean();
      if (!current) throw new RetryLater(`replica missing, event has version ${data.version}`);
      const units = (r: ReplicaUnits): ReplicaUnits => ({ available: r.available, holds: r.holds });
      if (current.version >= data.version) return { outcome: 'duplicate', ...(lock.exclusive && { units: units(current) }) };
      if (current.version < data.version - 1) throw new RetryLater(`replica at version ${current.version}, event has ${data.version}`);
      // Raw driver: a mongoose query on this document would wait for the lock held here.
      const after = await (Replica.collection as unknown as mongo.Collection<ProductReplicaFields>).findOneAndUpdate(
        lock.exclusive ? { _id: data.id } : { _id: data.id, version: data.version - 1 },
        {
          $set: productFacts(data),
          $inc: { available: data.quantity - current.quantity },
        },
        // The whole document: FerretDB 1.24 implements no projection on findAndModify (seller edits are rare).
        { returnDocument: 'after' },
      );
      if (after) return { outcome: 'applied', units: units(after) };
      // MongoDB only: another delivery of this version got in between the read and the write.
      const now = await Replica.findById(data.id, { version: 1 }).lean();
      if (now && now.version >= data.version) return { outcome: 'duplicate' };
      throw new RetryLater(`replica moved from version ${current.version} during the update to ${data.version}`);
    },
    Replica.db,
  );
}
