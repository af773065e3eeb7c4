import type { CellValue, Column, DataRow, ErrorDetail, Signature } from '@mlops/contracts';

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

/** The cell for `value`, or the message saying why it does not fit `column`. */
function checkCell(column: Column, value: unknown): { cell: CellValue } | { error: string } {
  if (value === null) {
    return column.nullable
      ? { cell: null } // imputed by the preprocessing
      : { error: `must not be null (feature "${column.name}" is not nullable)` };
  }
  switch (column.type) {
    case 'numeric':
      // Strings are rejected even when they look numeric: silently coercing "5.1" hides client bugs.
      if (typeof value !== 'number')
        return { error: `expected a number, got ${describeValue(value)}` };
      if (!Number.isFinite(value))
        return { error: `expected a finite number, got ${String(value)}` };
      return { cell: value };
    case 'boolean':
      if (typeof value !== 'boolean')
        return { error: `expected true or false, got ${describeValue(value)}` };
      return { cell: value };
    case 'categorical':
      // Unknown categories are allowed: the one-hot encoding maps them to all zeros.
      if (typeof value !== 'string')
        return { error: `expected a category string, got ${describeValue(value)}` };
      return { cell: value };
  }
}

/**
 * Check raw feature records against a model signature and keep only the signature's inputs.
 * Extra keys are ignored; every input must be present; details name `instances[i].column`.
 */
export function checkRecords(signature: Signature, instances: unknown[]): CheckRecordsResult {
  const details: ErrorDetail[] = [];
  const rows: DataRow[] = [];
  const full = () => details.length >= MAX_RECORD_DETAILS;

  for (let i = 0; i < instances.length && !full(); i++) {
    const instance = instances[i];
    if (!isPlainObject(instance)) {
      details.push({
        path: `instances[${i}]`,
        message: `expected an object of feature values, got ${describeValue(instance)}`,
      });
      continue;
    }
    const row: DataRow = {};
    for (const column of signature.inputs) {
      if (full()) break;
      const path = `instances[${i}].${column.name}`;
      if (!Object.hasOwn(instance, column.name) || instance[column.name] === undefined) {
        details.push({
          path,
          message: `missing feature "${column.name}" (expected ${column.type})`,
        });
        continue;
      }
      const checked = checkCell(column, instance[column.name]);
      if ('error' in checked) details.push({ path, message: checked.error });
      else row[column.name] = checked.cell;
    }
    rows.push(row);
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, rows };
}
