import mongoose from 'mongoose';
import { unitsTaken, type ProductsModels } from '../models';
import { refreshStock } from '../stock';

export type UnlistSellerResult = { kind: 'unlisted'; products: number };

/**
 * user.deleted (SPEC invariant 13): the person's listings can no longer be bought. Each product of
 * theirs is unlisted (Product.unlist): its quantity drops to the units already taken and
 * `product.updated` goes out through the outbox as for any seller change, so orders' replica has
 * nothing available and refuses new orders; orders already placed are fulfilled or cancelled as
 * usual. The products stay (orders, shipments and the sellers' books refer to them) and hold no
 * email, name or address. A product a concurrent save changed is read again (VersionError).
 *
 * Known gap: units that come back later (a held order cancelled, a restock) raise what orders can
 * sell again until the next unlist; a redelivered user.deleted lowers the quantity again.
 */
export async function unlistSeller(deps: { models: ProductsModels }, userId: string, attempts = 5): Promise<UnlistSellerResult> {
  const { Product, UnitLedger } = deps.models;
  let products = 0;
  for (const { _id } of await Product.find({ userId }, { _id: 1 }).lean()) {
    for (let i = 1; ; i++) {
      const product = await Product.findById(_id);
      if (!product) break;
      const taken = (await unitsTaken(UnitLedger, [product.id])).get(product.id) ?? 0;
      if (product.unlist(taken) === 'already-unlisted') break;
      try {
        await product.save();
        products++;
        break;
      } catch (err) {
        if (!(err instanceof mongoose.Error.VersionError) || i >= attempts) throw err;
      }
    }
    // The quantity dropped to the units taken: nothing is available, which may be a flip. Also on a
    // redelivery (already unlisted): a crash may have come between the save and this.
    await refreshStock(deps.models, String(_id));
  }
  return { kind: 'unlisted', products };
}
