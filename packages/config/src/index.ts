export * from './env';
export * from './fragments';
export * from './logger';
export * from './server';
export * from './token';
