export * from './dataset-probe';
export * from './dataset-thumbnail';
export * from './dataset-profile';
