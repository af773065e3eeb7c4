import { AppError, V2_DATATYPES, type Signature } from '@mlops/contracts';
import { v2DatatypeOf } from './tensors';
import { readData, type DataSink } from './v2-data';
import { binaryFeatureColumn } from './v2-binary-columns';
import type { FeatureColumns } from '../models/row-block';
import type { V2TensorRequest } from './v2-tensors';

/** The numeric datatypes: every OIP datatype but BOOL and BYTES. */
const NUMERIC = new Set<string>(V2_DATATYPES.filter((d) => d !== 'BOOL' && d !== 'BYTES'));

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

/** A feature's values: JSON scalars; the signature's own check (checkRecords) follows. */
function cells(out: unknown[]): DataSink {
  return {
    what: 'a number, string, boolean or null',
    put: (at, v) => {
      const t = typeof v;
      if (v !== null && t !== 'number' && t !== 'string' && t !== 'boolean') return false;
      out[at] = v;
      return true;
    },
  };
}

/** For a refusal: the tensors sent that the model does not take (a typo, or another model's). */
function strangers(req: V2TensorRequest, signature: Signature): string {
  const names = new Set(signature.inputs.map((c) => c.name));
  const other = req.inputs.filter((t) => !names.has(t.name)).map((t) => `"${t.name}"`);
  if (other.length === 0) return '';
  return `; ${other.join(', ')} ${other.length === 1 ? 'is not an input' : 'are not inputs'} of the model (its inputs: ${[...names].map((n) => `"${n}"`).join(', ')})`;
}

/** A JSON scalar: what a feature tensor's value may be before the signature's own check. */
const isScalar = (v: unknown) =>
  v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/**
 * A tensor's values as one column: its flat `data` itself when every value is a scalar (no
 * copy), else copied out of nested `data` by readData, which refuses what does not fit.
 */
function columnOf(t: V2TensorRequest['inputs'][number], n: number): unknown[] {
  const data = t.data ?? [];
  if (data.length === n) {
    let scalars = true;
    for (let i = 0; i < n && scalars; i++) scalars = isScalar(data[i]);
    if (scalars) return data;
  }
  const values = new Array<unknown>(n);
  readData(t.name, data, t.shape, cells(values));
  return values;
}

/**
 * Typed tensors → the features by column. Our choice (README): one input tensor per feature,
 * named as the feature, shape `[n]` or `[n, 1]`; FP32 (any numeric type) for numeric, BYTES for
 * categorical, BOOL for boolean. The model's own preprocessing then runs exactly as for the
 * other protocols. As with records: a tensor the model does not take is ignored (its feature was
 * removed since the client was written), and a nullable feature's tensor may be left out (it is
 * then absent here: all null). A numeric feature may come in binary (`binary`: each input's
 * bytes of the binary tensor extension), read straight into a typed column.
 */
export function tensorsToColumns(
  req: V2TensorRequest,
  signature: Signature,
  binary: ReadonlyMap<string, Uint8Array> | null = null,
): FeatureColumns {
  const byName = new Map(req.inputs.map((t) => [t.name, t]));
  if (byName.size !== req.inputs.length) throw bad('Two input tensors have the same name');
  let rows: number | null = null;
  const columns = new Map<string, ArrayLike<unknown>>();
  for (const column of signature.inputs) {
    const t = byName.get(column.name);
    if (!t && column.nullable) continue;
    if (!t)
      throw bad(
        `Missing input tensor "${column.name}" (${v2DatatypeOf(column)}, shape [n])${strangers(req, signature)}`,
      );
    const expected = v2DatatypeOf(column);
    const typeOk = expected === 'FP32' ? NUMERIC.has(t.datatype) : t.datatype === expected;
    if (!typeOk) throw bad(`Input "${t.name}" has datatype ${t.datatype}; expected ${expected}`);
    if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
      throw bad(`Input "${t.name}" has shape [${t.shape.join(', ')}]; expected [n] or [n, 1]`);
    }
    const n = t.shape[0]!;
    const raw = binary?.get(t.name);
    if (raw && expected !== 'FP32')
      throw bad(
        `Input "${t.name}" is sent in binary; send ${expected} features as JSON "data" (binary is for numeric ones)`,
      );
    if (!raw && t.data === undefined) throw bad(`Input "${t.name}" has no "data"`);
    const values = raw ? binaryFeatureColumn(t.name, t.datatype, t.shape, raw, n) : columnOf(t, n);
    if (rows !== null && n !== rows)
      throw bad(`Input "${t.name}" has ${n} rows; the other inputs have ${rows}`);
    rows = n;
    columns.set(column.name, values);
  }
  if (rows === null) {
    // Every input the model takes is nullable and none was sent: nothing says how many rows.
    throw bad(
      `No input tensor the model takes: its inputs are ${signature.inputs.map((c) => `"${c.name}"`).join(', ')}`,
    );
  }
  return { rows, cells: columns };
}

/** Typed tensors → one record per row (tensorsToColumns, then row by row). */
export function tensorsToRecords(
  req: V2TensorRequest,
  signature: Signature,
  binary: ReadonlyMap<string, Uint8Array> | null = null,
): unknown[] {
  const { rows, cells } = tensorsToColumns(req, signature, binary);
  const columns = signature.inputs.map((c) => ({ name: c.name, values: cells.get(c.name) }));
  const records: Array<Record<string, unknown>> = [];
  for (let i = 0; i < rows; i++) {
    const r: Record<string, unknown> = {};
    for (const c of columns) r[c.name] = c.values ? c.values[i] : null;
    records.push(r);
  }
  return records;
}
