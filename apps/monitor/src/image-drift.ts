import { ks2Samp } from '@mlops/ml/drift';
import type {
  CellValue,
  ColumnDrift,
  DataRow,
  DriftPolicy,
  DriftReport,
  TensorSignature,
} from '@mlops/contracts';
import { compareStreamIds } from './windows';
import type { WindowEntry } from './windows';

/**
 * Input drift of a tensor (image) model. Serving logs no pixels, only per example and input
 * `<input>.mean[_cN]` and `<input>.std[_cN]` (brightness and contrast of channel N; no suffix
 * for one channel, see apps/serving/src/inference/tensor-log.ts). Each of those columns is
 * compared with the same column in the version's first window of traffic by a two-sample
 * Kolmogorov–Smirnov test (method `ks`, p-value against `policy.pValueThreshold`).
 *
 * The reference is the first window and not the training profile: the profile's per-channel
 * mean/std describe all training pixels on the 0–255 scale, not a distribution of per-image
 * means after the model's scaling and normalization, so no two-sample test can use it as is.
 */

/** The logged summary columns of a tensor signature, in signature and channel order. */
export function tensorSummaryColumns(tensors: TensorSignature): string[] {
  const out: string[] = [];
  for (const input of tensors.inputs) {
    const channels = input.kind === 'image' ? input.decoding.channels : 1;
    for (const stat of ['mean', 'std']) {
      if (channels === 1) out.push(`${input.name}.${stat}`);
      else for (let c = 0; c < channels; c++) out.push(`${input.name}.${stat}_c${c}`);
    }
  }
  return out;
}

interface Baseline {
  rows: DataRow[];
  lastId: string | null;
}

/** Does serving's tensor summary look like this row? Only those rows are kept as a baseline. */
function isTensorLogRow(features: DataRow): boolean {
  for (const key of Object.keys(features)) if (key.endsWith('.sha256')) return true;
  return false;
}

/** The first `baselineRows` logged rows of every tensor-model version, as they are read. */
export class TensorBaselines {
  private readonly baselines = new Map<string, Baseline>();

  constructor(private readonly baselineRows: number) {}

  add(model: string, entries: ReadonlyArray<WindowEntry & { version: number }>): void {
    for (const e of entries) {
      if (!isTensorLogRow(e.features)) continue;
      const key = `${model}@${e.version}`;
      let b = this.baselines.get(key);
      if (!b) this.baselines.set(key, (b = { rows: [], lastId: null }));
      if (b.rows.length >= this.baselineRows) continue;
      b.rows.push(e.features);
      b.lastId = e.streamId;
    }
  }

  referenceRows(model: string, version: number): number {
    return this.baselines.get(`${model}@${version}`)?.rows.length ?? 0;
  }

  /**
   * The drift report of the window's entries after the baseline. `insufficientData` until the
   * baseline is complete and the live part has `policy.minRows` rows.
   */
  compute(input: {
    model: string;
    version: number;
    tensors: TensorSignature;
    window: readonly WindowEntry[];
    policy: DriftPolicy;
    computedAt: string;
  }): DriftReport {
    const { model, version, policy } = input;
    const b = this.baselines.get(`${model}@${version}`);
    const complete = b !== undefined && b.lastId !== null && b.rows.length >= this.baselineRows;
    const after = b?.lastId ?? null;
    const live = complete
      ? input.window.filter((e) => compareStreamIds(e.streamId, after!) > 0)
      : [];
    const base = {
      model,
      version,
      window: { rows: live.length, from: live[0]?.at ?? null, to: live.at(-1)?.at ?? null },
      referenceRows: b?.rows.length ?? 0,
      computedAt: input.computedAt,
    };
    if (!complete || live.length < policy.minRows) {
      return {
        ...base,
        insufficientData: true,
        columns: [],
        driftedColumns: [],
        driftShare: 0,
        datasetDrift: false,
      };
    }
    const columns: ColumnDrift[] = [];
    for (const name of tensorSummaryColumns(input.tensors)) {
      const reference = numbers(b.rows.map((r) => r[name]));
      const current = numbers(live.map((e) => e.features[name]));
      if (reference.length === 0 || current.length === 0) continue;
      const { pValue } = ks2Samp(reference, current);
      const score = Number.isFinite(pValue) ? pValue : 1;
      const threshold = policy.pValueThreshold;
      columns.push({
        column: name,
        type: 'numeric',
        method: 'ks',
        score,
        threshold,
        drifted: score < threshold,
      });
    }
    const driftedColumns = columns.filter((c) => c.drifted).map((c) => c.column);
    const driftShare = columns.length === 0 ? 0 : driftedColumns.length / columns.length;
    return {
      ...base,
      insufficientData: false,
      columns,
      driftedColumns,
      driftShare,
      datasetDrift: columns.length > 0 && driftShare >= policy.driftShare,
    };
  }
}

function numbers(cells: ReadonlyArray<CellValue | undefined>): number[] {
  return cells.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}
