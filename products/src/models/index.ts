import type { Connection } from 'mongoose';
import { deliveredLineModelOn, type DeliveredLineModel } from './delivered-line';
import { productModelOn, type ProductModel } from './product';
import { productRatingModelOn, type ProductRatingModel } from './product-rating';
import { productStockModelOn, type ProductStockModel } from './product-stock';
import { reviewModelOn, type ReviewModel } from './review';
import { reviewAuthorModelOn, type ReviewAuthorModel } from './review-author';
import { unitLedgerModelOn, type UnitLedgerModel } from './unit-ledger';

export * from './delivered-line';
export * from './product';
export * from './product-rating';
export * from './product-image';
export * from './product-stock';
export * from './review';
export * from './review-author';
export * from './seller-products';
export * from './unit-ledger';

export interface ProductsModels {
  Product: ProductModel;
  UnitLedger: UnitLedgerModel;
  // Reviews (issue 19): delivered lines make a verified buyer; one review per buyer and product.
  DeliveredLine: DeliveredLineModel;
  Review: ReviewModel;
  ReviewAuthor: ReviewAuthorModel;
  ProductRating: ProductRatingModel;
  ProductStock: ProductStockModel;
}

/**
 * Every products model on `conn` (which must have the database plugins: runService,
 * useTestDatabase). Taking the connection lets one test process run products and orders side by
 * side, each on its own database.
 */
export function productsModels(conn: Connection): ProductsModels {
  return {
    Product: productModelOn(conn),
    UnitLedger: unitLedgerModelOn(conn),
    ProductStock: productStockModelOn(conn),
    DeliveredLine: deliveredLineModelOn(conn),
    Review: reviewModelOn(conn),
    ReviewAuthor: reviewAuthorModelOn(conn),
    ProductRating: productRatingModelOn(conn),
  };
}
