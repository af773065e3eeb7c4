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

  it('reads models:/<name>@<alias> URIs into the model list and the followed alias', () => {
    const env = loadServingEnv({
      SERVING_MODELS: 'models:/iris@challenger, models:/wine@challenger',
    });
    expect(env.SERVING_MODELS).toEqual(['iris', 'wine']);
    expect(env.SERVING_ALIAS).toBe('challenger');
    const mixed = loadServingEnv({ SERVING_MODELS: 'iris,models:/wine@champion' });
    expect(mixed).toMatchObject({ SERVING_MODELS: ['iris', 'wine'], SERVING_ALIAS: 'champion' });
  });

  it('refuses URIs that pin a version, disagree on the alias or are malformed', () => {
    expect(() => loadServingEnv({ SERVING_MODELS: 'models:/iris/3' })).toThrow(
      /SERVING_MODELS: "models:\/iris\/3" pins version 3; serving follows an alias/,
    );
    expect(() =>
      loadServingEnv({ SERVING_MODELS: 'models:/iris@champion,models:/wine@challenger' }),
    ).toThrow(/SERVING_MODELS: .*different aliases \(champion, challenger\)/);
    expect(() =>
      loadServingEnv({ SERVING_MODELS: 'models:/iris@challenger', SERVING_ALIAS: 'champion' }),
    ).toThrow(/and SERVING_ALIAS name different aliases/);
    expect(() => loadServingEnv({ SERVING_MODELS: 'models:/Iris@champion' })).toThrow(
      /SERVING_MODELS: .*invalid model "Iris"/,
    );
  });

  it('names the variable that is wrong', () => {
    expect(() => loadServingEnv({ SERVING_MODELS: 'Bad/Name' })).toThrow(/SERVING_MODELS/);
    expect(() => loadServingEnv({ SERVING_LOG_SAMPLE_RATE: '2' })).toThrow(
      /SERVING_LOG_SAMPLE_RATE/,
    );
    expect(() => loadServingEnv({ SERVING_BACKEND: 'gpu' })).toThrow(/SERVING_BACKEND/);
  });
});
