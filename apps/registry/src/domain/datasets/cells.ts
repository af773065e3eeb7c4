import { MISSING_TOKENS, parseDateTime, type CellValue, type Column } from '@mlops/contracts';
import { scanNumber } from './number-text';
import type { RawCell } from './records';

/**
 * Whether `trim` leaves `s` as it is, known without calling it: both ends printable ASCII (no
 * whitespace). The common cell, so the checks below skip a trim for it on every read.
 */
function untrimmable(s: string): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

function trimmed(s: string): string {
  return untrimmable(s) ? s : s.trim();
}

/** Empty strings, null and "NA" mean a missing value. */
export function isMissing(cell: RawCell): boolean {
  return cell === null || (typeof cell === 'string' && (trimmed(cell) === '' || cell === 'NA'));
}

const TOKENS: ReadonlySet<string> = new Set(MISSING_TOKENS);
const LONGEST_TOKEN = Math.max(...MISSING_TOKENS.map((t) => t.length));

/** Whether the trimmed `s` is a missing-value token. */
export function isMissingToken(s: string): boolean {
  return TOKENS.has(s);
}

/** The missing-value token a cell is (`""` for blank), or undefined. */
export function missingToken(cell: RawCell): string | undefined {
  if (typeof cell !== 'string') return undefined;
  // A cell longer than every token with nothing to trim is none.
  if (cell.length > LONGEST_TOKEN && untrimmable(cell)) return undefined;
  const s = cell.trim();
  return TOKENS.has(s) ? s : undefined;
}

/**
 * A finite number from a JSON number or a decimal string (`[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`
 * once trimmed); undefined otherwise ("0x10", "1,5"). For a string, `scanned.text` (number-text.ts)
 * says afterwards whether it was already the number's JSON text.
 */
export function toNumber(cell: RawCell): number | undefined {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell !== 'string') return undefined;
  const n = scanNumber(trimmed(cell));
  return Number.isNaN(n) ? undefined : n;
}

export function toBoolean(cell: RawCell): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  if (typeof cell !== 'string') return undefined;
  const s = cell.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
}

export function toCategory(cell: RawCell): string {
  return typeof cell === 'string' ? cell : String(cell);
}

/**
 * Convert one raw cell to its typed value under `column`, or say why it does not fit.
 * `missing` holds the column's extra missing-value tokens (inferred for numeric columns).
 */
export function convertCell(
  column: Column,
  cell: RawCell,
  missing?: ReadonlySet<string>,
): { value: CellValue } | { error: string } {
  if (isMissing(cell) || (missing && typeof cell === 'string' && missing.has(cell.trim()))) {
    return column.nullable ? { value: null } : { error: 'missing value in a non-nullable column' };
  }
  if (column.type === 'numeric') {
    const n = toNumber(cell);
    return n === undefined
      ? { error: `"${String(cell).slice(0, 40)}" is not a number` }
      : { value: n };
  }
  if (column.type === 'boolean') {
    const b = toBoolean(cell);
    return b === undefined
      ? { error: `"${String(cell).slice(0, 40)}" is not true or false` }
      : { value: b };
  }
  if (column.type === 'datetime') {
    // Stored as ISO 8601 whatever form the file wrote, so every reader parses one form.
    const date = typeof cell === 'string' ? parseDateTime(cell) : undefined;
    return date
      ? { value: date.iso }
      : {
          error: `"${String(cell).slice(0, 40)}" is not a date (ISO 8601, YYYY/MM/DD or DD.MM.YYYY)`,
        };
  }
  const category = toCategory(cell);
  if (column.categories && !column.categories.includes(category)) {
    return { error: `"${category.slice(0, 40)}" is not one of the column's categories` };
  }
  return { value: category };
}
