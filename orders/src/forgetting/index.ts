export * from './forget-buyer';
