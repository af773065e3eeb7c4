import {
  MAX_DRIFT_REFERENCE_ROWS,
  type TensorDriftReference,
  type TensorSignature,
} from '@mlops/contracts';
import { mulberry32, Reservoir } from '../profile/prng';
import { summarizeExample, tensorSummaryColumns, type SourceSize } from './tensor-summary';

/**
 * A tensor model's drift reference from its training examples: every example summarized by
 * the function serving logs with, and a seeded sample of at most MAX_DRIFT_REFERENCE_ROWS rows
 * kept (the same bound as a tabular profile's per-column sample). Same examples and seed, same
 * reference.
 */
export class TensorReferenceBuilder {
  private readonly columns: string[];
  private readonly reservoir: Reservoir<Array<number | string | null>>;
  private count = 0;

  constructor(
    private readonly signature: TensorSignature,
    opts: { seed: number; maxRows?: number },
  ) {
    this.columns = tensorSummaryColumns(signature);
    this.reservoir = new Reservoir(
      Math.min(opts.maxRows ?? MAX_DRIFT_REFERENCE_ROWS, MAX_DRIFT_REFERENCE_ROWS),
      mulberry32(opts.seed),
    );
  }

  /** One example; `sources`: the size of each input decoded from an encoded image. */
  add(
    example: Readonly<Record<string, ArrayLike<number>>>,
    sources?: Readonly<Record<string, SourceSize | undefined>>,
  ): void {
    const summary = summarizeExample(this.signature, example, sources);
    this.reservoir.add(this.columns.map((c) => summary[c] ?? null));
    this.count++;
  }

  finish(): TensorDriftReference {
    return { count: this.count, columns: this.columns, rows: this.reservoir.items };
  }
}
