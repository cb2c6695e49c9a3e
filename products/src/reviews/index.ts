/**
 * Reviews by verified buyers (issue 19), inside the products service: who may review (delivered
 * lines from shipment.delivered), one review per buyer and product, the seller's reply, reports
 * and moderation, and the per-product rating aggregate published as product.rating-changed.
 */
export * from './delivered';
export * from './rating';
export * from './reading';
export * from './writing';
