export * from './gather-parts';
