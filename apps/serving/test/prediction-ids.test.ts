import { feedbackItemSchema } from '@mlops/contracts';
import { describe, expect, it } from 'vitest';
import { PredictionIds } from '../src/inference/prediction-ids';

describe('PredictionIds', () => {
  it('never hands out the same id twice, across calls', () => {
    const ids = new PredictionIds();
    const taken = [...ids.take(1), ...ids.take(500), ...ids.take(3)];
    expect(taken).toHaveLength(504);
    expect(new Set(taken).size).toBe(504);
  });

  it('draws a different random prefix in each process (here: each instance)', () => {
    const prefix = (id: string) => id.slice(0, id.lastIndexOf('-'));
    const a = new PredictionIds().take(1)[0]!;
    const b = new PredictionIds().take(1)[0]!;
    expect(prefix(a)).toMatch(/^[0-9a-f]{24}$/);
    expect(prefix(b)).not.toBe(prefix(a));
  });

  it('makes ids that feedback accepts', () => {
    const [id] = new PredictionIds().take(1);
    expect(feedbackItemSchema.safeParse({ predictionId: id, value: 1 }).success).toBe(true);
  });
});
