import { randomBytes } from 'node:crypto';

/** Random bytes per id: 128 bits, as many as a v4 UUID carries (≥ 96 asked of any id). */
export const PREDICTION_ID_BYTES = 16;
/** Ids' worth of random bytes drawn at once: one `randomBytes` call per this many ids. */
const POOL_IDS = 1_024;

/**
 * Prediction ids: 128 random bits each, base64url (22 characters), e.g. `Vq3…x9A`. Feedback
 * names a prediction by its id, so an id must not be guessable: a per-process prefix with a
 * counter (the previous scheme, `<hex>-0`, `-1`, …) let anyone who saw one id file labels for
 * every other client's next predictions. Bytes come from a pool refilled every POOL_IDS ids,
 * because a `randomBytes` call per row cost about 1% of a 1-row prediction's CPU.
 */
export class PredictionIds {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** `n` fresh ids. */
  take(n: number): string[] {
    const ids = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      if (this.offset + PREDICTION_ID_BYTES > this.pool.length) {
        this.pool = randomBytes(PREDICTION_ID_BYTES * POOL_IDS);
        this.offset = 0;
      }
      ids[i] = this.pool.toString('base64url', this.offset, this.offset + PREDICTION_ID_BYTES);
      this.offset += PREDICTION_ID_BYTES;
    }
    return ids;
  }
}
