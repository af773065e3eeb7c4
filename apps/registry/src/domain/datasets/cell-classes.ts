import { isMissing, missingToken, toNumber } from './cells';
import { scanned } from './number-text';
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
      this.token[i] = missingToken(cell);
      const missing = isMissing(cell);
      this.missing[i] = missing ? 1 : 0;
      scanned.text = null;
      this.number[i] = missing ? NaN : (toNumber(cell) ?? NaN);
      this.text[i] = typeof cell === 'string' ? scanned.text : null;
    }
  }
}
