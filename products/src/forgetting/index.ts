export * from './unlist-seller';
