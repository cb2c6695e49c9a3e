export * from './deps';
export * from './end-order';
export * from './place-order';
export * from './withdraw-holds';
