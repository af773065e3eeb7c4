/**
 * Distinct rows remembered for duplicate counting. Past it, later new rows are no longer
 * remembered, so the count is a lower bound.
 */
export const DUPLICATE_TRACK_LIMIT = 2_000_000;
/** Slots of the table at the limit: a power of two, at most half full. */
const MAX_SLOTS = 1 << 22;
const FIRST_SLOTS = 1 << 10;

/**
 * Counts rows identical to an earlier row, by a 64-bit digest of each row's canonical line (the
 * same bytes the dataset hash reads, so two rows are duplicates exactly when their cells are
 * equal, but for digest collisions: odds ~1e-7 among 2M distinct rows).
 *
 * The digests live in an open-addressing table of 32-bit pairs, grown by doubling up to 32 MiB
 * at the limit: 8–16 bytes a distinct row outside the JS heap, where a Set of digest strings
 * cost ~90 bytes a row and kept the garbage collector walking it. The digest is computed in
 * JavaScript: a crypto hash per row was a native call and an allocation per row.
 */
export class DuplicateCounter {
  private slots = new Uint32Array(FIRST_SLOTS * 2);
  private mask = FIRST_SLOTS - 1;
  private size = 0;
  private duplicates = 0;

  add(canonicalLine: string): void {
    const n = canonicalLine.length;
    // Two 32-bit hashes of different families (FNV-1a and a multiply-rotate), each finished
    // with murmur3's avalanche, make the 64-bit digest.
    let a = 0x811c9dc5;
    let b = 0x9747b28c ^ n;
    for (let i = 0; i < n; i++) {
      const c = canonicalLine.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b = (b << 13) | (b >>> 19);
    }
    this.insert(a, b);
  }

  /**
   * A line given as ASCII bytes `bytes[start, end)`: the digest `add` computes for the same
   * characters as a string (one byte a UTF-16 unit), without decoding them into one. A line with
   * a byte from 0x80 up must be given to `add` as its string instead.
   */
  addAscii(bytes: Uint8Array, start: number, end: number): void {
    let a = 0x811c9dc5;
    let b = 0x9747b28c ^ (end - start);
    for (let i = start; i < end; i++) {
      const c = bytes[i] as number;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b = (b << 13) | (b >>> 19);
    }
    this.insert(a, b);
  }

  private insert(rawA: number, rawB: number): void {
    const a = fmix(rawA);
    let b = fmix(rawB);
    if (a === 0 && b === 0) b = 1; // 0/0 marks an empty slot
    const slots = this.slots;
    let i = a & this.mask;
    for (;;) {
      const sa = slots[2 * i];
      const sb = slots[2 * i + 1];
      if (sa === 0 && sb === 0) break;
      if (sa === a && sb === b) {
        this.duplicates += 1;
        return;
      }
      i = (i + 1) & this.mask;
    }
    if (this.size >= DUPLICATE_TRACK_LIMIT) return;
    slots[2 * i] = a;
    slots[2 * i + 1] = b;
    this.size += 1;
    if (this.size * 2 > this.mask + 1 && this.mask + 1 < MAX_SLOTS) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const count = (this.mask + 1) * 2;
    this.slots = new Uint32Array(count * 2);
    this.mask = count - 1;
    for (let j = 0; j < old.length; j += 2) {
      const a = old[j] ?? 0;
      const b = old[j + 1] ?? 0;
      if (a === 0 && b === 0) continue;
      let i = a & this.mask;
      while (this.slots[2 * i] !== 0 || this.slots[2 * i + 1] !== 0) i = (i + 1) & this.mask;
      this.slots[2 * i] = a;
      this.slots[2 * i + 1] = b;
    }
  }

  get count(): number {
    return this.duplicates;
  }
}

/** murmur3's 32-bit finaliser: every input bit flips about half the output bits. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
