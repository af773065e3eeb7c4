import type { DataRow, Preprocessing } from '@mlops/contracts';

// Shared with @mlops/client's loadModel, so both answer the same (packages/ml bundle).
export { predictRows } from '@mlops/ml/bundle';

/** A row made of every feature's imputed value: the input of the warm-up predict. */
export function imputedRow(prep: Preprocessing): DataRow {
  const row: DataRow = {};
  // A datetime feature has no imputed value: null writes its missing-value encoding.
  for (const f of prep.features) row[f.column] = f.kind === 'datetime' ? null : f.impute;
  return row;
}
