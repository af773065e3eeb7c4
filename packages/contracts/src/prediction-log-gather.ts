import type { FeatureRecord } from './predict';

/**
 * The feature cells of a prediction log message's rows, gathered by column for the encoder
 * (prediction-log-columns.ts): numbers into one Float64Array, and which columns hold anything
 * else. Its own file so the message format and this hot loop can each be read on their own.
 */

/**
 * Every feature name of the rows, in first-seen order: the union, for rows whose keys differ. A
 * row without a feature logs it as null — the monitor counts null as missing.
 */
function unionOfNames(rows: readonly FeatureRecord[]): string[] {
  const known = new Set<string>();
  const names: string[] = [];
  for (const row of rows) {
    for (const key in row) {
      if (!known.has(key)) {
        known.add(key);
        names.push(key);
      }
    }
  }
  return names;
}

/**
 * Scratch space for the numbers of the batch being encoded, reused across calls (encoding is
 * synchronous): a fresh array of every feature of every row of a message was up to 260 kB of
 * garbage per message on the serving thread.
 */
let scratch = new Float64Array(0);
/** Larger batches (very wide rows) get an array of their own rather than pin 8 MB for good. */
const MAX_SCRATCH = 1 << 20;
export function scratchOf(size: number): Float64Array {
  if (size > MAX_SCRATCH) return new Float64Array(size);
  if (scratch.length < size)
    scratch = new Float64Array(Math.min(MAX_SCRATCH, Math.max(size, scratch.length * 2)));
  return scratch;
}

/** The rows' cells by column: numbers in `numbers` (column j at j·n), and which columns hold more. */
export interface Gathered {
  names: string[];
  /**
   * Only the columns whose `notNumeric` is 0 are meaningful here: `numbers` is the reused
   * scratch, and the other columns' slots may hold an earlier message's numbers.
   */
  numbers: Float64Array;
  /** 1 where a column has a cell that is not a number: it is logged as `values`. */
  notNumeric: Uint8Array;
}

/**
 * One pass over the rows, row by row, for the usual batch: every row with the first row's keys in
 * the same order (rows of one model version, parsed from requests alike). Reading a row's cells
 * with for…in while it is in cache costs a fraction of looking every feature up by name, column
 * after column, across rows answered up to a flush interval ago. Null when a row differs (then
 * gatherByName).
 */
function gatherInRowOrder(rows: readonly FeatureRecord[]): Gathered | null {
  const n = rows.length;
  const names = Object.keys(rows[0]!);
  const k = names.length;
  const numbers = scratchOf(n * k);
  const notNumeric = new Uint8Array(k);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    let j = 0;
    for (const key in row) {
      if (j === k || key !== names[j]) return null;
      const v = row[key];
      if (typeof v === 'number') numbers[j * n + i] = v;
      else notNumeric[j] = 1;
      j++;
    }
    if (j !== k) return null;
  }
  return { names, numbers, notNumeric };
}

/** Any rows: the union of their names, every cell looked up by name. */
function gatherByName(rows: readonly FeatureRecord[]): Gathered {
  const n = rows.length;
  const names = unionOfNames(rows);
  const numbers = scratchOf(n * names.length);
  const notNumeric = new Uint8Array(names.length);
  names.forEach((name, j) => {
    for (let i = 0; i < n; i++) {
      const v = rows[i]![name];
      if (typeof v === 'number') numbers[j * n + i] = v;
      else notNumeric[j] = 1;
    }
  });
  return { names, numbers, notNumeric };
}

/** The rows' cells by column: in one pass in row order when the rows allow it, else by name. */
export function gatherFeatureCells(rows: readonly FeatureRecord[]): Gathered {
  return gatherInRowOrder(rows) ?? gatherByName(rows);
}
