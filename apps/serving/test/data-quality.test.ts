import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  parsePredictionLogMessage,
  predictResponseSchema,
  redisKeys,
  type PredictionLogEntry,
} from '@mlops/contracts';
import type { ServingApp } from '../src/app';
import { loadServingEnv } from '../src/env';
import { MemoryModelSource } from '../src/models/memory-source';
import {
  deleteKeys,
  eventually,
  postJson,
  REDIS_URL,
  startApp,
  testPrefix,
  tfError,
} from './support/app';
import { BundleFactory, publish } from './support/bundle';

/**
 * Unknown categories and numerics outside the training range (the test model: x, y in [-2, 2],
 * color blue|red): counted per feature in Prometheus, flagged per row in the payload log, and
 * an unknown category refused, imputed or answered as SERVING_UNKNOWN_CATEGORY says.
 */
const factory = new BundleFactory();
const source = new MemoryModelSource();
const prefixes: string[] = [];
const apps: ServingApp[] = [];
let redis: Redis;

async function serve(mode?: string): Promise<{ app: ServingApp; prefix: string }> {
  const prefix = testPrefix();
  prefixes.push(prefix);
  const app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'iris',
    ...(mode ? { SERVING_UNKNOWN_CATEGORY: mode } : {}),
  });
  apps.push(app);
  await eventually(() => app.serving.models.get('iris')?.loaded ?? undefined, 'iris loaded');
  return { app, prefix };
}

const predict = (app: ServingApp, instances: unknown[]) =>
  postJson(app, '/v1/models/iris:predict?format=platform', { instances });

async function metric(app: ServingApp, name: string, feature: string): Promise<number | null> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes(`feature="${feature}"`));
  return line ? Number(line.split(' ').at(-1)) : null;
}

/** The logged entries of `ids`, once all of them are in the stream. */
function logged(prefix: string, ids: string[]): Promise<PredictionLogEntry[]> {
  return eventually(async () => {
    const stream = await redis.xrangeBuffer(redisKeys(prefix).predictions('iris'), '-', '+');
    const entries = stream.flatMap(([, fields]) => parsePredictionLogMessage(fields) ?? []);
    const mine = ids.map((id) => entries.find((e) => e.id === id));
    return mine.every(Boolean) ? (mine as PredictionLogEntry[]) : undefined;
  }, 'the logged rows');
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  publish(source, 'iris', 1, await factory.next(10));
  source.setAlias('iris', 'champion', 1);
}, 60_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  factory.dispose();
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('SERVING_UNKNOWN_CATEGORY', () => {
  it('refuses an unknown category by default: 400 naming the feature and the value', async () => {
    const { app } = await serve();
    const res = await predict(app, [
      { x: 1, y: 1, color: 'red' },
      { x: 1, y: 1, color: 'Mars' },
    ]);
    expect(res.statusCode).toBe(400);
    const body = tfError(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details).toEqual([
      {
        path: 'instances[1].color',
        message: 'unknown category "Mars" for feature "color" (known: blue, red)',
      },
    ]);
    expect(body.message).toContain('SERVING_UNKNOWN_CATEGORY=error');
    // Open Inference Protocol v2 names it in its own vocabulary.
    const v2 = await postJson(app, '/v2/models/iris/infer', {
      inputs: [
        { name: 'x', shape: [1], datatype: 'FP32', data: [1] },
        { name: 'y', shape: [1], datatype: 'FP32', data: [1] },
        { name: 'color', shape: [1], datatype: 'BYTES', data: ['Mars'] },
      ],
    });
    expect(v2.statusCode).toBe(400);
    expect(v2.json<{ error: string }>().error).toContain('inputs[color].data[0]');
    expect(await metric(app, 'serving_unknown_categories_total', 'color')).toBe(2);
  });

  it('answers an unknown category as missing under `null`, flagged in the log', async () => {
    const { app, prefix } = await serve('null');
    // Missing is what the preprocessing imputes: the training's most frequent category.
    const oneHot = app.serving.models
      .get('iris')!
      .loaded!.manifest.preprocessing.features.find((f) => f.column === 'color');
    const imputed = oneHot?.kind === 'one-hot' ? oneHot.impute : 'none';
    const res = await predict(app, [
      { x: 1, y: -1, color: 'Mars' },
      { x: 1, y: -1, color: imputed },
      { x: 9, y: -1, color: 'blue' },
    ]);
    expect(res.statusCode).toBe(200);
    const body = predictResponseSchema.parse(res.json());
    expect(body.predictions[0]).toEqual(body.predictions[1]);
    const [mars, missing, far] = await logged(prefix, body.predictionIds);
    expect(mars!.features).toEqual({ x: 1, y: -1, color: null });
    expect(mars!.quality).toEqual({ unknownCategories: ['color'] });
    expect(missing!.quality).toBeUndefined();
    expect(far!.quality).toEqual({ outsideTrainingRange: ['x'] });
    expect(await metric(app, 'serving_unknown_categories_total', 'color')).toBe(1);
    expect(await metric(app, 'serving_outside_training_range_total', 'x')).toBe(1);
    expect(await metric(app, 'serving_outside_training_range_total', 'y')).toBeNull();
  });

  it('answers an unknown category as sent under `ignore`, still flagged and counted', async () => {
    const { app, prefix } = await serve('ignore');
    const res = await predict(app, [{ x: 1, y: -1, color: 'Mars' }]);
    expect(res.statusCode).toBe(200);
    const [entry] = await logged(prefix, predictResponseSchema.parse(res.json()).predictionIds);
    expect(entry!.features.color).toBe('Mars');
    expect(entry!.quality).toEqual({ unknownCategories: ['color'] });
    expect(await metric(app, 'serving_unknown_categories_total', 'color')).toBe(1);
  });

  it('refuses a value it does not know at start, naming the variable', () => {
    expect(() => loadServingEnv({ REDIS_URL, SERVING_UNKNOWN_CATEGORY: 'drop' })).toThrow(
      /SERVING_UNKNOWN_CATEGORY/,
    );
    expect(loadServingEnv({ REDIS_URL }).SERVING_UNKNOWN_CATEGORY).toBe('error');
  });
});
