export * from './request-payout';
export * from './deleted-seller';
