import { dayOfWeek, parseDateTime, type CellValue, type FeatureTransform } from '@mlops/contracts';

type DateTimeTransform = Extract<FeatureTransform, { kind: 'datetime' }>;

/** Derived feature names of a datetime transform, in model-input order (for people and tests). */
export function datetimeFeatureNames(t: DateTimeTransform): string[] {
  const parts = ['year', 'month_sin', 'month_cos', 'weekday_sin', 'weekday_cos'];
  if (t.hour) parts.push('hour_sin', 'hour_cos');
  return parts.map((p) => `${t.column}.${p}`);
}

export function datetimeWidth(t: DateTimeTransform): number {
  return t.hour ? 7 : 5;
}

/**
 * Year moments and whether any value has a time, over a column's training values — what a
 * datetime transform is fitted from. Streaming: constant memory.
 */
export class DateTimeAccumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private times = false;

  add(v: CellValue | undefined): void {
    if (typeof v !== 'string') return;
    const parts = parseDateTime(v);
    if (!parts) return;
    if (parts.hasTime) this.times = true;
    this.n++;
    const d = parts.year - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (parts.year - this.mean);
  }

  finish(column: string): DateTimeTransform {
    const std = this.n === 0 ? 1 : Math.sqrt(this.m2 / this.n);
    // One year only (a few months of data): std 0 would divide by zero; 1 keeps it at 0.
    return {
      kind: 'datetime',
      column,
      year: { mean: this.mean, std: std > 1e-9 ? std : 1 },
      hour: this.times,
    };
  }
}

const TAU = 2 * Math.PI;

/**
 * Writes the derived features of one cell. A missing or unreadable value writes zeros: the year
 * at its training mean and each cycle at its centre, which no real date takes.
 */
export function writeDateTime(
  t: DateTimeTransform,
  v: CellValue | undefined,
  out: Float32Array,
  offset: number,
): void {
  const parts = typeof v === 'string' ? parseDateTime(v) : undefined;
  if (!parts) return;
  out[offset] = (parts.year - t.year.mean) / t.year.std;
  const month = (TAU * (parts.month - 1)) / 12;
  out[offset + 1] = Math.sin(month);
  out[offset + 2] = Math.cos(month);
  const weekday = (TAU * dayOfWeek(parts)) / 7;
  out[offset + 3] = Math.sin(weekday);
  out[offset + 4] = Math.cos(weekday);
  if (t.hour) {
    const hour = (TAU * (parts.hour + parts.minute / 60)) / 24;
    out[offset + 5] = Math.sin(hour);
    out[offset + 6] = Math.cos(hour);
  }
}
