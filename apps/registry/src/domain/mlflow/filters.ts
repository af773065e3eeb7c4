import { AppError } from '@mlops/contracts';

// MLflow's search filters (`name LIKE '%iris%' AND tags.team = 'a'`) as a predicate. The
// subset the registry answers: `name`, `run_id` and `tags.<key>` compared with `=`, `!=`,
// `LIKE` or `ILIKE` to a single-quoted string, clauses joined by AND. Anything else is refused
// with MLflow's INVALID_PARAMETER_VALUE (400) naming the clause, never silently ignored.

export type FilterField = 'name' | 'run_id' | { tag: string };
export interface Clause {
  field: FilterField;
  op: '=' | '!=' | 'LIKE' | 'ILIKE';
  value: string;
}

const CLAUSE =
  /^\s*(name|run_id|tags\.(?:`([^`]{1,250})`|([\w.-]{1,250})))\s*(=|!=|ILIKE\b|LIKE\b)\s*'((?:[^'\\]|\\.|'')*)'\s*/i;

export function parseFilter(filter: string | undefined, fields: readonly string[]): Clause[] {
  const clauses: Clause[] = [];
  let rest = (filter ?? '').trim();
  while (rest.length > 0) {
    const m = CLAUSE.exec(rest);
    if (!m) throw badFilter(filter ?? '', rest);
    const [whole, rawField = '', quotedTag, plainTag, rawOp = '', rawValue = ''] = m;
    const lower = rawField.toLowerCase();
    const field: FilterField = lower.startsWith('tags.')
      ? { tag: quotedTag ?? plainTag ?? '' }
      : (lower as 'name' | 'run_id');
    if (!fields.includes(typeof field === 'string' ? field : 'tags'))
      throw badFilter(filter ?? '', rest);
    const value = rawValue.replace(/''/g, "'").replace(/\\(.)/g, '$1');
    clauses.push({ field, op: rawOp.toUpperCase() as Clause['op'], value });
    rest = rest.slice(whole.length);
    const and = /^AND\s+/i.exec(rest);
    if (and) rest = rest.slice(and[0].length);
    else if (rest.length > 0) throw badFilter(filter ?? '', rest);
  }
  return clauses;
}

function badFilter(filter: string, at: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    `filter: cannot read ${JSON.stringify(at.slice(0, 80))} in ${JSON.stringify(filter.slice(0, 200))}; supported: name, run_id (versions) and tags.<key> compared with =, !=, LIKE or ILIKE to a 'quoted' string, joined by AND`,
    [{ path: 'filter', message: 'unsupported filter' }],
  );
}

function likeRegex(pattern: string, insensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, insensitive ? 'is' : 's');
}

export function matches(clause: Clause, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  switch (clause.op) {
    case '=':
      return actual === clause.value;
    case '!=':
      return actual !== clause.value;
    case 'LIKE':
      return likeRegex(clause.value, false).test(actual);
    case 'ILIKE':
      return likeRegex(clause.value, true).test(actual);
  }
}

/** The exact value a clause pins `field` to, to narrow the database query. */
export function exactValue(clauses: Clause[], field: 'name' | 'run_id'): string | undefined {
  return clauses.find((c) => c.field === field && c.op === '=')?.value;
}

/** The longest literal run of a LIKE pattern on `name`, for a `name LIKE %…%` query. */
export function nameFragment(clauses: Clause[]): string | undefined {
  const like = clauses.find((c) => c.field === 'name' && c.op === 'LIKE');
  if (!like) return undefined;
  const parts = like.value.split(/[%_]/).sort((a, b) => b.length - a.length);
  return parts[0] || undefined;
}

/** Page tokens are opaque to MLflow clients: base64url JSON of where the last page ended. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken<T>(
  token: string | undefined,
  check: (v: unknown) => v is T,
): T | undefined {
  if (token === undefined || token === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value))
    throw new AppError('VALIDATION_FAILED', 'page_token: not a token this registry issued', [
      { path: 'page_token', message: 'invalid page token' },
    ]);
  return value;
}

/** MLflow's `order_by`: the registry orders by name (versions: then newest first) only. */
export function checkOrderBy(orderBy: string[] | undefined, allowed: readonly string[]): void {
  for (const o of orderBy ?? []) {
    if (!allowed.includes(o.trim().replace(/\s+/g, ' ').toLowerCase()))
      throw new AppError(
        'VALIDATION_FAILED',
        `order_by: "${o.slice(0, 80)}" is not supported; results come ordered by name ASC${allowed.includes('version_number desc') ? ', version DESC' : ''}`,
        [{ path: 'order_by', message: 'unsupported ordering' }],
      );
  }
}
