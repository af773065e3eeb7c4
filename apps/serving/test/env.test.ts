import { describe, expect, it } from 'vitest';
import { loadServingEnv } from '../src/env';

describe('serving env', () => {
  it('has the documented defaults', () => {
    const env = loadServingEnv({});
    expect(env).toMatchObject({
      SERVING_PORT: 7601,
      SERVING_MODELS: [],
      SERVING_ALIAS: 'champion',
      SERVING_RECONCILE_MS: 30_000,
      SERVING_MAX_BATCH_ROWS: 256,
      SERVING_MAX_LATENCY_MS: 0,
      SERVING_LOG_SAMPLE_RATE: 1,
      SERVING_MAX_BODY_BYTES: 5 * 1024 * 1024,
      SERVING_BACKEND: 'auto',
      MLOPS_REDIS_PREFIX: 'mlops',
    });
  });

  it('parses the model list', () => {
    expect(loadServingEnv({ SERVING_MODELS: ' iris, wine ,' }).SERVING_MODELS).toEqual([
      'iris',
      'wine',
    ]);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadServingEnv({ SERVING_MODELS: 'Bad/Name' })).toThrow(/SERVING_MODELS/);
    expect(() => loadServingEnv({ SERVING_LOG_SAMPLE_RATE: '2' })).toThrow(
      /SERVING_LOG_SAMPLE_RATE/,
    );
    expect(() => loadServingEnv({ SERVING_BACKEND: 'gpu' })).toThrow(/SERVING_BACKEND/);
  });
});
