export * from './request-return';
export * from './transitions';
