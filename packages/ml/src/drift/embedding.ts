import { mulberry32 } from '../split/split';
import { median } from '../stats/quantile';
import { ks2Samp } from './ks';

/**
 * Drift of embeddings (one vector per row), after Evidently's embedding-drift methods:
 * - `mmd`: the maximum mean discrepancy between the two samples with a Gaussian (RBF) kernel
 *   whose width is the median pairwise distance of the pooled sample (the median heuristic),
 *   and a permutation test for its p-value;
 * - `share_of_drifted_components`: each vector component tested on its own (two-sample KS),
 *   the share of components that drifted.
 */

export interface MmdOptions {
  /** Permutations of the p-value (default 200). */
  permutations?: number;
  /** Seed of the permutations and of the subsampling: one input, one answer. */
  seed?: number;
  /**
   * Rows kept per sample (seeded subsample beyond it): the test costs O((n+m)² · permutations),
   * 300 + 300 rows and 200 permutations are ≈ 40 M kernel lookups — tens of milliseconds.
   */
  maxRows?: number;
}

export interface MmdResult {
  /** Unbiased MMD² of the two samples (may be slightly negative when they match). */
  statistic: number;
  /** (1 + permutations at least as extreme) / (1 + permutations). */
  pValue: number;
  /** σ² of the kernel exp(−‖a−b‖² / 2σ²). */
  bandwidth: number;
  permutations: number;
}

function subsample<T>(rows: readonly T[], max: number, random: () => number): T[] {
  if (rows.length <= max) return [...rows];
  const copy = [...rows];
  // Partial Fisher–Yates: the first `max` entries are a uniform sample without replacement.
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, max);
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    const t = a[k]! - b[k]!;
    d += t * t;
  }
  return d;
}

/**
 * The pooled kernel matrix and what every relabelling shares: with X the first sample's rows,
 * Σ_{X×X} k = xx, the sum of X's full row sums = 2·xx + xy, and the sum over all pairs = xx +
 * xy + yy. So one permutation needs only xx — the pairs within X, a quarter of all pairs when
 * the samples are equal — instead of a pass over every pair.
 */
class PooledKernel {
  private readonly rowSums: Float64Array;
  private readonly total: number;

  constructor(
    private readonly k: Float64Array,
    private readonly n: number,
  ) {
    this.rowSums = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) if (j !== i) s += k[i * n + j]!;
      this.rowSums[i] = s;
      total += s;
    }
    this.total = total / 2;
  }

  /** Unbiased MMD² when rows `order[0…nx)` are the first sample and the rest the second. */
  mmd2(order: Uint32Array, nx: number): number {
    const { k, n } = this;
    let xx = 0;
    let rows = 0;
    for (let a = 0; a < nx; a++) {
      const i = order[a]!;
      rows += this.rowSums[i]!;
      const at = i * n;
      for (let b = a + 1; b < nx; b++) xx += k[at + order[b]!]!;
    }
    const xy = rows - 2 * xx;
    const yy = this.total - xx - xy;
    const ny = n - nx;
    return (2 * xx) / (nx * (nx - 1)) + (2 * yy) / (ny * (ny - 1)) - (2 * xy) / (nx * ny);
  }
}

/** MMD two-sample test of reference `x` against current `y` (rows of equal length, ≥ 2 each). */
export function mmdTest(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
  opts: MmdOptions = {},
): MmdResult {
  const permutations = opts.permutations ?? 200;
  const random = mulberry32(opts.seed ?? 0);
  const maxRows = opts.maxRows ?? 300;
  const a = subsample(x, maxRows, random);
  const b = subsample(y, maxRows, random);
  if (a.length < 2 || b.length < 2) throw new RangeError('mmdTest needs two rows in each sample');
  const pooled = [...a, ...b];
  const n = pooled.length;
  const k = new Float64Array(n * n);
  const upper = new Float64Array((n * (n - 1)) / 2);
  let u = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      upper[u++] = k[i * n + j] = k[j * n + i] = squaredDistance(pooled[i]!, pooled[j]!);
  // The median heuristic: σ² = median ‖a−b‖² / 2, i.e. exp(−‖a−b‖² / median). Identical rows
  // everywhere (median 0) would divide by zero; any width then gives the same answer.
  const med = median(upper);
  const bandwidth = med > 0 ? med / 2 : 1;
  for (let i = 0; i < n * n; i++) k[i] = Math.exp(-k[i]! / (2 * bandwidth));
  const kernel = new PooledKernel(k, n);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const statistic = kernel.mmd2(order, a.length);
  let extreme = 0;
  for (let p = 0; p < permutations; p++) {
    // A uniformly random first sample of the same size: a partial Fisher–Yates shuffle.
    for (let i = 0; i < a.length; i++) {
      const j = i + Math.floor(random() * (n - i));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    if (kernel.mmd2(order, a.length) >= statistic) extreme++;
  }
  return { statistic, pValue: (1 + extreme) / (1 + permutations), bandwidth, permutations };
}

export interface ComponentShareResult {
  /** Components whose KS p-value is below the threshold, over all components. */
  share: number;
  drifted: number;
  components: number;
}

/** Share of drifted components: two-sample KS per component at `pValueThreshold`. */
export function shareOfDriftedComponents(
  x: readonly (readonly number[])[],
  y: readonly (readonly number[])[],
  pValueThreshold: number,
): ComponentShareResult {
  const components = x[0]?.length ?? 0;
  let drifted = 0;
  for (let k = 0; k < components; k++) {
    const { pValue } = ks2Samp(
      x.map((r) => r[k]!),
      y.map((r) => r[k]!),
    );
    if (pValue < pValueThreshold) drifted++;
  }
  return { share: components === 0 ? 0 : drifted / components, drifted, components };
}
