/**
 * A syntax check of cron expressions as BullMQ's scheduler reads them (cron-parser): 5 fields
 * (minute hour day-of-month month day-of-week) or 6 with leading seconds. Pure and small so the
 * dashboard and the CLI can check a definition without the parser; the registry still lets
 * BullMQ refuse what slips through. Answers the problem, or null when the expression is fine.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** 1 when names map to 1.. (months), 0 when to 0.. (days). */
  nameBase?: number;
}

const FIELDS: Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

function value(text: string, f: Field): number | null {
  if (/^\d{1,2}$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + (f.nameBase ?? 0) : null;
}

function checkPart(part: string, f: Field): string | null {
  // L (last day), W (weekday) and # (nth weekday) are day fields' extensions cron-parser knows.
  if (f.name === 'day of month' && /^(L|\d{1,2}W|LW)$/.test(part)) return null;
  if (f.name === 'day of week' && /^(\d|[a-z]{3})(L|#[1-5])$/i.test(part)) return null;
  const [range = '', step, extra] = part.split('/');
  if (extra !== undefined) return `"${part}" has two "/"`;
  if (step !== undefined && !/^[1-9]\d{0,2}$/.test(step)) return `bad step "/${step}"`;
  if (range === '*' || range === '?') return null;
  const [from = '', to, more] = range.split('-');
  if (more !== undefined) return `bad range "${range}"`;
  const lo = value(from, f);
  const hi = to === undefined ? lo : value(to, f);
  if (lo === null || hi === null) return `"${range}" is not a ${f.name}`;
  if (lo < f.min || hi > f.max) return `must be ${f.min}-${f.max}, got "${range}"`;
  if (lo > hi) return `range "${range}" goes backwards`;
  return null;
}

export function cronIssue(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day month weekday) or 6 with leading seconds, got ${fields.length}`;
  }
  const specs = fields.length === 6 ? FIELDS : FIELDS.slice(1);
  for (const [i, text] of fields.entries()) {
    const f = specs[i] as Field;
    for (const part of text.split(',')) {
      const issue = part === '' ? `empty list item in "${text}"` : checkPart(part, f);
      if (issue) return `${f.name} field: ${issue}`;
    }
  }
  return null;
}

/** Whether `tz` is an IANA time zone the runtime knows (BullMQ computes the next tick in it). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
