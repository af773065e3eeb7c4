import type { TensorInput, TensorSignature } from '@mlops/contracts';

/**
 * What drift sees of one tensor example, computed by one function for both sides: serving logs
 * it per request (apps/serving/src/inference/tensor-log.ts) and the trainer stores it over the
 * training images as the version's reference (`drift-reference.json`). Two copies of this code
 * could disagree on a scale or an ordering and report drift that is not there.
 *
 * Values are the example as the model input receives it before normalization: an image input's
 * decoded pixels (0–255, [height, width, channels], resized to the declared size), a tensor
 * input's values as sent. Per input:
 * - `<input>.mean[_cN]`, `<input>.std[_cN]`: brightness and contrast of channel N (last axis;
 *   no suffix for one channel);
 * - image inputs only, `<input>.width` and `<input>.height`: the encoded image's own size before
 *   the resize, when it came as encoded bytes (raw pixels have none);
 * - image inputs only, `<input>.embedding`: a fixed, cheap embedding — the image averaged down
 *   to THUMBNAIL_SIZE × THUMBNAIL_SIZE cells per channel (component K = (row · size + col) ·
 *   channels + c), each rounded to 0–255 and stored as one byte, the bytes as base64: where
 *   things are and what colour they are in 64 characters for RGB (48 float64 columns would add
 *   ≈ 400 bytes to every logged row); never the pixels. `embeddingVector` reads it back.
 */

/** A summary value: numbers, and the embedding as base64 text. */
export type SummaryValue = number | string;

/** Cells per side of the thumbnail embedding: 4×4×3 = 48 numbers for an RGB image. */
export const THUMBNAIL_SIZE = 4;

/** Four decimals: the log stays small and both sides round alike. */
const round = (x: number): number => Math.round(x * 1e4) / 1e4;

function channelsOf(input: TensorInput): number {
  return input.kind === 'image' ? input.decoding.channels : 1;
}

/** An encoded image's size before the resize. */
export interface SourceSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The summary columns of one input: its statistics, its size and its embedding (images only;
 * `embedding` null otherwise) with the embedding's number of components.
 */
export function inputSummaryColumns(input: TensorInput): {
  stats: string[];
  size: string[];
  embedding: string | null;
  components: number;
} {
  const channels = channelsOf(input);
  const stats: string[] = [];
  for (const stat of ['mean', 'std']) {
    if (channels === 1) stats.push(`${input.name}.${stat}`);
    else for (let c = 0; c < channels; c++) stats.push(`${input.name}.${stat}_c${c}`);
  }
  const image = input.kind === 'image';
  return {
    stats,
    size: image ? [`${input.name}.width`, `${input.name}.height`] : [],
    embedding: image ? `${input.name}.embedding` : null,
    components: image ? THUMBNAIL_SIZE * THUMBNAIL_SIZE * channels : 0,
  };
}

/** An embedding cell back into its components; null when it is not one of `components` bytes. */
export function embeddingVector(cell: unknown, components: number): number[] | null {
  if (typeof cell !== 'string') return null;
  const bytes = Buffer.from(cell, 'base64');
  return bytes.length === components ? Array.from(bytes) : null;
}

/** Every summary column of a signature, in input order: statistics, size, embedding. */
export function tensorSummaryColumns(signature: TensorSignature): string[] {
  return signature.inputs.flatMap((input) => {
    const { stats, size, embedding } = inputSummaryColumns(input);
    return [...stats, ...size, ...(embedding ? [embedding] : [])];
  });
}

/** The cell (0…size-1) each of `n` positions falls in; every cell gets at least one when n ≥ size. */
function cellOf(n: number, size: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(size - 1, Math.floor((i * size) / n));
  return out;
}

/** An image smaller than the thumbnail leaves cells empty: each takes its nearest pixel. */
function nearest(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  cell: number,
  c: number,
): number {
  const size = THUMBNAIL_SIZE;
  const y = Math.min(height - 1, Math.floor(((Math.floor(cell / size) + 0.5) * height) / size));
  const x = Math.min(width - 1, Math.floor((((cell % size) + 0.5) * width) / size));
  return values[(y * width + x) * channels + c]!;
}

/**
 * One input's summary of one example, written into `out` under inputSummaryColumns' names.
 * One pass over the values: this runs on serving's request path for every logged image.
 */
export function summarizeInput(
  input: TensorInput,
  values: ArrayLike<number>,
  out: Record<string, SummaryValue> = {},
  source?: SourceSize,
): Record<string, SummaryValue> {
  const channels = channelsOf(input);
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const size = THUMBNAIL_SIZE;
  const image = input.kind === 'image';
  // Pixels as rows of `width` (a plain tensor: one row of its values).
  const height = image ? input.decoding.height : 1;
  const width = image ? input.decoding.width : values.length / channels;
  const rows = image ? cellOf(height, size) : new Uint8Array(1);
  const cols = image ? cellOf(width, size) : new Uint8Array(width);
  const cellSum = new Float64Array(size * size * channels);
  const cellCount = new Float64Array(size * size);
  // Row by row, pixel by pixel: no division per value (≈ 150k values for a 224×224 RGB image).
  let i = 0;
  for (let y = 0; y < height; y++) {
    const rowCell = rows[y]! * size;
    for (let x = 0; x < width; x++) {
      const cell = rowCell + cols[x]!;
      const at = cell * channels;
      cellCount[cell]! += 1;
      for (let c = 0; c < channels; c++) {
        const v = values[i++]!;
        sum[c]! += v;
        squares[c]! += v * v;
        cellSum[at + c]! += v;
      }
    }
  }
  const perChannel = values.length / channels;
  const { stats, size: sizeColumns, embedding } = inputSummaryColumns(input);
  if (source && sizeColumns.length === 2) {
    out[sizeColumns[0]!] = source.width;
    out[sizeColumns[1]!] = source.height;
  }
  for (let c = 0; c < channels; c++) {
    const mean = sum[c]! / perChannel;
    const variance = Math.max(0, squares[c]! / perChannel - mean * mean);
    out[stats[c]!] = round(mean);
    out[stats[channels + c]!] = round(Math.sqrt(variance));
  }
  if (embedding) {
    const bytes = new Uint8Array(cellSum.length);
    for (let k = 0; k < bytes.length; k++) {
      const cell = Math.floor(k / channels);
      const n = cellCount[cell]!;
      const v =
        n > 0 ? cellSum[k]! / n : nearest(values, height, width, channels, cell, k % channels);
      bytes[k] = Math.min(255, Math.max(0, Math.round(v)));
    }
    out[embedding] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
  }
  return out;
}

/**
 * A whole example's summary: every input of the signature (values by input name, and the
 * source size of the inputs that were decoded from encoded images).
 */
export function summarizeExample(
  signature: TensorSignature,
  example: Readonly<Record<string, ArrayLike<number>>>,
  sources: Readonly<Record<string, SourceSize | undefined>> = {},
): Record<string, SummaryValue> {
  const out: Record<string, SummaryValue> = {};
  for (const input of signature.inputs) {
    const values = example[input.name];
    if (values) summarizeInput(input, values, out, sources[input.name]);
  }
  return out;
}
