export * from './request-payout';
