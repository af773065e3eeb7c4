import { ks2Samp, mmdTest, shareOfDriftedComponents } from '@mlops/ml/drift';
import { inputSummaryColumns } from '@mlops/ml/summary';
import type {
  CellValue,
  ColumnDrift,
  DataRow,
  DriftPolicy,
  TensorDriftReference,
  TensorSignature,
} from '@mlops/contracts';

/**
 * The per-column tests of a tensor model's drift report. Both sides are rows of the summaries
 * packages/ml/src/summary computes (serving's log, the trainer's reference):
 * - every `<input>.mean[_cN]` / `<input>.std[_cN]` column and an image's `<input>.width` /
 *   `<input>.height` (before the resize): two-sample KS (`ks`), p-value against
 *   `policy.pValueThreshold` — brightness, contrast and size a person can act on;
 * - every image input's thumbnail embedding (`<input>.emb_K` together) as one column
 *   `<input>.embedding` of type `embedding`, tested by `policy.embeddingMethod`: `mmd` (p-value
 *   of a seeded permutation test) or `share_of_drifted_components` (share against
 *   `policy.embeddingComponentShare`).
 */

/** Rows of summary values, read by column name. */
export interface SummaryTable {
  size: number;
  /** Finite values of one column (rows without it skipped). */
  column(name: string): number[];
  /** Rows that have every one of `names` (as vectors in that order). */
  vectors(names: readonly string[]): number[][];
}

/** The trainer's reference: a matrix of `rows` over `columns`. */
export function referenceTable(reference: TensorDriftReference): SummaryTable {
  const at = new Map(reference.columns.map((c, i) => [c, i]));
  const cell = (row: ReadonlyArray<number | null>, name: string) => {
    const i = at.get(name);
    return i === undefined ? undefined : row[i];
  };
  return {
    size: reference.rows.length,
    column: (name) => finite(reference.rows.map((r) => cell(r, name))),
    vectors: (names) => vectorsOf(reference.rows, names, cell),
  };
}

/** Logged rows (serving's payload log, a first window). */
export function loggedTable(rows: readonly DataRow[]): SummaryTable {
  const cell = (row: DataRow, name: string) => row[name];
  return {
    size: rows.length,
    column: (name) => finite(rows.map((r) => r[name])),
    vectors: (names) => vectorsOf(rows, names, cell),
  };
}

function finite(cells: ReadonlyArray<CellValue | undefined>): number[] {
  return cells.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

function vectorsOf<R>(
  rows: readonly R[],
  names: readonly string[],
  cell: (row: R, name: string) => CellValue | undefined,
): number[][] {
  const out: number[][] = [];
  for (const row of rows) {
    const v = names.map((n) => cell(row, n));
    if (v.every((x) => typeof x === 'number' && Number.isFinite(x))) out.push(v as number[]);
  }
  return out;
}

/** The seed of the MMD permutations: fixed, so the same window always gets the same report. */
const MMD_SEED = 17;

export function tensorDriftColumns(
  tensors: TensorSignature,
  reference: SummaryTable,
  live: SummaryTable,
  policy: DriftPolicy,
): ColumnDrift[] {
  const columns: ColumnDrift[] = [];
  const threshold = policy.pValueThreshold;
  for (const input of tensors.inputs) {
    const { stats, size, embedding } = inputSummaryColumns(input);
    // Sizes only when both sides have them (raw pixels sent as numbers carry none).
    for (const name of [...stats, ...size]) {
      const ref = reference.column(name);
      const cur = live.column(name);
      if (ref.length === 0 || cur.length === 0) continue;
      const { pValue } = ks2Samp(ref, cur);
      const score = Number.isFinite(pValue) ? pValue : 1;
      columns.push({
        column: name,
        type: 'numeric',
        method: 'ks',
        score,
        threshold,
        drifted: score < threshold,
      });
    }
    if (embedding.length === 0) continue;
    // Rows logged before serving wrote embeddings have none: the column is left out.
    const ref = reference.vectors(embedding);
    const cur = live.vectors(embedding);
    if (ref.length < 2 || cur.length < 2) continue;
    const column = `${input.name}.embedding`;
    if (policy.embeddingMethod === 'mmd') {
      const r = mmdTest(ref, cur, { permutations: policy.mmdPermutations, seed: MMD_SEED });
      columns.push({
        column,
        type: 'embedding',
        method: 'mmd',
        score: r.pValue,
        statistic: r.statistic,
        threshold,
        drifted: r.pValue < threshold,
      });
    } else {
      const r = shareOfDriftedComponents(ref, cur, threshold);
      columns.push({
        column,
        type: 'embedding',
        method: 'share_of_drifted_components',
        score: r.share,
        threshold: policy.embeddingComponentShare,
        drifted: r.share >= policy.embeddingComponentShare,
      });
    }
  }
  return columns;
}
