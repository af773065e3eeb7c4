export * from './address-policy';
export * from './deliver';
export * from './env';
export * from './queue';
export * from './secret-box';
export * from './signature';
export * from './target';
