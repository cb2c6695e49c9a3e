import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

/**
 * A product that reached its buyer (shipping's `shipment.delivered` lines): what makes the buyer a
 * verified buyer who may review it. One document per (buyer, product), `_id` `<buyerId>:<productId>`,
 * so recording the same line again (a redelivered event, a second shipment of the same product)
 * is a duplicate-key no-op: the first delivery is kept.
 */
export interface DeliveredLineFields {
  _id: string;
  buyerId: string;
  productId: string;
  /** The shipment that first delivered it. */
  shipmentId: string;
  deliveredAt: Date;
}

export type DeliveredLineModel = Model<DeliveredLineFields>;

const deliveredLineSchema = new Schema<DeliveredLineFields>(
  {
    _id: { type: String, required: true },
    buyerId: { type: String, required: true, index: true },
    productId: { type: String, required: true },
    shipmentId: { type: String, required: true },
    deliveredAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const deliveredLineId = (buyerId: string, productId: string) => `${buyerId}:${productId}`;

/** Records each delivered line once; resolves to how many were new. */
export async function recordDeliveredLines(
  DeliveredLine: DeliveredLineModel,
  input: { buyerId: string; shipmentId: string; deliveredAt: Date; productIds: string[] },
): Promise<number> {
  let added = 0;
  for (const productId of new Set(input.productIds)) {
    try {
      await DeliveredLine.create({
        _id: deliveredLineId(input.buyerId, productId),
        buyerId: input.buyerId,
        productId,
        shipmentId: input.shipmentId,
        deliveredAt: input.deliveredAt,
      });
      added++;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return added;
}

/** Whether `buyerId` has received `productId` (may review it). */
export async function hasReceived(DeliveredLine: DeliveredLineModel, buyerId: string, productId: string): Promise<boolean> {
  return (await DeliveredLine.exists({ _id: deliveredLineId(buyerId, productId) })) !== null;
}

export function deliveredLineModelOn(conn: Connection): DeliveredLineModel {
  return modelOn<DeliveredLineModel>(conn, 'DeliveredLine', deliveredLineSchema);
}
