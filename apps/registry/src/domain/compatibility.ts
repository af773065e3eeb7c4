/**
 * The signature diff lives beside the record check in @mlops/ml/records: it classifies changes
 * by what serving does with an older client's request, so both must change together.
 */
export { compareSignatures } from '@mlops/ml/records';
