import { AppError, type Column } from '@mlops/contracts';
import { isMissing, toBoolean, toCategory, toNumber } from './cells';
import type { RawCell } from './records';

/** Categorical columns list their categories when there are at most this many. */
export const MAX_INFERRED_CATEGORIES = 1_000;

interface ColumnStats {
  nullable: boolean;
  numeric: boolean;
  boolean: boolean;
  /** Distinct category strings, dropped once past MAX_INFERRED_CATEGORIES. */
  distinct: Set<string> | null;
}

/**
 * Schema inference over every row: numeric when every non-missing value is a finite number,
 * boolean when all are true/false, else categorical (sorted categories when ≤ 1000 distinct).
 * `forceCategorical` columns skip the numeric/boolean tests.
 */
export class SchemaInferrer {
  private readonly stats: ColumnStats[];

  constructor(
    private readonly header: string[],
    private readonly forceCategorical: ReadonlySet<string>,
  ) {
    for (const name of forceCategorical) {
      if (!header.includes(name)) {
        throw new AppError(
          'VALIDATION_FAILED',
          `categorical column "${name}" is not a column of the dataset`,
          [{ path: 'categorical', message: `unknown column "${name}"` }],
        );
      }
    }
    this.stats = header.map(() => ({
      nullable: false,
      numeric: true,
      boolean: true,
      distinct: new Set(),
    }));
  }

  add(cells: RawCell[]): void {
    cells.forEach((cell, i) => {
      const s = this.stats[i];
      if (!s) return;
      if (isMissing(cell)) {
        s.nullable = true;
        return;
      }
      if (s.numeric && toNumber(cell) === undefined) s.numeric = false;
      if (s.boolean && toBoolean(cell) === undefined) s.boolean = false;
      if (s.distinct) {
        s.distinct.add(toCategory(cell));
        if (s.distinct.size > MAX_INFERRED_CATEGORIES) s.distinct = null;
      }
    });
  }

  finish(): Column[] {
    return this.header.map((name, i) => {
      const s = this.stats[i] ?? { nullable: true, numeric: true, boolean: false, distinct: null };
      const forced = this.forceCategorical.has(name);
      if (!forced && s.boolean && !allNumericLooking(s))
        return { name, type: 'boolean', nullable: s.nullable };
      if (!forced && s.numeric) return { name, type: 'numeric', nullable: s.nullable };
      const column: Column = { name, type: 'categorical', nullable: s.nullable };
      if (s.distinct) column.categories = [...s.distinct].sort();
      return column;
    });
  }
}

/** A column with no values at all passes both tests; call it numeric, not boolean. */
function allNumericLooking(s: ColumnStats): boolean {
  return s.numeric;
}
