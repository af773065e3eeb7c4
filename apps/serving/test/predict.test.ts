import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  errorBodySchema,
  modelStatusSchema,
  predictResponseSchema,
  parsePredictionLogMessage,
  redisKeys,
} from '@mlops/contracts';
import { getTf } from '@mlops/ml/backend';
import type { ServingApp } from '../src/app';
import { MemoryModelSource } from '../src/models/memory-source';
import {
  eventually,
  REDIS_URL,
  startApp,
  tearDown,
  TEST_CALLER,
  testPrefix,
  tfError,
} from './support/app';
import { BundleFactory, publish } from './support/bundle';

const prefix = testPrefix();
const keys = redisKeys(prefix);
const BODY_LIMIT = 64 * 1024;
let app: ServingApp;
let redis: Redis;
const factory = new BundleFactory();

function predict(body: unknown, name = 'iris') {
  return app.inject({
    method: 'POST',
    url: `/v1/models/${name}:predict?format=platform`,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  const source = new MemoryModelSource();
  publish(source, 'iris', 1, await factory.next(30));
  source.setAlias('iris', 'champion', 1);
  app = await startApp(source, {
    MLOPS_REDIS_PREFIX: prefix,
    SERVING_MODELS: 'iris,ghost',
    SERVING_MAX_BODY_BYTES: String(BODY_LIMIT),
  });
  await eventually(() => app.serving.models.get('iris')?.loaded ?? undefined, 'iris v1 loaded');
});

afterAll(() => tearDown({ app, factory, redis, prefix }));

describe('POST /v1/models/:name:predict?format=platform', () => {
  it('answers raw records with labels, probabilities, the version and prediction ids', async () => {
    const res = await predict({
      instances: [
        { x: 1.5, y: 1.2, color: 'red' },
        { x: -1.8, y: -1.1, color: 'blue' },
        { x: 1.9, y: null, color: 'red', extra: 'ignored' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = predictResponseSchema.parse(res.json());
    expect(body.model).toEqual({ name: 'iris', version: 1, alias: 'champion' });
    expect(body.predictions).toHaveLength(3);
    expect(body.predictions[0]).toMatchObject({ label: 'pos' });
    expect(body.predictions[1]).toMatchObject({ label: 'neg' });
    const p = body.predictions[0] as { probabilities: Record<string, number> };
    expect((p.probabilities.pos ?? 0) + (p.probabilities.neg ?? 0)).toBeCloseTo(1, 4);
    expect(new Set(body.predictionIds).size).toBe(3);
  });

  it('names the missing feature in a 400 (a nullable one may be left out)', async () => {
    const res = await predict({
      instances: [
        { x: 1, y: 2, color: 'red' },
        { y: 1, color: 'red' },
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = tfError(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details?.map((d) => d.path)).toEqual(['instances[1].x']);
  });

  it('refuses a string where a number belongs', async () => {
    const res = await predict({ instances: [{ x: '1.5', y: 2, color: 'red' }] });
    expect(res.statusCode).toBe(400);
    const body = tfError(res);
    expect(body.details?.[0]?.path).toBe('instances[0].x');
    expect(body.details?.[0]?.message).toMatch(/number/);
  });

  it('refuses a body that is not a predict request, naming the field', async () => {
    const res = await predict({ instances: [] });
    expect(res.statusCode).toBe(400);
    expect(tfError(res).details?.[0]?.path).toBe('instances');
    const nested = await predict({ instances: [{ x: { nested: true } }] });
    expect(nested.statusCode).toBe(400);
    expect(tfError(nested).details?.[0]?.path).toMatch(/^instances\[0\]/);
  });

  it('answers 404 for an unknown model, listing the served ones', async () => {
    const res = await predict({ instances: [{ x: 1, y: 1, color: 'red' }] }, 'nope');
    expect(res.statusCode).toBe(404);
    const body = tfError(res);
    expect(body.code).toBe('NOT_FOUND');
    expect(body.message).toContain('"iris"');
  });

  it('answers 503 with Retry-After for a configured model that is not loaded', async () => {
    const res = await predict({ instances: [{ x: 1 }] }, 'ghost');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(tfError(res).code).toBe('UNAVAILABLE');
  });

  it('answers 413 with the error body when the body is too large', async () => {
    const instances = Array.from({ length: 3_000 }, () => ({
      x: 1.123456,
      y: 2.123456,
      color: 'red',
    }));
    const res = await predict({ instances });
    expect(res.statusCode).toBe(413);
    expect(tfError(res).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 400 (not 500) to malformed JSON and to a missing content type', async () => {
    const res = await predict('{"instances": [');
    expect(res.statusCode).toBe(400);
    expect(tfError(res).code).toBe('VALIDATION_FAILED');
    const noType = await app.inject({
      method: 'POST',
      url: '/v1/models/iris:predict?format=platform',
      payload: 'x',
    });
    expect(noType.statusCode).toBe(400);
    tfError(noType);
  });

  it('answers 404 to an unsupported verb', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/iris:explain',
      payload: { instances: [{ x: 1, y: 1, color: 'red' }] },
    });
    expect(res.statusCode).toBe(404);
    expect(tfError(res).message).toMatch(/:predict/);
  });

  it('batches concurrent requests and answers each with its own rows', async () => {
    const xs = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1.5 : -1.5));
    const responses = await Promise.all(
      xs.map((x) => predict({ instances: [{ x, y: x, color: 'red' }] })),
    );
    responses.forEach((res, i) => {
      expect(res.statusCode).toBe(200);
      const body = predictResponseSchema.parse(res.json());
      expect(body.predictions[0]).toMatchObject({ label: (xs[i] ?? 0) > 0 ? 'pos' : 'neg' });
    });
    const metrics = (await app.inject('/metrics')).body;
    const rows = Number(
      /serving_inference_count_total\{model="iris",version="1"\} (\d+)/.exec(metrics)?.[1],
    );
    const batches = Number(
      /serving_inference_exec_count_total\{model="iris",version="1"\} (\d+)/.exec(metrics)?.[1],
    );
    expect(rows).toBeGreaterThan(batches); // at least one batch held more than one row
  });

  it('writes every served instance to the prediction stream', async () => {
    const res = await predict({
      instances: [
        { x: 0.5, y: 0.7, color: 'blue' },
        { x: -1, y: 0, color: 'red' },
      ],
    });
    const ids = predictResponseSchema.parse(res.json()).predictionIds;
    const entries = await eventually(async () => {
      const stream = await redis.xrangeBuffer(keys.predictions('iris'), '-', '+');
      const parsed = stream.flatMap(([, fields]) => {
        expect(fields[0]!.toString()).toBe('columns');
        return parsePredictionLogMessage(fields) ?? [];
      });
      const mine = parsed.filter((e) => ids.includes(e.id));
      return mine.length === 2 ? mine : undefined;
    }, 'log entries');
    expect(entries.map((e) => e.features)).toEqual([
      { x: 0.5, y: 0.7, color: 'blue' },
      { x: -1, y: 0, color: 'red' },
    ]);
    // The caller is logged with each prediction: the monitor takes feedback only from it.
    expect(entries[0]).toMatchObject({ model: 'iris', version: 1, principal: TEST_CALLER.name });
  });

  it('refuses an input that overflows the model (1e308), naming it, instead of null outputs', async () => {
    const res = await predict({ instances: [{ x: 1e308, y: 0, color: 'red' }] });
    expect(res.statusCode).toBe(400);
    const err = tfError(res);
    expect(err.details?.[0]?.path).toBe('instances[0].x');
    expect(err.message).toMatch(/32-bit/);
  });

  it('flags numeric inputs far outside the training range in a header, a field and a metric', async () => {
    const inRange = await predict({ instances: [{ x: 1.5, y: -0.5, color: 'red' }] });
    expect(inRange.headers['x-mlops-out-of-range']).toBeUndefined();
    const far = await predict({
      instances: [
        { x: 0.5, y: 0, color: 'red' },
        { x: 1e6, y: 0, color: 'red' },
      ],
    });
    expect(far.statusCode).toBe(200);
    expect(far.headers['x-mlops-out-of-range']).toBe('instances[1].x');
    const body = far.json<{ outOfRange: Array<{ feature: string; value: number }> }>();
    expect(body.outOfRange).toEqual([expect.objectContaining({ feature: 'x', value: 1e6 })]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /serving_out_of_range_inputs_total\{model="iris",version="1",feature="x"\} 1/,
    );
  });

  it('frees every tensor it allocates', async () => {
    await predict({ instances: [{ x: 1, y: 1, color: 'red' }] });
    const baseline = getTf().memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const batch = await Promise.all(
        Array.from({ length: 4 }, () =>
          predict({ instances: [{ x: i / 10, y: 1, color: 'red' }] }),
        ),
      );
      for (const r of batch) expect(r.statusCode).toBe(200);
    }
    expect(getTf().memory().numTensors).toBe(baseline);
  });
});

describe('status routes', () => {
  it('GET /v1/models/:name answers the TF Serving status shape', async () => {
    const res = await app.inject('/v1/models/iris');
    expect(res.statusCode).toBe(200);
    const status = modelStatusSchema.parse(res.json());
    expect(status.model_version_status).toEqual([
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
    const ghost = modelStatusSchema.parse((await app.inject('/v1/models/ghost')).json());
    expect(ghost.model_version_status[0]?.state).toBe('START');
    expect(ghost.model_version_status[0]?.status.error_code).toBe('NOT_FOUND');
    expect((await app.inject('/v1/models/nope')).statusCode).toBe(404);
  });

  it('GET /v1/models lists served models and the body limit', async () => {
    const body = (await app.inject('/v1/models')).json<{
      limits: { maxBodyBytes: number };
      models: Array<{ name: string; version: number | null; state: string; lastError: unknown }>;
    }>();
    expect(body.models.map((m) => [m.name, m.version, m.state])).toEqual([
      ['ghost', null, 'START'],
      ['iris', 1, 'AVAILABLE'],
    ]);
    expect(body.limits).toEqual({ maxBodyBytes: BODY_LIMIT });
  });

  it('healthz is up; readyz waits for every configured model', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(errorBodySchema.parse(ready.json()).error.details?.map((d) => d.path)).toEqual([
      'models.ghost',
    ]);
  });

  it('exposes Prometheus metrics', async () => {
    const refused = async () =>
      Number(
        /serving_requests_total\{model="iris",status="400"\} (\d+)/.exec(
          (await app.inject('/metrics')).body,
        )?.[1] ?? 0,
      );
    const before = await refused();
    // A refused and a malformed request: both counted by the status they were answered with.
    await app.inject({
      method: 'POST',
      url: '/v1/models/iris:predict?format=platform',
      payload: { instances: [{}] },
    });
    await app.inject({
      method: 'POST',
      url: '/v1/models/iris:predict?format=platform',
      headers: { 'content-type': 'application/json' },
      payload: '{"instances": [',
    });
    expect((await refused()) - before).toBe(2);
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('serving_model_version{model="iris"} 1');
    expect(res.body).toMatch(/serving_requests_total\{model="iris",status="200"\} \d+/);
    expect(res.body).toMatch(/serving_requests_total\{model="\(unknown\)",status="404"\} \d+/);
    expect(res.body).toContain('serving_queue_seconds_bucket');
    expect(res.body).toContain('serving_compute_seconds_bucket');
    expect(res.body).toContain('serving_payload_log_dropped_total');
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });

  it('answers unknown routes with the error body', async () => {
    const res = await app.inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(errorBodySchema.parse(res.json()).error.code).toBe('NOT_FOUND');
  });
});
