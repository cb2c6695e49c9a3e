import mongoose, { type Connection } from 'mongoose';
import { productModelOn, type ProductModel } from './product';
import { unitLedgerModelOn, type UnitLedgerModel } from './unit-ledger';

export * from './product';
export * from './unit-ledger';

export interface ProductsModels {
  Product: ProductModel;
  UnitLedger: UnitLedgerModel;
}

/**
 * The service's models on a connection (default: mongoose's global one). Taking the
 * connection as a parameter lets one test process run products and orders side by side,
 * each on its own database.
 */
export function productsModels(conn: Connection = mongoose.connection): ProductsModels {
  return { Product: productModelOn(conn), UnitLedger: unitLedgerModelOn(conn) };
}
