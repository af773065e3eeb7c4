import { feedbackItemSchema } from '@mlops/contracts';
import { describe, expect, it } from 'vitest';
import { PREDICTION_ID_BYTES, PredictionIds } from '../src/inference/prediction-ids';

describe('PredictionIds', () => {
  it('never hands out the same id twice, across calls and pool refills', () => {
    const ids = new PredictionIds();
    const taken = [...ids.take(1), ...ids.take(1_500), ...ids.take(3)];
    expect(taken).toHaveLength(1_504);
    expect(new Set(taken).size).toBe(1_504);
  });

  it('carries at least 96 random bits in each id, with no shared prefix or counter', () => {
    const [a, b] = new PredictionIds().take(2);
    expect(PREDICTION_ID_BYTES * 8).toBeGreaterThanOrEqual(96);
    expect(Buffer.from(a!, 'base64url')).toHaveLength(PREDICTION_ID_BYTES);
    // Consecutive ids share no prefix beyond chance (the old scheme shared 24 hex characters).
    let common = 0;
    while (a![common] === b![common]) common++;
    expect(common).toBeLessThan(6);
  });

  it('makes ids that feedback accepts', () => {
    const [id] = new PredictionIds().take(1);
    expect(feedbackItemSchema.safeParse({ predictionId: id, value: 1 }).success).toBe(true);
  });
});
