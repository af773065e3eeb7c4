import {
  AppError,
  type Column,
  type DataRow,
  type Hyperparameters,
  type Task,
} from '@mlops/contracts';
import { splitIndices } from '@mlops/ml/split';

/** Fewer labelled rows than this cannot give a training split and a meaningful test split. */
export const MIN_ROWS = 10;

export interface DataSplit {
  train: DataRow[];
  validation: DataRow[];
  test: DataRow[];
  /** Rows dropped because their target is missing. */
  droppedRows: number;
}

/**
 * Drop rows without a target, then split: the test share of all rows first, then the validation
 * share of the rest. Classification is stratified by label so every class is seen in training.
 */
export function splitRows(
  rows: readonly DataRow[],
  target: Column,
  task: Task,
  hp: Pick<Hyperparameters, 'testFraction' | 'validationFraction'>,
  seed: number,
): DataSplit {
  const labelled = rows.filter((r) => {
    const v = r[target.name];
    return task === 'regression'
      ? typeof v === 'number' && Number.isFinite(v)
      : v !== null && v !== undefined;
  });
  if (labelled.length < MIN_ROWS) {
    throw new AppError(
      'BAD_DATASET',
      `Only ${labelled.length} row(s) have a value for target "${target.name}"; training needs at least ${MIN_ROWS}`,
    );
  }
  const strata =
    task === 'classification' ? labelled.map((r) => String(r[target.name])) : undefined;
  const idx = splitIndices(labelled.length, {
    testFraction: hp.testFraction,
    validationFraction: hp.validationFraction,
    seed,
    ...(strata ? { strata } : {}),
  });
  if (idx.test.length === 0 || idx.train.length === 0) {
    throw new AppError(
      'BAD_DATASET',
      `Splitting ${labelled.length} rows with testFraction ${hp.testFraction} leaves an empty split; add rows or raise testFraction`,
    );
  }
  const pick = (indices: number[]) => indices.map((i) => labelled[i] as DataRow);
  return {
    train: pick(idx.train),
    validation: pick(idx.validation),
    test: pick(idx.test),
    droppedRows: rows.length - labelled.length,
  };
}
