import { recordDeliveredLines, type ProductsModels } from '../models';

export type RecordDeliveryResult = { kind: 'recorded'; added: number } | { kind: 'no-lines' };

/**
 * A shipment reached its buyer: each of its products becomes reviewable by that buyer. Idempotent
 * (one delivered line per buyer and product), so duplicates and any order of deliveries end the
 * same. An event from before shipping carried its lines has none: nothing to record.
 */
export async function recordDelivery(
  { models }: { models: ProductsModels },
  input: { shipmentId: string; buyerId: string; deliveredAt: string; items?: { productId: string }[] },
): Promise<RecordDeliveryResult> {
  if (!input.items?.length) return { kind: 'no-lines' };
  const added = await recordDeliveredLines(models.DeliveredLine, {
    buyerId: input.buyerId,
    shipmentId: input.shipmentId,
    deliveredAt: new Date(input.deliveredAt),
    productIds: input.items.map((l) => l.productId.toLowerCase()),
  });
  return { kind: 'recorded', added };
}
