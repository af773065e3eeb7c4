import { z } from 'zod';
import { resourceNameSchema } from './names';
import { gatherFeatureCells, scratchOf, type Gathered } from './prediction-log-gather';
import {
  predictionDataQualitySchema,
  predictionSchema,
  type FeatureRecord,
  type PredictionDataQuality,
  type Prediction,
  type PredictionLogEntry,
} from './predict';

/**
 * The prediction log's binary `columns` message: one model version's rows, stored by column.
 *
 * Why binary: serving writes every answered row, and JSON-encoding a row costs about as much as
 * parsing the request it came in (float → shortest decimal, for every feature and probability):
 * 8–10 times what copying the same numbers into a Float64Array costs. Numbers travel as IEEE
 * doubles, so nothing is rounded, and the message is about half the size of the JSON rows.
 *
 * Layout (little-endian): u32 D | u32 H | D float64s | H bytes of UTF-8 JSON header.
 * The numbers come first so that they start 8-byte aligned and are written with one copy.
 * The header names the columns. A column whose values are all numbers is `f64` and its n values
 * are in the data, column after column, in header order; any other column (strings, booleans,
 * nulls, mixed) is `values` and holds its n values in the header; a redacted column holds none.
 * Predictions follow the feature columns: a regression's values (`value`, one column), a
 * classifier's label per row in the header and one probability column per class (`label`), or
 * anything else as JSON (`values`).
 */
export const PREDICTION_LOG_REDACTED = '[REDACTED]';

const cellSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const columnSchema = z.discriminatedUnion('kind', [
  z.object({ name: z.string(), kind: z.literal('f64') }),
  z.object({ name: z.string(), kind: z.literal('values'), values: z.array(cellSchema) }),
  z.object({ name: z.string(), kind: z.literal('redacted') }),
]);
const predictionsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value') }),
  z.object({ kind: z.literal('label'), labels: z.array(z.string()), classes: z.array(z.string()) }),
  z.object({ kind: z.literal('values'), values: z.array(predictionSchema) }),
]);
const headerSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  at: z.string(),
  /** Who asked for these predictions (absent in older messages). */
  principal: z.string().max(200).nullable().optional(),
  ids: z.array(z.string()).min(1),
  columns: z.array(columnSchema),
  predictions: predictionsSchema,
  /** The flagged rows only, by index (absent in older messages and when none was flagged). */
  quality: z
    .array(predictionDataQualitySchema.extend({ row: z.number().int().nonnegative() }))
    .optional(),
});
type Header = z.infer<typeof headerSchema>;
type Column = Header['columns'][number];

/** What one `columns` message holds: parallel arrays, one element per row. */
export interface PredictionLogColumnsInput {
  model: string;
  version: number;
  at: string;
  /** The principal that asked (feedback is accepted only from it). */
  principal?: string | null;
  ids: readonly string[];
  /** The rows as served (every row of one model version has the same inputs). */
  rows?: readonly FeatureRecord[];
  /**
   * The same rows by column, in place of `rows` (one of the two is needed): what serving has when
   * requests came as columns, logged without a record per row.
   */
  columns?: LogFeatureColumns;
  predictions: readonly Prediction[];
  /** Feature names logged as PREDICTION_LOG_REDACTED. */
  redact?: ReadonlySet<string>;
  /** Per row, what serving flagged about its inputs (null: nothing); absent: no row was. */
  quality?: ReadonlyArray<PredictionDataQuality | null> | null;
}

/** Features by column: `cells[j]` holds column `names[j]`'s value of every row, in row order. */
export interface LogFeatureColumns {
  names: readonly string[];
  cells: ReadonlyArray<ArrayLike<FeatureRecord[string]>>;
}

