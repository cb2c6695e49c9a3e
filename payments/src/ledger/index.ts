export * from './balance';
export * from './commission';
export * from './post-refund';
export * from './post-sale';
export * from './ledger-page';
