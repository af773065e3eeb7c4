export { validateDataset } from './validate';
export type { ValidateOptions, VersionState } from './validate';
export { VALIDATION_THRESHOLDS } from './thresholds';
export { DuplicateCounter, DUPLICATE_TRACK_LIMIT } from './duplicates';
