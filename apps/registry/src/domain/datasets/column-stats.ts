import type { Column, DateFormat } from '@mlops/contracts';
import { TextStats } from './looks';
import { NumericIds } from './numeric-ids';

/** What pass 1 of inference learns about one column, one cell at a time. */
export interface ColumnStats {
  nullable: boolean;
  /** Cells that are numbers. */
  numbers: number;
  /** Some non-missing cell is neither a number nor a missing-value token. */
  notNumeric: boolean;
  /** The first such cell and its 1-based data row, quoted in the reason. */
  firstText?: { value: string; row: number };
  boolean: boolean;
  /** Every non-missing cell so far (tokens aside) is a date or date-time: counts per format. */
  dates: Map<DateFormat, number> | null;
  /** The first cell that is not one, quoted when a datetime hint does not fit. */
  firstNotDate?: { value: string; row: number };
  /** Missing-value tokens seen, with counts (`""` and "NA" included). */
  tokens: Map<string, number>;
  /** Distinct category strings, dropped once past MAX_INFERRED_CATEGORIES. */
  distinct: Set<string> | null;
  text: TextStats;
  /** Whether the numbers look like a row identifier (PassengerId 1..n). */
  ids: NumericIds;
}

/** Missing-value tokens beyond blanks and "NA" (read as missing only where a type says so). */
export function tokensOf(s: ColumnStats): { extra: Set<string>; tokenCells: number } {
  const extra = new Set([...s.tokens.keys()].filter((t) => t !== '' && t !== 'NA'));
  const tokenCells = [...extra].reduce((n, t) => n + (s.tokens.get(t) ?? 0), 0);
  return { extra, tokenCells };
}

/** A categorical column, listing its categories while they were few enough to keep. */
export function categorical(name: string, s: ColumnStats): Column {
  const column: Column = { name, type: 'categorical', nullable: s.nullable };
  if (s.distinct) column.categories = [...s.distinct].sort();
  return column;
}

export function emptyStats(): ColumnStats {
  return {
    nullable: true,
    numbers: 0,
    notNumeric: false,
    boolean: false,
    dates: null,
    tokens: new Map(),
    distinct: null,
    text: new TextStats(),
    ids: new NumericIds(),
  };
}
