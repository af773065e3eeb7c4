import {
  AppError,
  type Column,
  type ColumnInference,
  type InferenceReport,
} from '@mlops/contracts';
import { isMissing, missingToken, toBoolean, toCategory, toNumber } from './cells';
import { featureExclusion, isIsoDate, TextStats } from './looks';
import { NumericIds } from './numeric-ids';
import type { RawCell } from './records';

/** Categorical columns list their categories when there are at most this many. */
export const MAX_INFERRED_CATEGORIES = 1_000;
/**
 * A numeric column may hold missing-value tokens ("n/a", "-", …) in at most this share of its
 * non-blank cells; past it the tokens are likely data and the column stays categorical.
 */
export const MAX_TOKEN_SHARE = 0.1;

interface ColumnStats {
  nullable: boolean;
  /** Cells that are numbers. */
  numbers: number;
  /** Some non-missing cell is neither a number nor a missing-value token. */
  notNumeric: boolean;
  /** The first such cell and its 1-based data row, quoted in the reason. */
  firstText?: { value: string; row: number };
  boolean: boolean;
  /** Every non-missing cell so far is an ISO 8601 date or date-time. */
  dates: boolean;
  /** Missing-value tokens seen, with counts (`""` and "NA" included). */
  tokens: Map<string, number>;
  /** Distinct category strings, dropped once past MAX_INFERRED_CATEGORIES. */
  distinct: Set<string> | null;
  text: TextStats;
  /** Whether the numbers look like a row identifier (PassengerId 1..n). */
  ids: NumericIds;
}

/** Inferred columns, the extra missing tokens pass 2 must read as null, and the report. */
export interface Inference {
  columns: Column[];
  missing: Map<string, Set<string>>;
  report: InferenceReport;
}

/**
 * Schema inference over every row: numeric when every non-missing value is a finite number
 * (a small share of "n/a"-like tokens read as missing), boolean when all are true/false, else
 * categorical (sorted categories when ≤ 1000 distinct). Dates, identifiers and free text stay
 * categorical but are excluded from default features (looks.ts); so are numeric row identifiers
 * (numeric-ids.ts). `forceCategorical` columns skip the numeric/boolean tests and are never
 * excluded: a person asked for them.
 */
