import { parseDateTime, type CellValue, type Column, type DatasetProfile } from '@mlops/contracts';
import type { CellClasses } from './cell-classes';
import { toBoolean, toCategory } from './cells';
import type { Inference } from './infer';
import type { RawCell } from './records';

const NUMERIC = 0;
const CATEGORICAL = 1;
const BOOLEAN = 2;
const DATETIME = 3;
const KINDS = { numeric: NUMERIC, categorical: CATEGORICAL, boolean: BOOLEAN, datetime: DATETIME };

/**
 * Converts rows under the types inference gave a prefix of the file, before the whole file is
 * inferred, and says at the end whether the result is what `convertCell` under the final
 * inference gives for every row (`holds`) — then the canonical bytes, hash and profile written
 * meanwhile are the ones a second pass would write, and no second pass is needed.
 *
 * A cell's canonical value depends only on its column's type and extra missing-value tokens;
 * nullability and categories only decide whether a cell is an error. So the prefix's types are
 * used relaxed — every column nullable, no category list, every missing-value token of a numeric
 * or datetime column read as missing — and what that relaxation assumed is recorded: which
 * tokens were read as missing or kept as values, per column. `holds` checks those against the
 * final inference, and the profile (its missing counts and categories) against nullability and
 * category lists. A cell the prefix's type cannot convert ends the speculation at once.
 */
export class Speculation {
  private readonly kinds: number[];
  private readonly values: CellValue[];
  /** The row's numbers' JSON texts where the file already wrote them so (CellClasses.text). */
  readonly texts: Array<string | null>;
  /** Per column, tokens read as missing (numeric, datetime) or kept as values (the others). */
  private readonly tokens: Array<Set<string>>;

  constructor(readonly columns: readonly Column[]) {
    this.kinds = columns.map((c) => KINDS[c.type]);
    this.values = new Array<CellValue>(columns.length).fill(null);
    this.texts = new Array<string | null>(columns.length).fill(null);
    this.tokens = columns.map(() => new Set());
  }

  /**
   * The row's canonical values (an array reused by the next call), or undefined: stop. `texts`
   * holds the numbers' JSON texts for CanonicalWriter.add afterwards.
   */
  convert(cells: readonly RawCell[], classes: CellClasses): CellValue[] | undefined {
    const { kinds, values, texts } = this;
    for (let j = 0; j < kinds.length; j++) {
      texts[j] = null;
      if (classes.missing[j] === 1) {
        values[j] = null;
        continue;
      }
      const kind = kinds[j];
      const cell = cells[j] ?? null;
      const token = classes.token[j];
      if (token !== undefined) this.tokens[j]?.add(token);
      if (kind === NUMERIC) {
        const n = classes.number[j] ?? NaN;
        if (token !== undefined) values[j] = null;
        else if (Number.isNaN(n)) return undefined;
        else {
          values[j] = n;
          texts[j] = classes.text[j] ?? null;
        }
      } else if (kind === CATEGORICAL) {
        values[j] = toCategory(cell);
      } else if (kind === BOOLEAN) {
        const b = toBoolean(cell);
        if (b === undefined) return undefined;
        values[j] = b;
      } else if (token !== undefined) {
        values[j] = null;
      } else {
        const date = typeof cell === 'string' ? parseDateTime(cell) : undefined;
        if (!date) return undefined;
        values[j] = date.iso;
      }
    }
    return values;
  }

  /** Whether every row converted here converts the same under `final`, with no error. */
  holds(final: Inference, profile: DatasetProfile): boolean {
    if (final.columns.length !== this.columns.length) return false;
    return final.columns.every((f, j) => {
      const prefix = this.columns[j];
      const p = profile.columns[j];
      if (!prefix || !p || f.name !== prefix.name || f.type !== prefix.type) return false;
      const extra = final.missing.get(f.name) ?? new Set<string>();
      const tokens = [...(this.tokens[j] ?? [])];
      const nulled = f.type === 'numeric' || f.type === 'datetime';
      // Read as missing here: the final must read them so too; kept as values: must not.
      if (!tokens.every((t) => extra.has(t) === nulled)) return false;
      if (p.missing > 0 && !f.nullable) return false;
      if (!f.categories) return true;
      // Every value must be a category: all of them are in the frequencies when none is "other".
      if (p.type !== 'categorical' || p.otherCount > 0) return false;
      const categories = new Set(f.categories);
      return Object.keys(p.frequencies).every((v) => categories.has(v));
    });
  }
}
