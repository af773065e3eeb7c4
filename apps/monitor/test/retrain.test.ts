import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, platformEventSchema, redisKeys, retrainPolicySchema } from '@mlops/contracts';
import type { CellValue, PlatformEvent, Run } from '@mlops/contracts';
import { createLogger, deleteRedisKeys } from '@mlops/config';
import { createMetrics } from '../src/metrics';
import { retrainPolicies } from '../src/policy';
import { loadEnv } from '../src/env';
import { EventPublisher } from '../src/publisher';
import { Retrainer } from '../src/retrain';
import type { RetrainRegistry } from '../src/retrain';

const prefix = `test-${randomUUID()}`;
const keys = redisKeys(prefix);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL);
const logger = createLogger('retrain-test', 'silent');
const RUN_ID = 'run-00000001';
const NOW = new Date().toISOString();

afterAll(async () => {
  await deleteRedisKeys(redis, `${prefix}:*`);
  await redis.quit();
});

/**
 * A stand-in for the registry client that records calls. The real registry is exercised end to
 * end by scripts/test/retrain.e2e.test.ts; this checks the monitor's side of the protocol.
 */
function fakeRegistry(opts: { gate: 'pass' | 'refuse' }) {
  const calls = { create: [] as unknown[], upload: [] as string[], aliases: [] as unknown[] };
  const spec = {
    modelName: 'iris',
    dataset: { name: 'iris', version: 1 },
    task: 'classification' as const,
    target: 'species',
    preset: 'mlp-small' as const,
    hyperparameters: {},
    seed: 42,
    backend: 'auto' as const,
  };
  const run = (id: string, status: Run['status'], modelVersion: number | null) => ({
    id,
    modelName: 'iris',
    spec,
    datasetId: 'dataset-0001',
    datasetHash: 'h',
    status,
    progress: null,
    metrics: {},
    backend: null,
    error: null,
    modelVersion,
    createdAt: NOW,
    startedAt: null,
    finishedAt: null,
  });
  const schema = {
    columns: [
      { name: 'x', type: 'numeric', nullable: false },
      { name: 'species', type: 'categorical', nullable: false, categories: ['a', 'b'] },
    ],
  };
  const registry = {
    api: {
      versions: {
        get: { query: () => Promise.resolve({ manifest: { lineage: { runId: RUN_ID } } }) },
      },
      runs: {
        get: {
          query: ({ id }: { id: string }) =>
            Promise.resolve(id === RUN_ID ? run(RUN_ID, 'completed', 1) : run(id, 'completed', 2)),
        },
        create: {
          mutate: (input: unknown) => {
            calls.create.push(input);
            return Promise.resolve(run('run-00000002', 'queued', null));
          },
        },
      },
      datasets: {
        list: {
          query: () => Promise.resolve([{ id: 'dataset-0001', name: 'iris', version: 1, schema }]),
        },
      },
      aliases: {
        set: {
          mutate: (input: unknown) => {
            calls.aliases.push(input);
            if (opts.gate === 'refuse') {
              return Promise.reject(
                new AppError('PRECONDITION_FAILED', 'accuracy 0.7 is below the threshold 0.9', [
                  { path: 'verdict', message: 'threshold failed' },
                ]),
              );
            }
            return Promise.resolve({});
          },
        },
      },
    },
    uploadDataset: (_name: string, body: string) => {
      calls.upload.push(body);
      return Promise.resolve({ version: 2 });
    },
    async *datasetRows(): AsyncIterable<CellValue[]> {
      await Promise.resolve();
      yield [1, 'a'];
      yield [2, 'b'];
    },
  };
  return { registry: registry as unknown as RetrainRegistry, calls };
}

function retrainer(registry: RetrainRegistry, events: PlatformEvent[], model: string) {
  const publisher = new EventPublisher(redis, keys.events, logger);
  const publish = publisher.publish.bind(publisher);
  publisher.publish = async (input) => {
    const e = await publish(input);
    events.push(e);
    return e;
  };
  return new Retrainer({
    redis,
    keyPrefix: `${prefix}:monitor`,
    registry,
    policyFor: () => retrainPolicySchema.parse({ enabled: true, cooldownMs: 60_000 }),
    enabledFor: () => Promise.resolve(true),
    publisher,
    feedback: (m) =>
      m === model
        ? [
            { predictionId: 'p1', features: { x: 5 }, truth: 'b', predicted: 'a' },
            { predictionId: 'p2', features: { x: '[REDACTED]' }, truth: 'a', predicted: 'a' },
          ]
        : [],
    metrics: createMetrics(),
    logger,
    pollMs: 10,
  });
}

