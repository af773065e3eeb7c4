import type { ColumnHint } from '@mlops/contracts';
import { categorical, tokensOf, type ColumnStats } from './column-stats';
import { datetimeDecision, type Decision } from './dates';
import { askedBy, hintMismatch } from './hints';

/** The type a hint asked for, when the values fit it; else a 400 naming the column. */
export function hintedDecision(
  name: string,
  s: ColumnStats,
  type: NonNullable<ColumnHint['type']>,
  from: 'hints' | 'categorical',
): Decision {
  const asked = askedBy(from);
  const { extra, tokenCells } = tokensOf(s);
  const first = (v?: { value: string; row: number }) =>
    v ? ` (first: ${JSON.stringify(v.value)} in row ${v.row})` : '';
  switch (type) {
    case 'categorical':
      return {
        column: categorical(name, s),
        reason: `categorical as asked by ${asked}`,
        extra: new Set(),
      };
    case 'numeric':
      if (s.notNumeric)
        throw hintMismatch(
          name,
          from,
          `type "numeric", but some values are not numbers${first(s.firstText)}`,
        );
      return {
        column: { name, type: 'numeric', nullable: s.nullable || tokenCells > 0 },
        reason: `numeric as asked by ${asked}${tokenCells > 0 ? `, ${tokenCells} missing-value token(s) read as missing` : ''}`,
        extra,
      };
    case 'boolean':
      if (!s.boolean || tokenCells > 0)
        throw hintMismatch(name, from, 'type "boolean", but some values are not true or false');
      return {
        column: { name, type: 'boolean', nullable: s.nullable },
        reason: `boolean as asked by ${asked}`,
        extra: new Set(),
      };
    case 'datetime':
      if (!s.dates)
        throw hintMismatch(
          name,
          from,
          `type "datetime", but some values are not dates${first(s.firstNotDate)}`,
        );
      return datetimeDecision({
        name,
        dates: s.dates,
        distinct: s.text.distinct,
        extra,
        tokenCells,
        nullable: s.nullable,
        askedBy: asked,
      });
  }
}
