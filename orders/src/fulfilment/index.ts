export * from './derive-fulfillment';