async function settle(r: Retrainer, model: string) {
  for (;;) {
    const [latest] = await r.history(model);
    if (latest && ['promoted', 'rejected', 'failed'].includes(latest.status)) return latest;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Retrainer', () => {
  it('makes one run for a storm of alerts across two replicas, with the feedback appended', async () => {
    const { registry, calls } = fakeRegistry({ gate: 'pass' });
    const events: PlatformEvent[] = [];
    const a = retrainer(registry, events, 'iris');
    const b = retrainer(registry, events, 'iris');
    const storm = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).maybeRetrain({
          model: 'iris',
          version: 1,
          trigger: 'drift',
          reason: 'storm',
        }),
      ),
    );
    expect(storm.filter(Boolean)).toHaveLength(1);
    const record = await settle(a, 'iris');
    await Promise.all([a.stop(), b.stop()]);
    expect(calls.create).toHaveLength(1);
    expect(calls.create[0]).toMatchObject({
      modelName: 'iris',
      target: 'species',
      dataset: { name: 'iris', version: 2 },
    });
    // The previous rows plus the one complete feedback row (the redacted one is left out).
    expect(JSON.parse(calls.upload[0]!)).toEqual([
      { x: 1, species: 'a' },
      { x: 2, species: 'b' },
      { x: 5, species: 'b' },
    ]);
    expect(record).toMatchObject({
      status: 'promoted',
      version: 2,
      feedbackRows: 1,
      runId: 'run-00000002',
    });
    // The move names its trigger; the registry audits it as the monitor's own principal.
    expect(calls.aliases).toHaveLength(1);
    expect(calls.aliases[0]).toMatchObject({ model: 'iris', version: 2, alias: 'champion' });
    expect((calls.aliases[0] as { reason?: string }).reason).toMatch(
      /^automatic retraining by the monitor, trigger drift: /,
    );
    expect(events.map((e) => e.type)).toEqual(['retraining.requested', 'retraining.finished']);
    expect(events[1]).toMatchObject({ promoted: true, version: 2 });
    expect(await redis.pttl(`${prefix}:monitor:retrain:cooldown:iris`)).toBeGreaterThan(0);
  });

  it('records a refusal of the promotion gate as "not promoted"', async () => {
    const { registry } = fakeRegistry({ gate: 'refuse' });
    const events: PlatformEvent[] = [];
    const r = retrainer(registry, events, 'gated');
    expect(
      await r.maybeRetrain({ model: 'gated', version: 1, trigger: 'quality', reason: 'decay' }),
    ).toBe(true);
    const record = await settle(r, 'gated');
    await r.stop();
    expect(record.status).toBe('rejected');
    expect(record.detail).toContain('PRECONDITION_FAILED');
    const finished = events.find((e) => e.type === 'retraining.finished');
    expect(finished).toMatchObject({ promoted: false, version: 2 });
    expect(platformEventSchema.parse(finished)).toBeTruthy();
  });

  it('does nothing when the policy is off or the trigger is not in `on`', async () => {
    const { registry, calls } = fakeRegistry({ gate: 'pass' });
    const r = new Retrainer({
      redis,
      keyPrefix: `${prefix}:monitor`,
      registry,
      policyFor: () => retrainPolicySchema.parse({ on: ['quality'] }),
      enabledFor: (m) => Promise.resolve(m === 'on'),
      publisher: new EventPublisher(redis, keys.events, logger),
      feedback: () => [],
      metrics: createMetrics(),
      logger,
    });
    expect(await r.maybeRetrain({ model: 'off', version: 1, trigger: 'quality', reason: '' })).toBe(
      false,
    );
    expect(await r.maybeRetrain({ model: 'on', version: 1, trigger: 'drift', reason: '' })).toBe(
      false,
    );
    await r.stop();
    expect(calls.create).toHaveLength(0);
  });
});

describe('retraining policy from the environment', () => {
  it('enables listed models, applies defaults and per-model overrides', () => {
    const env = loadEnv({
      MONITOR_RETRAIN_MODELS: 'iris, churn',
      MONITOR_RETRAIN_ON: 'quality',
      MONITOR_RETRAIN_MIN_ACCURACY: '0.9',
      MONITOR_RETRAIN_APPEND_FEEDBACK: 'false',
      MONITOR_RETRAIN_POLICIES: '{"churn": {"minAccuracy": 0.7, "alias": "prod"}}',
    });
    const policyFor = retrainPolicies(env);
    expect(policyFor('iris')).toMatchObject({
      enabled: true,
      on: ['quality'],
      minAccuracy: 0.9,
      appendFeedback: false,
    });
    expect(policyFor('churn')).toMatchObject({ enabled: true, minAccuracy: 0.7, alias: 'prod' });
    expect(policyFor('other').enabled).toBe(false);
  });

  it('stops at start naming a bad variable', () => {
    expect(() => loadEnv({ MONITOR_RETRAIN_ON: 'drift,weather' })).toThrow(/MONITOR_RETRAIN_ON/);
    expect(() =>
      retrainPolicies(loadEnv({ MONITOR_RETRAIN_POLICIES: '{"iris": {"minAcc": 1}}' })),
    ).toThrow(/MONITOR_RETRAIN_POLICIES/);
    expect(() => retrainPolicies(loadEnv({ MONITOR_RETRAIN_POLICIES: 'nope' }))).toThrow(
      /must be JSON/,
    );
  });
});
