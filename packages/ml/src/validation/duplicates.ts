import { createHash } from 'node:crypto';

/**
 * Distinct rows remembered for duplicate counting: a 12-byte digest each (~100 MB at the cap in
 * a Set of strings). Past it, later rows are no longer remembered, so the count is a lower bound.
 */
export const DUPLICATE_TRACK_LIMIT = 2_000_000;

/**
 * Counts rows identical to an earlier row, by a digest of each row's canonical line (the same
 * bytes the dataset hash reads, so two rows are duplicates exactly when their cells are equal).
 */
export class DuplicateCounter {
  private readonly seen = new Set<string>();
  private duplicates = 0;

  add(canonicalLine: string): void {
    // sha1 truncated to 96 bits: a false duplicate among 2M rows has odds ~1e-17.
    const key = createHash('sha1').update(canonicalLine).digest('base64').slice(0, 16);
    if (this.seen.has(key)) this.duplicates += 1;
    else if (this.seen.size < DUPLICATE_TRACK_LIMIT) this.seen.add(key);
  }

  get count(): number {
    return this.duplicates;
  }
}
