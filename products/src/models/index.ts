import type { Connection } from 'mongoose';
import { productModelOn, type ProductModel } from './product';
import { unitLedgerModelOn, type UnitLedgerModel } from './unit-ledger';

export * from './product';
export * from './seller-products';
export * from './unit-ledger';

export interface ProductsModels {
  Product: ProductModel;
  UnitLedger: UnitLedgerModel;
}

/**
 * Every products model on `conn` (which must have the database plugins: runService,
 * useTestDatabase). Taking the connection lets one test process run products and orders side by
 * side, each on its own database.
 */
export function productsModels(conn: Connection): ProductsModels {
  return { Product: productModelOn(conn), UnitLedger: unitLedgerModelOn(conn) };
}
