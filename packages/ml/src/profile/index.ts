import type { CellValue, Column, DataRow, DatasetProfile } from '@mlops/contracts';
import { CategoricalAccumulator } from './categorical';
import { NumericAccumulator } from './numeric';
import { mulberry32 } from './prng';

export { mulberry32, Reservoir } from './prng';
export { EXACT_HISTOGRAM_LIMIT, DISTINCT_CAP } from './numeric';
export { TOP_FREQUENCIES } from './categorical';

export interface ProfileOptions {
  /** PRNG seed of the reservoir samples (default 42). */
  seed?: number;
  /** Size of each column's reservoir sample (default 1000). */
  sampleSize?: number;
  /** Histogram bins of numeric columns (default 20). */
  bins?: number;
}

/** Streaming profile of rows: `add` each row, then `finish` once. */
export class ProfileBuilder {
  private rowCount = 0;
  private readonly accumulators: Array<NumericAccumulator | CategoricalAccumulator>;

  constructor(
    private readonly columns: Column[],
    opts: ProfileOptions = {},
  ) {
    const seed = opts.seed ?? 42;
    const sampleSize = opts.sampleSize ?? 1000;
    const bins = opts.bins ?? 20;
    // One generator per column, derived from the seed, so adding a column does not change the
    // samples of the others.
    this.accumulators = columns.map((c, i) => {
      const random = mulberry32((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0);
      return c.type === 'numeric'
        ? new NumericAccumulator(c.name, bins, sampleSize, random)
        : new CategoricalAccumulator(c.name, c.type, sampleSize, random);
    });
  }

  add(row: DataRow): void {
    this.rowCount += 1;
    this.columns.forEach((c, i) => this.accumulators[i]?.add(row[c.name] ?? null));
  }

  /** A row as its values in column order: what ingest has, without an object a row. */
  addValues(values: ReadonlyArray<CellValue>): void {
    this.rowCount += 1;
    const { accumulators } = this;
    for (let i = 0; i < accumulators.length; i++) accumulators[i]?.add(values[i] ?? null);
  }

  finish(): DatasetProfile {
    return { rowCount: this.rowCount, columns: this.accumulators.map((a) => a.finish()) };
  }
}

/** Profile of a whole collection of rows (see ProfileBuilder). */
export function profileRows(
  columns: Column[],
  rows: Iterable<DataRow>,
  opts?: ProfileOptions,
): DatasetProfile {
  const builder = new ProfileBuilder(columns, opts);
  for (const row of rows) builder.add(row);
  return builder.finish();
}
