import {
  AppError,
  type Column,
  type DataRow,
  type FeatureTransform,
  type Preprocessing,
  type Task,
} from '@mlops/contracts';
import { DateTimeAccumulator } from './datetime';
import { featureWidth } from './fit';
import { labelOf, mode } from './stats';

/** Running mean and population variance (Welford): one pass, constant memory. */
class Moments {
  n = 0;
  mean = 0;
  private m2 = 0;
  add(v: number): void {
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
  }
  result(): { mean: number; std: number } {
    if (this.n === 0) return { mean: 0, std: 1 };
    const std = Math.sqrt(this.m2 / this.n);
    return { mean: this.mean, std: std > 1e-12 && Number.isFinite(std) ? std : 1 };
  }
}

type Acc =
  | { kind: 'numeric'; column: Column; m: Moments }
  | { kind: 'categorical'; column: Column; counts: Map<string, number> }
  | { kind: 'boolean'; column: Column; trues: number; falses: number }
  | { kind: 'datetime'; column: Column; acc: DateTimeAccumulator };

/**
 * `fitPreprocessing` in one streaming pass over the training rows: memory is bounded by the
 * number of distinct categories, not by rows. Same transforms as the in-memory fit (means and
 * standard deviations agree to floating-point rounding).
 */
export class PreprocessingBuilder {
  private readonly accs: Acc[];
  private readonly labels = new Set<string>();
  private readonly targetMoments = new Moments();

  constructor(
    private readonly columns: Column[],
    private readonly target: Column,
    private readonly task: Task,
  ) {
    if (columns.length === 0) {
      throw new AppError('BAD_DATASET', 'No feature columns: a model needs at least one feature');
    }
    if (columns.some((c) => c.name === target.name)) {
      throw new AppError('BAD_DATASET', `Target "${target.name}" cannot also be a feature`);
    }
    this.accs = columns.map((column): Acc => {
      switch (column.type) {
        case 'numeric':
          return { kind: 'numeric', column, m: new Moments() };
        case 'categorical':
          return { kind: 'categorical', column, counts: new Map() };
        case 'boolean':
          return { kind: 'boolean', column, trues: 0, falses: 0 };
        case 'datetime':
          return { kind: 'datetime', column, acc: new DateTimeAccumulator() };
      }
    });
  }

  add(row: DataRow): void {
    for (const acc of this.accs) {
      const v = row[acc.column.name];
      if (acc.kind === 'numeric') {
        if (typeof v === 'number' && Number.isFinite(v)) acc.m.add(v);
      } else if (acc.kind === 'categorical') {
        if (v !== null && v !== undefined) {
          const key = String(v);
          acc.counts.set(key, (acc.counts.get(key) ?? 0) + 1);
        }
      } else if (acc.kind === 'datetime') acc.acc.add(v);
      else if (v === true) acc.trues++;
      else if (v === false) acc.falses++;
    }
    const t = row[this.target.name];
    if (this.task === 'classification') {
      const label = labelOf(t);
      if (label !== null) this.labels.add(label);
    } else if (typeof t === 'number' && Number.isFinite(t)) this.targetMoments.add(t);
  }

  finish(): Preprocessing {
    const features = this.accs.map((acc): FeatureTransform => {
      const name = acc.column.name;
      if (acc.kind === 'numeric') {
        const { mean, std } = acc.m.result();
        return { kind: 'standardize', column: name, mean, std, impute: mean };
      }
      if (acc.kind === 'boolean') {
        return { kind: 'boolean', column: name, impute: acc.trues > acc.falses };
      }
      if (acc.kind === 'datetime') return acc.acc.finish(name);
      const categories =
        acc.counts.size > 0
          ? [...acc.counts.keys()].sort()
          : [...(acc.column.categories ?? [])].sort();
      const impute = mode(acc.counts) ?? categories[0];
      if (impute === undefined) {
        throw new AppError(
          'BAD_DATASET',
          `Categorical feature "${name}" has no values in the training split: drop it from the features or add data`,
        );
      }
      return { kind: 'one-hot', column: name, categories, impute };
    });
    const inputWidth = features.reduce((w, f) => w + featureWidth(f), 0);
    return { features, target: this.finishTarget(), inputWidth };
  }

  private finishTarget(): Preprocessing['target'] {
    const name = this.target.name;
    if (this.task === 'classification') {
      if (this.labels.size < 2) {
        throw new AppError(
          'BAD_DATASET',
          `Target "${name}" has ${this.labels.size} class(es) in the training split; classification needs at least 2`,
        );
      }
      return { kind: 'label-encode', column: name, labels: [...this.labels].sort() };
    }
    if (this.targetMoments.n === 0) {
      throw new AppError(
        'BAD_DATASET',
        `Target "${name}" has no numeric values in the training split`,
      );
    }
    const { mean, std } = this.targetMoments.result();
    return { kind: 'standardize', column: name, mean, std };
  }
}
