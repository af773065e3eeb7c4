export { accuracy, macroF1, logLoss, argmaxRows, classificationMetrics } from './classification';
export { rmse, mae, r2, regressionMetrics } from './regression';
export { calibration, type ReliabilityBin } from './calibration';
export {
  classPrior,
  priorProbabilities,
  fitLogistic,
  predictLogistic,
  fitLinear,
  predictLinear,
  type LinearModel,
} from './baselines';
export {
  sliceRows,
  scoreSlices,
  worstSlice,
  type SliceColumn,
  type SliceGroup,
  type ScoredSlice,
} from './slices';
