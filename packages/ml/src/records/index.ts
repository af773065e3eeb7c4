export { checkRecords, columnsFit, MAX_RECORD_DETAILS } from './check';
export type { CheckRecordsResult } from './check';
export { compareSignatures } from './compatibility';
