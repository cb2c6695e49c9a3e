export * from './notice';
export * from './facts';
export * from './deliver';
export * from './contacts';
export * from './feed';
