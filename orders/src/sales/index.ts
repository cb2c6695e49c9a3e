export * from './project';
export * from './query';
