import { MISSING_TOKENS } from '@mlops/contracts';
import { isMissing, isMissingToken, missingToken, toNumber } from './cells';
import { scanNumber, scanned } from './number-text';
import type { RawCell } from './records';

/**
 * What the cells of one row are, computed once a row and read both by inference and by the
 * speculative canonical pass (speculation.ts), so a number is parsed once, not once each.
 */
export class CellClasses {
  /** 1 when `isMissing` (blank, null, "NA"). */
  readonly missing: Uint8Array;
  /** The missing-value token the cell is (`missingToken`), or undefined. */
  readonly token: Array<string | undefined>;
  /** `toNumber` of a cell that is not missing; NaN when it is missing or not a number. */
  readonly number: Float64Array;
  /** A number cell's text when it is already the number's JSON text (number-text.ts), else null. */
  readonly text: Array<string | null>;

  constructor(width: number) {
    this.missing = new Uint8Array(width);
    this.token = new Array<string | undefined>(width).fill(undefined);
    this.number = new Float64Array(width);
    this.text = new Array<string | null>(width).fill(null);
  }

  /** Classify `cells` (at most the width given to the constructor). */
  fill(cells: readonly RawCell[]): void {
    const n = Math.min(cells.length, this.number.length);
    for (let i = 0; i < n; i++) {
      const cell = cells[i] ?? null;
      if (typeof cell === 'string' && plainCell(cell)) {
        // Nothing to trim: the token is the cell itself, and only "NA" of them is missing
        // (blank is not plain). What the general case below gives, with fewer calls.
        const token = maybeToken(cell) && isMissingToken(cell) ? cell : undefined;
        this.token[i] = token;
        const missing = token === 'NA';
        this.missing[i] = missing ? 1 : 0;
        scanned.text = null;
        this.number[i] = missing ? NaN : scanNumber(cell);
        this.text[i] = scanned.text;
        continue;
      }
      this.token[i] = missingToken(cell);
      const missing = isMissing(cell);
      this.missing[i] = missing ? 1 : 0;
      scanned.text = null;
      this.number[i] = missing ? NaN : (toNumber(cell) ?? NaN);
      this.text[i] = typeof cell === 'string' ? scanned.text : null;
    }
  }
}

/** A cell `trim` leaves as it is and not empty: printable ASCII at both ends (cells.ts). */
function plainCell(s: string): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

/** Lengths and first characters of the missing-value tokens: most cells are none, seen here. */
const TOKEN_FIRST = new Set(MISSING_TOKENS.map((t) => t.charCodeAt(0)));
const LONGEST_TOKEN = Math.max(...MISSING_TOKENS.map((t) => t.length));

function maybeToken(s: string): boolean {
  return s.length <= LONGEST_TOKEN && TOKEN_FIRST.has(s.charCodeAt(0));
}