export class SchemaInferrer {
  private readonly stats: ColumnStats[];
  private rows = 0;

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
      numbers: 0,
      notNumeric: false,
      boolean: true,
      dates: true,
      tokens: new Map(),
      distinct: new Set(),
      text: new TextStats(),
      ids: new NumericIds(),
    }));
  }

  /** `row`: the 1-based data row, quoted in reasons (default: rows counted here). */
  add(cells: RawCell[], row?: number): void {
    this.rows += 1;
    const at = row ?? this.rows;
    cells.forEach((cell, i) => {
      const s = this.stats[i];
      if (!s) return;
      const token = missingToken(cell);
      if (token !== undefined) s.tokens.set(token, (s.tokens.get(token) ?? 0) + 1);
      if (isMissing(cell)) {
        s.nullable = true;
        return;
      }
      const value = toNumber(cell);
      const number = value !== undefined;
      if (number) {
        s.numbers += 1;
        s.ids.add(value);
      } else if (token === undefined && !s.notNumeric) {
        s.notNumeric = true;
        s.firstText = { value: toCategory(cell).slice(0, 40), row: at };
      }
      if (s.boolean && toBoolean(cell) === undefined) s.boolean = false;
      if (s.dates && !(typeof cell === 'string' && isIsoDate(cell))) s.dates = false;
      const category = toCategory(cell);
      // Only non-numbers: a numeric column (most of a wide file) must not hold its values here.
      if (!number) s.text.add(category);
      if (s.distinct) {
        s.distinct.add(category);
        if (s.distinct.size > MAX_INFERRED_CATEGORIES) s.distinct = null;
      }
    });
  }

  infer(): Inference {
    const columns: Column[] = [];
    const missing = new Map<string, Set<string>>();
    const report: ColumnInference[] = [];
    this.header.forEach((name, i) => {
      const s = this.stats[i] ?? emptyStats();
      const { column, reason, extra } = this.decide(name, s);
      columns.push(column);
      if (extra.size > 0) missing.set(name, extra);
      const entry: ColumnInference = { name, type: column.type, reason };
      const counted = countedTokens(s, column.type === 'numeric');
      if (counted) entry.missingTokens = counted;
      if (column.type === 'categorical' && !this.forceCategorical.has(name)) {
        const exclusion = featureExclusion({
          dates: s.dates && s.text.count > 0,
          distinct: s.text.distinct,
          distinctCapped: s.text.capped,
          values: s.text.count,
          meanLength: s.text.meanLength(),
        });
        if (exclusion) Object.assign(entry, exclusion);
      }
      if (column.type === 'numeric') {
        const exclusion = s.ids.exclusion(name);
        if (exclusion) Object.assign(entry, exclusion);
      }
      report.push(entry);
    });
    return { columns, missing, report: { source: 'inferred', columns: report } };
  }

  private decide(
    name: string,
    s: ColumnStats,
  ): { column: Column; reason: string; extra: Set<string> } {
    const none = new Set<string>();
    if (this.forceCategorical.has(name))
      return {
        column: categorical(name, s),
        reason: 'categorical as asked by ?categorical=',
        extra: none,
      };
    const extra = new Set([...s.tokens.keys()].filter((t) => t !== '' && t !== 'NA'));
    const tokenCells = [...extra].reduce((n, t) => n + (s.tokens.get(t) ?? 0), 0);
    if (s.numbers === 0 && tokenCells === 0 && !s.notNumeric)
      return {
        column: { name, type: 'numeric', nullable: true },
        reason: 'no values at all: numeric, every cell missing',
        extra: none,
      };
    if (s.boolean)
      return {
        column: { name, type: 'boolean', nullable: s.nullable },
        reason: 'every value is true or false',
        extra: none,
      };
    if (!s.notNumeric && s.numbers > 0) {
      const share = tokenCells / (s.numbers + tokenCells);
      if (tokenCells === 0)
        return {
          column: { name, type: 'numeric', nullable: s.nullable },
          reason: 'every value is a number',
          extra: none,
        };
      const listed = [...extra].map((t) => JSON.stringify(t)).join(', ');
      if (share <= MAX_TOKEN_SHARE)
        return {
          column: { name, type: 'numeric', nullable: true },
          reason: `every value is a number except ${tokenCells} missing-value token(s) ${listed} (${percent(share)} of values, at most ${percent(MAX_TOKEN_SHARE)} allowed), read as missing`,
          extra,
        };
      return {
        column: categorical(name, s),
        reason: `numbers, but the tokens ${listed} are ${percent(share)} of values (more than ${percent(MAX_TOKEN_SHARE)} read as missing): categorical`,
        extra: none,
      };
    }
    const reason = s.dates
      ? 'every value is an ISO 8601 date or date-time: kept as categorical strings'
      : !s.notNumeric
        ? `no numbers, only the tokens ${[...extra].map((t) => JSON.stringify(t)).join(', ')}: categorical`
        : s.firstText
          ? `some values are not numbers or true/false (first: ${JSON.stringify(s.firstText.value)} in row ${s.firstText.row})`
          : 'some values are neither numbers nor true/false';
    return { column: categorical(name, s), reason, extra: none };
  }
}

function categorical(name: string, s: ColumnStats): Column {
  const column: Column = { name, type: 'categorical', nullable: s.nullable };
  if (s.distinct) column.categories = [...s.distinct].sort();
  return column;
}

/** Tokens the column reads as missing: blanks and "NA" always, the others when numeric. */
function countedTokens(s: ColumnStats, numeric: boolean): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [token, n] of s.tokens) if (numeric || token === '' || token === 'NA') out[token] = n;
  return Object.keys(out).length > 0 ? out : undefined;
}

function percent(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function emptyStats(): ColumnStats {
  return {
    nullable: true,
    numbers: 0,
    notNumeric: false,
    boolean: false,
    dates: false,
    tokens: new Map(),
    distinct: null,
    text: new TextStats(),
    ids: new NumericIds(),
  };
}
