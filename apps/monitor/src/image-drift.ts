import type {
  DataRow,
  DriftPolicy,
  DriftReport,
  TensorDriftReference,
  TensorSignature,
} from '@mlops/contracts';
import { loggedTable, referenceTable, tensorDriftColumns } from './tensor-drift-columns';
import { compareStreamIds } from './windows';
import type { WindowEntry } from './windows';

/**
 * Input drift of a tensor (image) model. Serving logs no pixels, only per example and input a
 * summary (packages/ml/src/summary: per-channel mean/std and an image's thumbnail embedding),
 * and tensor-drift-columns.ts tests each column of it.
 *
 * The reference is the version's training data when its bundle has `drift-reference.json` (the
 * trainer summarizes the training images with the same function serving logs with): every
 * logged row of the window is then live (`reference: 'training'`). A version without one (an
 * imported model) is compared with its own first `baselineRows` logged rows instead, and only
 * the rows after them are live (`reference: 'first_window'`): drift since deployment.
 */

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
   * The drift report of the window: against the training reference when there is one, else
   * against the first window (`insufficientData` until it is complete). Either way
   * `insufficientData` until the live part has `policy.minRows` rows.
   */
  compute(input: {
    model: string;
    version: number;
    tensors: TensorSignature;
    /** The bundle's training reference, if it has one. */
    reference?: TensorDriftReference | undefined;
    window: readonly WindowEntry[];
    policy: DriftPolicy;
    computedAt: string;
  }): DriftReport {
    const { model, version, policy } = input;
    const training = input.reference && input.reference.rows.length > 0 ? input.reference : null;
    const b = this.baselines.get(`${model}@${version}`);
    let live: WindowEntry[] = [];
    let complete: boolean;
    if (training) {
      complete = true;
      live = input.window.filter((e) => isTensorLogRow(e.features));
    } else {
      complete = b !== undefined && b.lastId !== null && b.rows.length >= this.baselineRows;
      const after = b?.lastId ?? null;
      if (complete) live = input.window.filter((e) => compareStreamIds(e.streamId, after!) > 0);
    }
    const base = {
      model,
      version,
      window: { rows: live.length, from: live[0]?.at ?? null, to: live.at(-1)?.at ?? null },
      referenceRows: training ? training.rows.length : (b?.rows.length ?? 0),
      reference: training ? ('training' as const) : ('first_window' as const),
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
    const columns = tensorDriftColumns(
      input.tensors,
      training ? referenceTable(training) : loggedTable(b!.rows),
      loggedTable(live.map((e) => e.features)),
      policy,
    );
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
