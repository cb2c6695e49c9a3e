export * from './derive-fulfillment';
export * from './derive-payment';
