export * from './forget-buyer';
export * from './close-seller';
