import {
  MAX_DRIFT_REFERENCE_ROWS,
  type TensorDriftReference,
  type TensorSignature,
} from '@mlops/contracts';
import { mulberry32 } from '../profile/prng';
import { summarizeExample, tensorSummaryColumns, type SourceSize } from './tensor-summary';

type Row = TensorDriftReference['rows'][number];

/**
 * A tensor model's drift reference from its training examples: a seeded uniform sample of at
 * most MAX_DRIFT_REFERENCE_ROWS examples (the same bound as a tabular profile's per-column
 * sample), each summarized by the function serving logs with. Same examples and seed, same
 * reference.
 *
 * The sample is Algorithm R, decided before the summary is computed: an example the sample
 * does not keep is never summarized, so 100,000 training images of 224×224 cost the summaries
 * of the ≈ 1,000·(1 + ln 100) ≈ 5,600 that ever enter the sample, not 100,000 of them.
 */
export class TensorReferenceBuilder {
  private readonly columns: string[];
  private readonly rows: Row[] = [];
  private readonly random: () => number;
  private readonly maxRows: number;
  private count = 0;

  constructor(
    private readonly signature: TensorSignature,
    opts: { seed: number; maxRows?: number },
  ) {
    this.columns = tensorSummaryColumns(signature);
    this.random = mulberry32(opts.seed);
    this.maxRows = Math.min(opts.maxRows ?? MAX_DRIFT_REFERENCE_ROWS, MAX_DRIFT_REFERENCE_ROWS);
  }

  /** One example; `sources`: the size of each input decoded from an encoded image. */
  add(
    example: Readonly<Record<string, ArrayLike<number>>>,
    sources?: Readonly<Record<string, SourceSize | undefined>>,
  ): void {
    this.count++;
    let slot = this.rows.length;
    if (slot >= this.maxRows) {
      slot = Math.floor(this.random() * this.count);
      if (slot >= this.maxRows) return;
    }
    const summary = summarizeExample(this.signature, example, sources);
    this.rows[slot] = this.columns.map((c) => summary[c] ?? null);
  }

  finish(): TensorDriftReference {
    return { count: this.count, columns: this.columns, rows: this.rows };
  }
}
