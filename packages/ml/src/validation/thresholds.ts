/**
 * The thresholds of dataset validation, in one place so the docs (docs/registry.md
 * "Validation") and the anomaly messages quote the same figures.
 */
export const VALIDATION_THRESHOLDS = {
  /** missing_rate_jump: the share of missing cells rose by at least this much (absolute). */
  missingRateIncrease: 0.05,
  /**
   * out_of_range: at least this share of the column's sampled values (its reservoir sample, all
   * values up to 1000 rows) lies outside the previous version's [min, max].
   */
  outOfRangeShare: 0.01,
  /**
   * distribution_shift of a categorical or boolean column: the chi-squared test of homogeneity
   * (the drift monitor's `chi2`) on the two versions' category counts gives p below this…
   */
  shiftPValue: 0.001,
  /**
   * …and the Jensen–Shannon distance (base 2, 0–1) of the two distributions is at least this:
   * on large datasets every difference is significant, the distance says whether it matters.
   */
  shiftDistance: 0.1,
  /**
   * duplicate_rows: more than this share of the rows repeat an earlier row, and (when the
   * previous version's share is known) at least `duplicateShareIncrease` more than there.
   */
  duplicateShare: 0.05,
  duplicateShareIncrease: 0.01,
  /** new_category: at most this many new values are listed (the count is always given). */
  listedValues: 20,
} as const;
