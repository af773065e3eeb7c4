import {
  AppError,
  type Column,
  type DataRow,
  type FeatureTransform,
  type Preprocessing,
  type TargetTransform,
  type Task,
} from '@mlops/contracts';
import { DateTimeAccumulator, datetimeWidth } from './datetime';
import { labelOf, meanStd, mode } from './stats';

function fitFeature(column: Column, rows: readonly DataRow[]): FeatureTransform {
  switch (column.type) {
    case 'numeric': {
      const values: number[] = [];
      for (const row of rows) {
        const v = row[column.name];
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
      }
      const { mean, std } = meanStd(values);
      return { kind: 'standardize', column: column.name, mean, std, impute: mean };
    }
    case 'categorical': {
      const counts = new Map<string, number>();
      for (const row of rows) {
        const v = row[column.name];
        if (v === null || v === undefined) continue;
        const key = String(v);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      // No training value at all: fall back to the declared categories so the width is stable.
      const categories =
        counts.size > 0 ? [...counts.keys()].sort() : [...(column.categories ?? [])].sort();
      const impute = mode(counts) ?? categories[0];
      if (impute === undefined) {
        throw new AppError(
          'BAD_DATASET',
          `Categorical feature "${column.name}" has no values in the training split: drop it from the features or add data`,
        );
      }
      return { kind: 'one-hot', column: column.name, categories, impute };
    }
    case 'boolean': {
      let trues = 0;
      let falses = 0;
      for (const row of rows) {
        const v = row[column.name];
        if (v === true) trues++;
        else if (v === false) falses++;
      }
      return { kind: 'boolean', column: column.name, impute: trues > falses };
    }
    case 'datetime': {
      const acc = new DateTimeAccumulator();
      for (const row of rows) acc.add(row[column.name]);
      return acc.finish(column.name);
    }
  }
}

function fitTarget(target: Column, task: Task, rows: readonly DataRow[]): TargetTransform {
  if (task === 'classification') {
    const labels = new Set<string>();
    for (const row of rows) {
      const label = labelOf(row[target.name]);
      if (label !== null) labels.add(label);
    }
    if (labels.size < 2) {
      throw new AppError(
        'BAD_DATASET',
        `Target "${target.name}" has ${labels.size} class(es) in the training split; classification needs at least 2`,
      );
    }
    return { kind: 'label-encode', column: target.name, labels: [...labels].sort() };
  }
  if (target.type !== 'numeric') {
    throw new AppError(
      'BAD_DATASET',
      `Regression target "${target.name}" is ${target.type}; choose a numeric target or task "classification"`,
    );
  }
  const values: number[] = [];
  for (const row of rows) {
    const v = row[target.name];
    if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) {
    throw new AppError(
      'BAD_DATASET',
      `Target "${target.name}" has no numeric values in the training split`,
    );
  }
  const { mean, std } = meanStd(values);
  return { kind: 'standardize', column: target.name, mean, std };
}

/** Number of model-input columns a transform expands to. */
export function featureWidth(transform: FeatureTransform): number {
  if (transform.kind === 'one-hot') return transform.categories.length;
  return transform.kind === 'datetime' ? datetimeWidth(transform) : 1;
}

/**
 * Fit scaling, one-hot encoding and imputation on the training rows only (fitting on all rows
 * would leak the held-out split into the model). Feature order = order of `columns`.
 */
export function fitPreprocessing(
  columns: Column[],
  target: Column,
  task: Task,
  rows: DataRow[],
): Preprocessing {
  if (columns.length === 0) {
    throw new AppError('BAD_DATASET', 'No feature columns: a model needs at least one feature');
  }
  if (columns.some((c) => c.name === target.name)) {
    throw new AppError('BAD_DATASET', `Target "${target.name}" cannot also be a feature`);
  }
  const features = columns.map((c) => fitFeature(c, rows));
  const inputWidth = features.reduce((w, f) => w + featureWidth(f), 0);
  return { features, target: fitTarget(target, task, rows), inputWidth };
}
