import type { DataRow, Prediction, Preprocessing } from '@mlops/contracts';
import { decodePredictions, encodeColumnsInto, encodeFeaturesInto } from '@mlops/ml/preprocessing';

/**
 * A request's checked features by column: every input of the signature, `rows` cells each, in
 * the signature's order (a nullable input left out is a column of nulls). What the columnar
 * protocols (TF Serving `inputs`, OIP v2 tensors) carry from the request body to the model's
 * input and to the payload log without a record per row (issue 23).
 */
export interface FeatureColumns {
  readonly rows: number;
  readonly cells: ReadonlyMap<string, ArrayLike<unknown>>;
}

/**
 * A request's rows as the tabular batcher takes them: one input standing for all of them,
 * encoded into the batch's model input with the preprocessing of the version that runs the
 * batch (a shadow version encodes the same request with its own).
 */
export interface RowBlock {
  readonly rows: number;
  /** Writes the rows' encoding into `out` from row `at` on (`out` is zero-filled). */
  encodeInto(prep: Preprocessing, out: Float32Array, at: number): void;
}

export function rowsBlock(rows: readonly DataRow[]): RowBlock {
  return {
    rows: rows.length,
    encodeInto: (prep, out, at) => encodeFeaturesInto(prep, rows, out, at),
  };
}

export function columnsBlock(columns: FeatureColumns): RowBlock {
  const get = (name: string) => columns.cells.get(name);
  return {
    rows: columns.rows,
    encodeInto: (prep, out, at) => encodeColumnsInto(prep, get, columns.rows, out, at),
  };
}

/** The rows of a batch of blocks, and their model input: one array, each block at its place. */
function encodeBlocks(
  prep: Preprocessing,
  blocks: readonly RowBlock[],
): { x: Float32Array; rows: number } {
  let rows = 0;
  for (const b of blocks) rows += b.rows;
  const x = new Float32Array(rows * prep.inputWidth);
  let at = 0;
  for (const b of blocks) {
    b.encodeInto(prep, x, at);
    at += b.rows;
  }
  return { x, rows };
}

/** The batch's predictions, handed back block by block. */
function perBlock(blocks: readonly RowBlock[], predictions: Prediction[]): Prediction[][] {
  if (blocks.length === 1) return [predictions];
  const out: Prediction[][] = [];
  let at = 0;
  for (const b of blocks) {
    out.push(predictions.slice(at, at + b.rows));
    at += b.rows;
  }
  return out;
}

type Predict<T> = (x: Float32Array, rows: number, inputWidth: number) => T;

/**
 * A tabular batch: every block encoded into one input, one predict call, decoded, and each
 * block's predictions answered to it (the batcher's run).
 */
export function predictBlocks(
  predict: Predict<Float32Array>,
  prep: Preprocessing,
  blocks: readonly RowBlock[],
): Prediction[][] {
  const { x, rows } = encodeBlocks(prep, blocks);
  if (rows === 0) return blocks.map(() => []);
  return perBlock(blocks, decodePredictions(prep, predict(x, rows, prep.inputWidth), rows));
}

/** predictBlocks for an engine that answers asynchronously (ONNX Runtime). */
export async function predictBlocksAsync(
  predict: Predict<Promise<Float32Array>>,
  prep: Preprocessing,
  blocks: readonly RowBlock[],
): Promise<Prediction[][]> {
  const { x, rows } = encodeBlocks(prep, blocks);
  if (rows === 0) return blocks.map(() => []);
  return perBlock(blocks, decodePredictions(prep, await predict(x, rows, prep.inputWidth), rows));
}
