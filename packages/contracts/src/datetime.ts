/**
 * Dates and date-times the platform reads, in the forms data files write them without
 * ambiguity: ISO 8601 (`2014-01-31`, `2014-01-31T10:00:00Z`, `2014-01-31 10:00`, with optional
 * seconds, fraction and offset), `2014/01/31` and `31.01.2014` (day first, as dots mean in
 * Europe), each with an optional ` HH:MM[:SS]`. `01/02/2014` is not one: month or day first?
 */
export type DateFormat = 'ISO 8601' | 'YYYY/MM/DD' | 'DD.MM.YYYY';

export interface DateTimeParts {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** 0–23 and 0–59; 0 when the cell has no time. */
  hour: number;
  minute: number;
  hasTime: boolean;
  format: DateFormat;
  /** The cell as ISO 8601: the date, then `T` and the time (and offset) when it has one. */
  iso: string;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})((?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?))?$/;
const SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})(?:[T ](\d{2}):(\d{2})(:\d{2})?)?$/;
const DOT = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[T ](\d{2}):(\d{2})(:\d{2})?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function build(
  format: DateFormat,
  y: string,
  mo: string,
  d: string,
  h: string | undefined,
  mi: string | undefined,
  rest: string | undefined,
): DateTimeParts | undefined {
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const hasTime = h !== undefined;
  const [hour, minute] = hasTime ? [Number(h), Number(mi)] : [0, 0];
  if (hour > 23 || minute > 59) return undefined;
  const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const iso = hasTime ? `${date}T${h}:${mi}${(rest ?? '').replace(',', '.')}` : date;
  return { year, month, day, hour, minute, hasTime, format, iso };
}

/** The parts of a date or date-time cell, or undefined when it is not one (or not a real day). */
export function parseDateTime(value: string): DateTimeParts | undefined {
  const s = value.trim();
  // Shortest form is 8 characters (1.1.2014); longest ISO with offset and fraction is ~35.
  if (s.length < 8 || s.length > 40) return undefined;
  let m = ISO.exec(s);
  if (m) return build('ISO 8601', m[1]!, m[2]!, m[3]!, m[4], m[5], m[6]);
  m = SLASH.exec(s);
  if (m) return build('YYYY/MM/DD', m[1]!, m[2]!, m[3]!, m[4], m[5], m[6]);
  m = DOT.exec(s);
  if (m) return build('DD.MM.YYYY', m[3]!, m[2]!, m[1]!, m[4], m[5], m[6]);
  return undefined;
}

/** Day of the week, 0 = Sunday, of the date as written (the offset does not move it). */
export function dayOfWeek(parts: Pick<DateTimeParts, 'year' | 'month' | 'day'>): number {
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
}