/** The columns' cells as gatherFeatureCells answers them for rows (numbers column after column). */
function gatherColumns(columns: LogFeatureColumns, n: number): Gathered {
  const { names, cells } = columns;
  const numbers = scratchOf(n * names.length);
  const notNumeric = new Uint8Array(names.length);
  cells.forEach((column, j) => {
    if (column.length !== n)
      throw new Error(`column "${names[j]}" has ${column.length} cells, not ${n}`);
    if (column instanceof Float64Array) return numbers.set(column, j * n);
    for (let i = 0; i < n; i++) {
      const v = column[i];
      if (typeof v === 'number') numbers[j * n + i] = v;
      else notNumeric[j] = 1;
    }
  });
  return { names: [...names], numbers, notNumeric };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Float64Array bytes are the platform's; the format's are little-endian. */
const littleEndian = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The prediction columns' shape, or null when the rows' predictions differ in shape. */
function predictionLayout(predictions: readonly Prediction[]): Header['predictions'] {
  const first = predictions[0];
  if (first && 'value' in first && predictions.every((p) => 'value' in p)) return { kind: 'value' };
  if (first && 'label' in first) {
    const classes = Object.keys(first.probabilities);
    const labels = new Array<string>(predictions.length);
    for (let i = 0; i < predictions.length; i++) {
      const p = predictions[i]!;
      if (!('label' in p) || !sameKeys(p.probabilities, classes)) {
        return { kind: 'values', values: [...predictions] };
      }
      labels[i] = p.label;
    }
    return { kind: 'label', labels, classes };
  }
  return { kind: 'values', values: [...predictions] };
}

function sameKeys(record: Record<string, number>, keys: readonly string[]): boolean {
  let count = 0;
  // for…in counts without allocating a key array per row.
  for (const key in record) {
    if (typeof record[key] !== 'number') return false;
    count++;
  }
  if (count !== keys.length) return false;
  for (const key of keys) if (!(key in record)) return false;
  return true;
}

/** The flagged rows with their index, or undefined when none is (the usual message). */
function flaggedRows(quality: PredictionLogColumnsInput['quality']): Header['quality'] {
  if (!quality) return undefined;
  const out: NonNullable<Header['quality']> = [];
  quality.forEach((q, row) => {
    if (q && (q.unknownCategories?.length || q.outsideTrainingRange?.length))
      out.push({ row, ...q });
  });
  return out.length > 0 ? out : undefined;
}

/** Encode one model version's served rows as a `columns` message. */
export function encodePredictionLogColumns(input: PredictionLogColumnsInput): Uint8Array {
  const { rows, predictions, ids } = input;
  const n = rows ? rows.length : ids.length;
  if (n === 0 || ids.length !== n || predictions.length !== n) {
    throw new Error('a prediction log message needs as many ids and predictions as rows, ≥ 1');
  }
  const columnar = rows ? null : input.columns;
  if (!rows && !columnar) throw new Error('a prediction log message needs its rows or columns');
  const { names, numbers, notNumeric } = columnar
    ? gatherColumns(columnar, n)
    : gatherFeatureCells(rows!);
  const columns: Column[] = [];
  /** Where each `f64` column's numbers start in `numbers`, in header order. */
  const f64Starts: number[] = [];
  names.forEach((name, j) => {
    if (input.redact?.has(name)) columns.push({ name, kind: 'redacted' });
    else if (notNumeric[j] === 0) {
      columns.push({ name, kind: 'f64' });
      f64Starts.push(j * n);
    } else {
      const values = new Array<FeatureRecord[string]>(n);
      const column = columnar?.cells[j];
      for (let r = 0; r < n; r++) values[r] = (column ? column[r] : rows![r]![name]) ?? null;
      columns.push({ name, kind: 'values', values });
    }
  });
  const layout = predictionLayout(predictions);
  const predictionColumns =
    layout.kind === 'value' ? 1 : layout.kind === 'label' ? layout.classes.length : 0;
  const header: Header = {
    model: input.model,
    version: input.version,
    at: input.at,
    ...(input.principal ? { principal: input.principal } : {}),
    ids: ids as string[],
    columns,
    predictions: layout,
  };
  const quality = flaggedRows(input.quality);
  if (quality) header.quality = quality;
  const headerBytes = encoder.encode(JSON.stringify(header));
  const doubles = (f64Starts.length + predictionColumns) * n;

  // The numbers are written in place: a fresh buffer's offset 8 is 8-byte aligned.
  const out = new Uint8Array(8 + doubles * 8 + headerBytes.length);
  const data = littleEndian ? new Float64Array(out.buffer, 8, doubles) : new Float64Array(doubles);
  let offset = 0;
  for (const start of f64Starts) {
    data.set(numbers.subarray(start, start + n), offset);
    offset += n;
  }
  if (layout.kind === 'value') {
    for (let i = 0; i < n; i++) data[offset + i] = (predictions[i] as { value: number }).value;
  } else if (layout.kind === 'label') {
    for (const c of layout.classes) {
      for (let i = 0; i < n; i++) {
        data[offset + i] = (
          predictions[i] as { probabilities: Record<string, number> }
        ).probabilities[c]!;
      }
      offset += n;
    }
  }
  const view = new DataView(out.buffer);
  view.setUint32(0, doubles, true);
  view.setUint32(4, headerBytes.length, true);
  if (!littleEndian) for (let i = 0; i < doubles; i++) view.setFloat64(8 + i * 8, data[i]!, true);
  out.set(headerBytes, 8 + doubles * 8);
  return out;
}

/**
 * A `columns` message → its entries, in row order; null when it is not a well-formed message
 * (bad header, columns of the wrong length, data of the wrong size).
 */
export function decodePredictionLogColumns(bytes: Uint8Array): PredictionLogEntry[] | null {
  if (bytes.length < 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const doubles = view.getUint32(0, true);
  const headerStart = 8 + doubles * 8;
  if (headerStart + view.getUint32(4, true) !== bytes.length) return null;
  let header: Header;
  try {
    const parsed = headerSchema.safeParse(JSON.parse(decoder.decode(bytes.subarray(headerStart))));
    if (!parsed.success) return null;
    header = parsed.data;
  } catch {
    return null;
  }
  const n = header.ids.length;
  const { predictions } = header;
  const f64Columns =
    header.columns.filter((c) => c.kind === 'f64').length +
    (predictions.kind === 'value'
      ? 1
      : predictions.kind === 'label'
        ? predictions.classes.length
        : 0);
  if (doubles !== f64Columns * n) return null;
  if (header.columns.some((c) => c.kind === 'values' && c.values.length !== n)) return null;
  if (
    predictions.kind !== 'value' &&
    predictions.kind !== 'label' &&
    predictions.values.length !== n
  )
    return null;
  if (predictions.kind === 'label' && predictions.labels.length !== n) return null;
  if (header.quality?.some((q) => q.row >= n)) return null;
  const quality = new Array<PredictionDataQuality | undefined>(n);
  for (const { row, ...q } of header.quality ?? []) quality[row] = q;

  const at = (column: number, row: number) => view.getFloat64(8 + (column * n + row) * 8, true);
  const features: FeatureRecord[] = Array.from({ length: n }, () => ({}));
  let column = 0;
  for (const c of header.columns) {
    for (let r = 0; r < n; r++) {
      features[r]![c.name] =
        c.kind === 'f64'
          ? at(column, r)
          : c.kind === 'values'
            ? c.values[r]!
            : PREDICTION_LOG_REDACTED;
    }
    if (c.kind === 'f64') column++;
  }
  const entries = new Array<PredictionLogEntry>(n);
  for (let r = 0; r < n; r++) {
    let prediction: Prediction;
    if (predictions.kind === 'value') prediction = { value: at(column, r) };
    else if (predictions.kind === 'label') {
      const probabilities: Record<string, number> = {};
      predictions.classes.forEach((cls, k) => (probabilities[cls] = at(column + k, r)));
      prediction = { label: predictions.labels[r]!, probabilities };
    } else prediction = predictions.values[r]!;
    entries[r] = {
      id: header.ids[r]!,
      model: header.model,
      version: header.version,
      at: header.at,
      ...(header.principal ? { principal: header.principal } : {}),
      features: features[r]!,
      prediction,
      ...(quality[r] ? { quality: quality[r] } : {}),
    };
  }
  return entries;
}
