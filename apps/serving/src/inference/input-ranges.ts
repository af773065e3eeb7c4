import type { FeatureColumns } from '../models/row-block';
import {
  AppError,
  trainingProfileSchema,
  type DataRow,
  type ErrorDetail,
  type Prediction,
  type Signature,
} from '@mlops/contracts';

/** The largest float32: models compute in 32-bit floats, so a larger input becomes Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * "Outside the training range by orders of magnitude": beyond [min, max] by more than this many
 * times the feature's scale (its training range, or its magnitude when all values were equal).
 */
export const OUT_OF_RANGE_FACTOR = 100;

/** One numeric feature's training range and the bounds past which an input is flagged. */
export interface FeatureRange {
  name: string;
  min: number;
  max: number;
  low: number;
  high: number;
}

/** Flagged inputs of one request, at most this many listed (the metric counts them all). */
const MAX_LISTED = 20;

export interface OutOfRange {
  path: string;
  feature: string;
  value: number;
  min: number;
  max: number;
}

/**
 * The numeric features' training ranges from the bundle's `profile.json` (the training split's
 * profile), or none when the bundle has no readable profile: flagging is then skipped, the
 * overflow and non-finite checks still hold.
 */
export function trainingRanges(
  signature: Signature,
  profileBytes: Uint8Array | undefined,
): FeatureRange[] {
  if (!profileBytes) return [];
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(profileBytes));
  } catch {
    return [];
  }
  const profile = trainingProfileSchema.safeParse(json);
  if (!profile.success) return [];
  const numeric = new Set(signature.inputs.filter((c) => c.type === 'numeric').map((c) => c.name));
  const ranges: FeatureRange[] = [];
  for (const column of profile.data.columns) {
    if (column.type !== 'numeric' || !numeric.has(column.name)) continue;
    if (column.min === null || column.max === null) continue;
    const scale = Math.max(column.max - column.min, Math.abs(column.min), Math.abs(column.max));
    if (!(scale > 0)) continue;
    ranges.push({
      name: column.name,
      min: column.min,
      max: column.max,
      low: column.min - OUT_OF_RANGE_FACTOR * scale,
      high: column.max + OUT_OF_RANGE_FACTOR * scale,
    });
  }
  return ranges;
}

type Rename = (path: string) => string;

function overflowDetail(name: string, v: number, i: number, rename: Rename): ErrorDetail {
  return {
    path: rename(`instances[${i}].${name}`),
    message: `${v} does not fit the model's 32-bit floats (at most ±3.4e38)`,
  };
}

function overflowError(overflow: readonly ErrorDetail[]): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `Inputs out of range: ${overflow
      .slice(0, 5)
      .map((d) => `${d.path}: ${d.message}`)
      .join('; ')}`,
    overflow.slice(0, MAX_LISTED),
  );
}

function flag(range: FeatureRange, v: number, i: number, rename: Rename): OutOfRange {
  return {
    path: rename(`instances[${i}].${range.name}`),
    feature: range.name,
    value: v,
    min: range.min,
    max: range.max,
  };
}

/**
 * Refuses numeric inputs the model cannot represent (beyond ±FLOAT32_MAX, they become Infinity
 * and the outputs NaN), naming each; returns the inputs far outside the training range.
 */
export function checkInputRanges(
  signature: Signature,
  ranges: readonly FeatureRange[],
  rows: readonly DataRow[],
  rename: (path: string) => string = (p) => p,
): OutOfRange[] {
  const overflow: ErrorDetail[] = [];
  for (const column of signature.inputs) {
    if (column.type !== 'numeric') continue;
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![column.name];
      if (typeof v === 'number' && !(Math.abs(v) <= FLOAT32_MAX))
        overflow.push(overflowDetail(column.name, v, i, rename));
    }
  }
  if (overflow.length > 0) throw overflowError(overflow);
  const flagged: OutOfRange[] = [];
  for (const range of ranges) {
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]![range.name];
      if (typeof v === 'number' && (v < range.low || v > range.high))
        flagged.push(flag(range, v, i, rename));
    }
  }
  return flagged;
}

/**
 * checkInputRanges for a request sent as columns: the same refusal and the same flags, in the
 * same order, each numeric column read once.
 */
export function checkColumnRanges(
  signature: Signature,
  ranges: readonly FeatureRange[],
  columns: FeatureColumns,
  rename: Rename = (p) => p,
): OutOfRange[] {
  const n = columns.rows;
  let overflow: ErrorDetail[] | null = null;
  for (const column of signature.inputs) {
    if (column.type !== 'numeric') continue;
    const cells = columns.cells.get(column.name);
    if (!cells) continue;
    for (let i = 0; i < n; i++) {
      const v = cells[i];
      if (typeof v === 'number' && !(Math.abs(v) <= FLOAT32_MAX))
        (overflow ??= []).push(overflowDetail(column.name, v, i, rename));
    }
  }
  if (overflow) throw overflowError(overflow);
  const flagged: OutOfRange[] = [];
  for (const range of ranges) {
    const cells = columns.cells.get(range.name);
    if (!cells) continue;
    for (let i = 0; i < n; i++) {
      const v = cells[i];
      if (typeof v === 'number' && (v < range.low || v > range.high))
        flagged.push(flag(range, v, i, rename));
    }
  }
  return flagged;
}

/** A prediction with NaN or ±Infinity is an error, never a 200 with `null` probabilities. */
export function checkFiniteOutputs(
  predictions: readonly Prediction[],
  rename: (path: string) => string = (p) => p,
): void {
  const bad: ErrorDetail[] = [];
  for (let i = 0; i < predictions.length && bad.length < MAX_LISTED; i++) {
    const p = predictions[i]!;
    const finite =
      'value' in p
        ? Number.isFinite(p.value)
        : Object.values(p.probabilities).every((x) => Number.isFinite(x));
    if (!finite) {
      bad.push({
        path: rename(`instances[${i}]`),
        message: 'the model produced a non-finite output for this row: check its numeric inputs',
      });
    }
  }
  if (bad.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The model's output is not a number for ${bad.map((d) => d.path).join(', ')}: inputs far outside the training data overflow it`,
      bad,
    );
  }
}

/** The value of the out-of-range response header: the flagged inputs' paths, bounded. */
export function outOfRangeHeader(flagged: readonly OutOfRange[]): string {
  const paths = flagged.slice(0, MAX_LISTED).map((f) => f.path);
  return flagged.length > MAX_LISTED ? `${paths.join(',')},…` : paths.join(',');
}
