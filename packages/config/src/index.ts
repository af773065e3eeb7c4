export * from './env';
export * from './fragments';
export * from './http-limits';
export * from './logger';
export * from './placeholders';
export * from './redis-close';
export * from './server';
export * from './token';
