import { ks2Samp, mmdTest, shareOfDriftedComponents } from '@mlops/ml/drift';
import { embeddingVector, inputSummaryColumns } from '@mlops/ml/summary';
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
 * - every image input's thumbnail embedding, column `<input>.embedding` of type `embedding`
 *   (a vector per row), tested by `policy.embeddingMethod`: `mmd` (p-value
 *   of a seeded permutation test) or `share_of_drifted_components` (share against
 *   `policy.embeddingComponentShare`).
 */

/** Rows of summary values, read by column name. */
export interface SummaryTable {
  size: number;
  /** Finite values of one column (rows without it skipped). */
  column(name: string): number[];
  /** The embeddings of one column (base64 bytes, as serving logs them; others skipped). */
  vectors(name: string, components: number): number[][];
}

type Cell = CellValue | undefined;

function table<R>(rows: readonly R[], cell: (row: R, name: string) => Cell): SummaryTable {
  return {
    size: rows.length,
    column: (name) =>
      rows
        .map((r) => cell(r, name))
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v)),
    vectors: (name, components) =>
      rows
        .map((r) => embeddingVector(cell(r, name), components))
        .filter((v): v is number[] => v !== null),
  };
}

/** The trainer's reference: a matrix of `rows` over `columns`. */
export function referenceTable(reference: TensorDriftReference): SummaryTable {
  const at = new Map(reference.columns.map((c, i) => [c, i]));
  return table(reference.rows, (row, name) => {
    const i = at.get(name);
    return i === undefined ? undefined : row[i];
  });
}

/** Logged rows (serving's payload log, a first window). */
export function loggedTable(rows: readonly DataRow[]): SummaryTable {
  return table(rows, (row, name) => row[name]);
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
    const { stats, size, embedding, components } = inputSummaryColumns(input);
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
    if (!embedding) continue;
    // Rows logged before serving wrote embeddings have none: the column is left out.
    const ref = reference.vectors(embedding, components);
    const cur = live.vectors(embedding, components);
    if (ref.length < 2 || cur.length < 2) continue;
    const column = embedding;
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
