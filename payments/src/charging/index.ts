export * from './charge-pending';
export * from './pay-order';
export * from './refund';
export * from './refund-payment';
