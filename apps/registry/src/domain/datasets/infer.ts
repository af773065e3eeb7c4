import {
  parseDateTime,
  type Column,
  type ColumnInference,
  type InferenceReport,
} from '@mlops/contracts';
import { CellClasses } from './cell-classes';
import { toBoolean, toCategory } from './cells';
import { categorical, emptyStats, tokensOf, type ColumnStats } from './column-stats';
import { datetimeDecision, type Decision } from './dates';
import { hintedDecision } from './hinted';
import { applyExclusionHint, checkHintColumns, type Hints } from './hints';
import { featureExclusion, TextStats } from './looks';
import { NumericIds } from './numeric-ids';
import type { RawCell } from './records';

/** Categorical columns list their categories when there are at most this many. */
export const MAX_INFERRED_CATEGORIES = 1_000;
/**
 * A numeric column may hold missing-value tokens ("n/a", "-", …) in at most this share of its
 * non-blank cells; past it the tokens are likely data and the column stays categorical.
 */
export const MAX_TOKEN_SHARE = 0.1;

/** Inferred columns, the extra missing tokens pass 2 must read as null, and the report. */
export interface Inference {
  columns: Column[];
  missing: Map<string, Set<string>>;
  report: InferenceReport;
}

/**
 * Schema inference over every row: numeric when every non-missing value is a finite number
 * (a small share of "n/a"-like tokens read as missing), boolean when all are true/false,
 * datetime when all are dates (dates.ts: stored as ISO 8601, excluded from default features),
 * else categorical (sorted categories when ≤ 1000 distinct). Identifiers and free text stay
 * categorical but are excluded from default features (looks.ts); so are numeric row identifiers
 * (numeric-ids.ts). A column's hint (hints.ts) decides its type instead — a 400 naming it when
 * its values do not fit — and whether it is excluded: a person asked.
 */
export class SchemaInferrer {
  private readonly stats: ColumnStats[];
  private rows = 0;
  /** The last added row's cells, classified once (also read by the speculative pass). */
  readonly classes: CellClasses;

  constructor(
    private readonly header: string[],
    private readonly hints: Hints = new Map(),
  ) {
    checkHintColumns(header, hints);
    this.classes = new CellClasses(header.length);
    this.stats = header.map(() => ({
      nullable: false,
      numbers: 0,
      notNumeric: false,
      boolean: true,
      dates: new Map(),
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
    const classes = this.classes;
    classes.fill(cells);
    const n = Math.min(cells.length, this.stats.length);
    for (let i = 0; i < n; i++) {
      const s = this.stats[i];
      const cell = cells[i] ?? null;
      if (!s) continue;
      const token = classes.token[i];
      if (token !== undefined) s.tokens.set(token, (s.tokens.get(token) ?? 0) + 1);
      if (classes.missing[i] === 1) {
        s.nullable = true;
        continue;
      }
      const value = classes.number[i] ?? NaN;
      const number = !Number.isNaN(value);
      if (number) {
        s.numbers += 1;
        s.ids.add(value);
      } else if (token === undefined && !s.notNumeric) {
        s.notNumeric = true;
        s.firstText = { value: toCategory(cell).slice(0, 40), row: at };
      }
      if (s.boolean && toBoolean(cell) === undefined) s.boolean = false;
      if (s.dates && token === undefined) {
        const date = typeof cell === 'string' ? parseDateTime(cell) : undefined;
        if (date) s.dates.set(date.format, (s.dates.get(date.format) ?? 0) + 1);
        else {
          s.dates = null;
          s.firstNotDate = { value: toCategory(cell).slice(0, 40), row: at };
        }
      }
      const category = toCategory(cell);
      // Only non-numbers: a numeric column (most of a wide file) must not hold its values here.
      if (!number) s.text.add(category);
      if (s.distinct) {
        s.distinct.add(category);
        if (s.distinct.size > MAX_INFERRED_CATEGORIES) s.distinct = null;
      }
    }
  }

  infer(): Inference {
    const columns: Column[] = [];
    const missing = new Map<string, Set<string>>();
    const report: ColumnInference[] = [];
    this.header.forEach((name, i) => {
      const s = this.stats[i] ?? emptyStats();
      const hinted = this.hints.get(name);
      const { column, reason, extra, excluded } = hinted?.hint.type
        ? hintedDecision(name, s, hinted.hint.type, hinted.from)
        : this.decide(name, s);
      columns.push(column);
      if (extra.size > 0) missing.set(name, extra);
      const entry: ColumnInference = { name, type: column.type, reason };
      const counted = countedTokens(s, extra);
      if (counted) entry.missingTokens = counted;
      if (excluded) Object.assign(entry, excluded);
      if (column.type === 'categorical' && !hinted?.hint.type) {
        const exclusion = featureExclusion({
          distinct: s.text.distinct,
          distinctCapped: s.text.capped,
          values: s.text.count,
          meanLength: s.text.meanLength(),
        });
        if (exclusion) Object.assign(entry, exclusion);
      }
      if (column.type === 'numeric' && !hinted?.hint.type) {
        const exclusion = s.ids.exclusion(name);
        if (exclusion) Object.assign(entry, exclusion);
      }
      if (hinted) applyExclusionHint(entry, hinted.hint, hinted.from);
      report.push(entry);
    });
    return { columns, missing, report: { source: 'inferred', columns: report } };
  }

  private decide(name: string, s: ColumnStats): Decision {
    const none = new Set<string>();
    const { extra, tokenCells } = tokensOf(s);
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
    const listed = [...extra].map((t) => JSON.stringify(t)).join(', ');
    if (!s.notNumeric && s.numbers > 0) {
      const share = tokenCells / (s.numbers + tokenCells);
      if (tokenCells === 0)
        return {
          column: { name, type: 'numeric', nullable: s.nullable },
          reason: 'every value is a number',
          extra: none,
        };
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
    const dated = s.dates ? [...s.dates.values()].reduce((a, b) => a + b, 0) : 0;
    if (s.dates && dated > 0 && tokenCells / (dated + tokenCells) <= MAX_TOKEN_SHARE)
      return datetimeDecision({
        name,
        dates: s.dates,
        distinct: s.text.distinct,
        extra,
        tokenCells,
        nullable: s.nullable,
      });
    const reason = !s.notNumeric
      ? `no numbers, only the tokens ${listed}: categorical`
      : s.firstText
        ? `some values are not numbers or true/false (first: ${JSON.stringify(s.firstText.value)} in row ${s.firstText.row})`
        : 'some values are neither numbers nor true/false';
    return { column: categorical(name, s), reason, extra: none };
  }
}

/** Tokens the column reads as missing: blanks and "NA" always, the others when its type says. */
function countedTokens(
  s: ColumnStats,
  extra: ReadonlySet<string>,
): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [token, n] of s.tokens)
    if (extra.has(token) || token === '' || token === 'NA') out[token] = n;
  return Object.keys(out).length > 0 ? out : undefined;
}

function percent(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
