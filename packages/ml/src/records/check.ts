import {
  parseDateTime,
  type CellValue,
  type Column,
  type DataRow,
  type ErrorDetail,
  type Signature,
} from '@mlops/contracts';

/** More details than this only make an error response longer, not more useful. */
export const MAX_RECORD_DETAILS = 50;

export type CheckRecordsResult =
  { ok: true; rows: DataRow[] } | { ok: false; details: ErrorDetail[] };

/** `string "5.1"`, `number 3`, `array`: what a client sent, short enough for a message. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`;
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Why `value` does not fit `column`, or null when it does (then it is the cell as is). This runs
 * for every cell of every request: no allocation on the happy path.
 */
function cellError(column: Column, value: unknown): string | null {
  if (value === null) {
    // Imputed by the preprocessing when the column is nullable.
    return column.nullable ? null : `must not be null (feature "${column.name}" is not nullable)`;
  }
  switch (column.type) {
    case 'numeric':
      // Strings are rejected even when they look numeric: silently coercing "5.1" hides client bugs.
      if (typeof value !== 'number') return `expected a number, got ${describeValue(value)}`;
      return Number.isFinite(value) ? null : `expected a finite number, got ${String(value)}`;
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : `expected true or false, got ${describeValue(value)}`;
    case 'categorical':
      // Unknown categories are allowed: the one-hot encoding maps them to all zeros.
      return typeof value === 'string'
        ? null
        : `expected a category string, got ${describeValue(value)}`;
    case 'datetime':
      // The derived features need a real day: an unreadable string would silently become zeros.
      return typeof value === 'string' && parseDateTime(value) !== undefined
        ? null
        : `expected an ISO 8601 date or date-time ("2014-01-31", "2014-01-31T10:00:00Z"), got ${describeValue(value)}`;
  }
}

/** Own enumerable keys of a plain object, counted without allocating a key array. */
function ownKeyCount(value: Record<string, unknown>): number {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n++;
  return n;
}

/**
 * A copy of `instance` holding only the signature's inputs (already checked); an absent
 * nullable input is null, as if the client had sent it.
 */
function pick(instance: Record<string, unknown>, inputs: readonly Column[]): DataRow {
  const row: DataRow = {};
  for (const column of inputs) {
    const value = Object.hasOwn(instance, column.name) ? instance[column.name] : undefined;
    row[column.name] = value === undefined ? null : (value as CellValue);
  }
  return row;
}

/**
 * True when the record holds exactly the signature's inputs, in its order, every cell valid: the
 * usual request, checked in one for…in pass. Reading cells as they are enumerated costs a
 * fraction of looking each input up by name. Anything else (other order, extra or missing keys,
 * a bad cell) goes through the checks by name, which say what is wrong.
 */
function isExactRecord(instance: Record<string, unknown>, inputs: readonly Column[]): boolean {
  let j = 0;
  for (const key in instance) {
    const column = inputs[j];
    if (column === undefined || key !== column.name) return false;
    if (cellError(column, instance[key]) !== null) return false;
    j++;
  }
  return j === inputs.length;
}

/**
 * Check raw feature records against a model signature and keep only the signature's inputs.
 * Extra keys are ignored (a client of a version that took a feature since removed keeps
 * working); a nullable input may be left out and is then null (a client of a version without
 * a feature added since as nullable keeps working); every other input must be present. Details
 * name `instances[i].column`. These two rules are what compatibility.ts classifies by.
 */
export function checkRecords(signature: Signature, instances: unknown[]): CheckRecordsResult {
  const details: ErrorDetail[] = [];
  const rows: DataRow[] = [];
  const inputs = signature.inputs;

  for (let i = 0; i < instances.length && details.length < MAX_RECORD_DETAILS; i++) {
    const instance = instances[i];
    if (!isPlainObject(instance)) {
      details.push({
        path: `instances[${i}]`,
        message: `expected an object of feature values, got ${describeValue(instance)}`,
      });
      continue;
    }
    if (isExactRecord(instance, inputs)) {
      rows.push(instance as DataRow);
      continue;
    }
    const before = details.length;
    let absent = 0;
    for (const column of inputs) {
      if (details.length >= MAX_RECORD_DETAILS) break;
      const value = Object.hasOwn(instance, column.name) ? instance[column.name] : undefined;
      if (value === undefined && column.nullable) {
        absent++;
        continue;
      }
      if (value === undefined) {
        details.push({
          path: `instances[${i}].${column.name}`,
          message: `missing feature "${column.name}" (expected ${column.type})`,
        });
        continue;
      }
      const error = cellError(column, value);
      if (error !== null) details.push({ path: `instances[${i}].${column.name}`, message: error });
    }
    if (details.length > before) continue;
    // Every input is present and valid. A record holding nothing else is the row as it is (no
    // copy: wide rows are most of a request's work otherwise); extra keys are dropped and
    // absent nullable inputs filled by one.
    rows.push(
      absent === 0 && ownKeyCount(instance) === inputs.length
        ? (instance as DataRow)
        : pick(instance, inputs),
    );
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, rows };
}

/**
 * True when a request sent as columns (`columns(name)`: a feature's `rows` cells, undefined when
 * left out) fits `signature` as checkRecords would accept its rows: every input present (a
 * nullable one may be left out) and every cell valid. Each column is read once, cell after cell,
 * with no row built. When false, the caller checks the rows with checkRecords, whose details
 * name each bad cell: this answers only whether the request is the usual one.
 */
export function columnsFit(
  signature: Signature,
  columns: (name: string) => ArrayLike<unknown> | undefined,
  rows: number,
): boolean {
  for (const column of signature.inputs) {
    const cells = columns(column.name);
    if (cells === undefined) {
      if (column.nullable) continue;
      return false;
    }
    if (cells.length !== rows) return false;
    if (column.type === 'numeric') {
      // The common column, checked without a call per cell.
      for (let i = 0; i < rows; i++) {
        const v = cells[i];
        if (typeof v === 'number' ? !Number.isFinite(v) : v !== null || !column.nullable)
          return false;
      }
      continue;
    }
    for (let i = 0; i < rows; i++) {
      const v = cells[i];
      if (v === undefined || cellError(column, v) !== null) return false;
    }
  }
  return true;
}
