import type { CellValue, ColumnProfile } from '@mlops/contracts';

export interface DistributionRow {
  label: string;
  /** Share of the training rows in this bin or category (0..1). */
  training: number;
  /** Share of the live rows. */
  live: number;
}

/** Index of the bin of `v` among ascending `edges`; values outside go to the outer bins. */
function binOf(edges: readonly number[], v: number): number {
  const bins = edges.length - 1;
  for (let i = 1; i < bins; i++) if (v < edges[i]!) return i - 1;
  return bins - 1;
}

const share = (counts: readonly number[]) => {
  const total = counts.reduce((a, c) => a + c, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
};

/**
 * Live values next to the training profile, as shares per bin (numeric: the training
 * histogram's own edges) or per category, so samples of different sizes compare directly.
 */
export function compareDistribution(
  profile: ColumnProfile,
  live: readonly CellValue[],
): DistributionRow[] {
  if (profile.type === 'numeric') {
    const { edges, counts } = profile.histogram;
    if (edges.length < 2) return [];
    const liveCounts = new Array<number>(counts.length).fill(0);
    for (const v of live) {
      if (typeof v === 'number' && Number.isFinite(v)) liveCounts[binOf(edges, v)]! += 1;
    }
    const t = share(counts);
    const l = share(liveCounts);
    return counts.map((_, i) => ({
      label: `${round(edges[i]!)}–${round(edges[i + 1]!)}`,
      training: t[i] ?? 0,
      live: l[i] ?? 0,
    }));
  }
  const categories = Object.keys(profile.frequencies);
  const liveCounts = new Map<string, number>();
  for (const v of live) {
    if (v === null) continue;
    const key = String(v);
    liveCounts.set(key, (liveCounts.get(key) ?? 0) + 1);
  }
  // Categories never seen in training are what drift is about: keep them in view.
  for (const key of liveCounts.keys()) if (!categories.includes(key)) categories.push(key);
  const t = share(categories.map((c) => profile.frequencies[c] ?? 0));
  const l = share(categories.map((c) => liveCounts.get(c) ?? 0));
  return categories.map((label, i) => ({ label, training: t[i] ?? 0, live: l[i] ?? 0 }));
}

function round(v: number): string {
  return String(Number(v.toPrecision(3)));
}
