export * from './split-order';
export * from './transitions';
