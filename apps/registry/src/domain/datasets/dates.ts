import type { Column, ColumnInference, DateFormat } from '@mlops/contracts';

/** A column's type decision: the column, why, extra missing tokens, and any feature exclusion. */
export interface Decision {
  column: Column;
  reason: string;
  extra: Set<string>;
  excluded?: Pick<ColumnInference, 'kind' | 'excluded'>;
}

/** `1461 ISO 8601, 3 DD.MM.YYYY`: how many values came in each form. */
export function formatCounts(dates: ReadonlyMap<DateFormat, number>): string {
  return [...dates].map(([format, n]) => `${n} ${format}`).join(', ');
}

/**
 * Why a datetime column is not a default feature: a one-hot of every date only memorises rows,
 * and live dates are never among the training ones. Expanding it is one hint away.
 */
export function dateExclusion(distinct: number): Pick<ColumnInference, 'kind' | 'excluded'> {
  return {
    kind: 'date',
    excluded: `datetime (${distinct} distinct): never one-hot encoded; left out of default features — hint "exclude": false (or list it in spec.features) to expand it into year, month, day-of-week and hour features`,
  };
}

/**
 * A column whose every value (missing-value tokens aside) is a date or date-time: `datetime`,
 * its cells stored as ISO 8601, excluded from default features (dateExclusion).
 */
export function datetimeDecision(c: {
  name: string;
  dates: ReadonlyMap<DateFormat, number>;
  distinct: number;
  /** Tokens read as missing ("n/a", "-", …) and how many cells they are. */
  extra: Set<string>;
  tokenCells: number;
  nullable: boolean;
  /** Set when a hint asked for the type: quoted instead of "every value is". */
  askedBy?: string;
}): Decision {
  const listed = [...c.extra].map((t) => JSON.stringify(t)).join(', ');
  const tokens =
    c.tokenCells > 0 ? `, ${c.tokenCells} missing-value token(s) ${listed} read as missing` : '';
  const reason = c.askedBy
    ? `datetime as asked by ${c.askedBy} (${formatCounts(c.dates)}${tokens})`
    : `every value is a date or date-time (${formatCounts(c.dates)}${tokens}): stored as ISO 8601`;
  return {
    column: { name: c.name, type: 'datetime', nullable: c.nullable || c.tokenCells > 0 },
    reason,
    extra: c.extra,
    excluded: dateExclusion(c.distinct),
  };
}
