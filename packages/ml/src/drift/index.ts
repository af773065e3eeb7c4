export { computeDrift, defaultMethod } from './compute';
export type { DriftOptions, DriftResult } from './compute';
export { ks2Samp, ksExactPValue, KS_EXACT_MAX_N } from './ks';
export type { KsResult } from './ks';
export { chiSquaredHomogeneity, twoProportionZTest } from './tests';
export type { TestResult } from './tests';
export {
  binnedShares,
  fillZeroes,
  jensenShannonDistance,
  normedWasserstein,
  populationStd,
  psi,
  wassersteinDistance,
} from './distances';
export { chiSquaredSf, erfc, gammaP, gammaQ, kolmogorovSf, logGamma, normalSf } from './special';
export { mmdTest, shareOfDriftedComponents } from './embedding';
export type { ComponentShareResult, MmdOptions, MmdResult } from './embedding';
