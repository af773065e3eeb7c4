import { computeDrift } from '@mlops/ml/drift';
import type {
  Column,
  ColumnProfile,
  DatasetProfile,
  DriftPolicy,
  DriftReport,
  Prediction,
} from '@mlops/contracts';
import { compareStreamIds } from './windows';
import type { WindowEntry } from './windows';

const COLUMN = 'prediction';

interface Baseline {
  kind: 'classification' | 'regression' | null;
  values: Array<string | number>;
  lastId: string | null;
}

/** The value drift compares: the predicted label, or the predicted value. */
export function predictedValue(p: Prediction): string | number {
  return 'label' in p ? p.label : p.value;
}

/**
 * Prediction drift (Evidently's "prediction drift"): the distribution of a version's outputs
 * now against its outputs right after it started serving. The reference is the first
 * `baselineRows` predictions the monitor read for the version — the training profile holds
 * the features only — and the same column tests as feature drift apply (chi-squared / z for
 * labels, KS / Wasserstein for values).
 */
export class PredictionBaselines {
  private readonly baselines = new Map<string, Baseline>();

  constructor(private readonly baselineRows: number) {}

  add(model: string, entries: ReadonlyArray<WindowEntry & { version: number }>): void {
    for (const e of entries) {
      const key = `${model}@${e.version}`;
      let b = this.baselines.get(key);
      if (!b) this.baselines.set(key, (b = { kind: null, values: [], lastId: null }));
      if (b.values.length >= this.baselineRows) continue;
      b.kind = 'label' in e.prediction ? 'classification' : 'regression';
      b.values.push(predictedValue(e.prediction));
      b.lastId = e.streamId;
    }
  }

  referenceRows(model: string, version: number): number {
    return this.baselines.get(`${model}@${version}`)?.values.length ?? 0;
  }

  /** null until the baseline is complete; live = the window's entries after the baseline. */
  compute(
    model: string,
    version: number,
    window: readonly WindowEntry[],
    policy: DriftPolicy,
  ): DriftReport | null {
    const b = this.baselines.get(`${model}@${version}`);
    if (!b || b.kind === null || b.lastId === null || b.values.length < this.baselineRows) {
      return null;
    }
    const after = b.lastId;
    const live = window.filter((e) => compareStreamIds(e.streamId, after) > 0);
    const column: Column =
      b.kind === 'classification'
        ? { name: COLUMN, type: 'categorical', nullable: false }
        : { name: COLUMN, type: 'numeric', nullable: false };
    const result = computeDrift(
      profileOf(b),
      live.map((e) => ({ [COLUMN]: predictedValue(e.prediction) })),
      [column],
      policy,
    );
    return {
      model,
      version,
      window: { rows: live.length, from: live[0]?.at ?? null, to: live.at(-1)?.at ?? null },
      ...result,
      reference: 'first_window',
      computedAt: new Date().toISOString(),
    };
  }
}

function profileOf(b: Baseline): DatasetProfile {
  const n = b.values.length;
  let column: ColumnProfile;
  if (b.kind === 'regression') {
    const xs = b.values.map(Number);
    const mean = xs.reduce((a, v) => a + v, 0) / n;
    const std = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
    column = {
      name: COLUMN,
      type: 'numeric',
      count: n,
      missing: 0,
      min: Math.min(...xs),
      max: Math.max(...xs),
      mean,
      std,
      distinct: new Set(xs).size,
      histogram: { edges: [], counts: [] },
      sample: xs,
    };
  } else {
    const frequencies: Record<string, number> = {};
    for (const v of b.values) frequencies[String(v)] = (frequencies[String(v)] ?? 0) + 1;
    column = {
      name: COLUMN,
      type: 'categorical',
      count: n,
      missing: 0,
      distinct: Object.keys(frequencies).length,
      frequencies,
      otherCount: 0,
      sample: b.values.map(String),
    };
  }
  return { rowCount: n, columns: [column] };
}
