import {
  AppError,
  schemaHintsSchema,
  zodIssuesToDetails,
  type ColumnHint,
  type ColumnInference,
  type DatasetUploadQuery,
} from '@mlops/contracts';

/** Per column: the hint, and the query parameter it came from (quoted in errors and reasons). */
export type Hints = Map<string, { hint: ColumnHint; from: 'hints' | 'categorical' }>;

/**
 * `?hints=` (JSON of SchemaHints) and `?categorical=a,b` (the older way to say `type:
 * categorical`) as one map. A column named by both keeps the hint file's entry.
 */
export function parseHints(query: Pick<DatasetUploadQuery, 'hints' | 'categorical'>): Hints {
  const hints: Hints = new Map();
  for (const name of (query.categorical ?? '').split(',').map((s) => s.trim()))
    if (name) hints.set(name, { hint: { type: 'categorical' }, from: 'categorical' });
  if (query.hints === undefined) return hints;
  let value: unknown;
  try {
    value = JSON.parse(query.hints);
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      'hints must be JSON of {"columns": {"<column>": {"type"?: "numeric|categorical|boolean|datetime", "exclude"?: true|false}}}',
      [{ path: 'hints', message: 'not valid JSON' }],
    );
  }
  const parsed = schemaHintsSchema.safeParse(value);
  if (!parsed.success) {
    const details = zodIssuesToDetails(parsed.error.issues).map((d) => ({
      ...d,
      path: `hints.${d.path ?? ''}`,
    }));
    throw new AppError(
      'VALIDATION_FAILED',
      `schema hints are not valid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
      details,
    );
  }
  for (const [name, hint] of Object.entries(parsed.data.columns))
    hints.set(name, { hint, from: 'hints' });
  return hints;
}

/** Where a hint about `name` sits in the request: the `path` of an error detail. */
export function hintPath(name: string, from: 'hints' | 'categorical'): string {
  return from === 'hints' ? `hints.columns.${name}` : 'categorical';
}

/** A hint names a column the dataset lacks: 400 naming it, not a silent no-op. */
export function checkHintColumns(header: readonly string[], hints: Hints): void {
  const known = new Set(header);
  const unknown = [...hints].filter(([name]) => !known.has(name));
  if (unknown.length === 0) return;
  throw new AppError(
    'VALIDATION_FAILED',
    `schema hints name ${unknown.map(([n]) => `"${n}"`).join(', ')}, not a column of the dataset (columns: ${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''})`,
    unknown.map(([name, { from }]) => ({
      path: hintPath(name, from),
      message: `unknown column "${name}"`,
    })),
  );
}

/** A type hint the values do not fit: 400 naming the column and the first value that does not. */
export function hintMismatch(name: string, from: 'hints' | 'categorical', why: string): AppError {
  return new AppError('VALIDATION_FAILED', `schema hint for column "${name}": ${why}`, [
    { path: hintPath(name, from), message: why },
  ]);
}

const FROM: Record<'hints' | 'categorical', string> = {
  hints: 'the schema hints',
  categorical: '?categorical=',
};

/**
 * Apply a column's `exclude` hint to its inference entry: `true` leaves it out of default
 * features whatever inference said; `false` keeps it in, saying what inference had said.
 */
export function applyExclusionHint(
  entry: ColumnInference,
  hint: ColumnHint,
  from: 'hints' | 'categorical',
): void {
  entry.hint = hint;
  if (hint.exclude === true) entry.excluded = `excluded as asked by ${FROM[from]}`;
  else if (hint.exclude === false && entry.excluded) {
    // The head of the exclusion ("datetime (84 distinct)") says enough beside the reason.
    const said = entry.excluded.split(':')[0];
    entry.reason += `; kept as a feature as asked by ${FROM[from]} (inference would exclude it: ${said})`;
    if (entry.type === 'datetime')
      entry.reason += ', expanded into year, cyclical month, day-of-week and hour features';
    delete entry.excluded;
  }
}

export function askedBy(from: 'hints' | 'categorical'): string {
  return FROM[from];
}
