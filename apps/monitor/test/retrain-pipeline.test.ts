import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, retrainPolicySchema } from '@mlops/contracts';
import type { PipelineRun, RetrainPolicy, RetrainRecord } from '@mlops/contracts';
import { createRegistryClient } from '@mlops/client';
import type { RegistryClient } from '@mlops/client';
import { createLogger, deleteRedisKeys, serviceToken } from '@mlops/config';
// The real registry, in-process: its unique trigger key and scope checks are under test too.
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { createMetrics } from '../src/metrics';
import { retrainPolicies } from '../src/policy';
import { loadEnv } from '../src/env';
import { EventPublisher } from '../src/publisher';
import { Retrainer } from '../src/retrain';
import { driftTriggerKey } from '../src/retrain-pipeline';

const TOKEN = 'monitor-retrain-admin-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}`;
const redis = new Redis(REDIS_URL);
const logger = createLogger('retrain-pipeline-test', 'silent');
// A day: two alerts of one test never straddle a window boundary in practice.
const COOLDOWN_MS = 86_400_000;

let reg: TestRegistry;
let admin: RegistryClient;
/** What the monitor uses: its own service token, with the scopes SERVICE_SCOPES gives it. */
let asMonitor: RegistryClient;

beforeAll(async () => {
  reg = await startTestRegistry({ token: TOKEN, name: 'monitor-retrain' });
  admin = createRegistryClient({ url: reg.url, token: TOKEN });
  asMonitor = createRegistryClient({ url: reg.url, token: serviceToken(TOKEN, 'monitor') });
  // No pipeline worker runs here: the started run stays queued until the test cancels it.
  await admin.api.pipelines.register.mutate({
    definition: {
      name: 'retrain-iris',
      parameters: { epochs: { type: 'integer', default: 5, min: 1 } },
      steps: [{ id: 'train', uses: 'custom/noop', with: { epochs: '${{ params.epochs }}' } }],
    },
  });
});

afterAll(async () => {
  await deleteRedisKeys(redis, `${prefix}:*`);
  await redis.quit();
  await reg.close();
});

function retrainer(policy: Partial<RetrainPolicy>): Retrainer {
  return new Retrainer({
    redis,
    keyPrefix: `${prefix}:monitor`,
    registry: asMonitor,
    policyFor: () =>
      retrainPolicySchema.parse({ enabled: true, cooldownMs: COOLDOWN_MS, ...policy }),
    enabledFor: () => Promise.resolve(true),
    publisher: new EventPublisher(redis, redisKeys(prefix).events, logger),
    feedback: () => [],
    metrics: createMetrics(),
    logger,
    pollMs: 10,
  });
}

/** The newest history record once `check` accepts it. */
async function waitForRecord(
  r: Retrainer,
  model: string,
  check: (rec: RetrainRecord) => boolean,
  count = 1,
): Promise<RetrainRecord[]> {
  for (let i = 0; i < 2_000; i++) {
    const all = await r.history(model);
    if (all.length >= count && check(all[0]!)) return all;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no retraining record of ${model} matched`);
}

async function runsOf(pipeline: string): Promise<PipelineRun[]> {
  return admin.api.pipelines.runs.query({ pipeline });
}

const alert = (model: string) => ({ model, version: 1, trigger: 'drift' as const, reason: 'psi' });

describe('Retrainer with a policy pipeline', () => {
  it('starts one drift-triggered pipeline run per model and window, even past a lost cooldown', async () => {
    const policy = { pipeline: 'retrain-iris', pipelineParams: { epochs: 3 } };
    const a = retrainer(policy);
    const b = retrainer(policy);
    // Two replicas, two alerts of one window: the cooldown lets one through.
    const started = await Promise.all([
      a.maybeRetrain(alert('iris')),
      b.maybeRetrain(alert('iris')),
    ]);
    expect(started.filter(Boolean)).toHaveLength(1);
    const [first] = await waitForRecord(a, 'iris', (rec) => rec.status === 'running');
    expect(first!.runId).toBeNull();
    const runs = await runsOf('retrain-iris');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: first!.pipelineRunId,
      parameters: { epochs: 3 },
      trigger: {
        kind: 'drift',
        key: driftTriggerKey('iris', COOLDOWN_MS, Date.parse(first!.requestedAt)),
        detail: 'psi',
      },
    });

    // The cooldown key lost (flushed, expired early): the registry's unique key still holds.
    await redis.del(`${prefix}:monitor:retrain:cooldown:iris`);
    expect(await a.maybeRetrain(alert('iris'))).toBe(true);
    const history = await waitForRecord(a, 'iris', (rec) => rec.status === 'running', 2);
    expect(history[0]!.pipelineRunId).toBe(first!.pipelineRunId);
    expect(history[0]!.detail).toMatch(/already started this pipeline run/);
    expect(await runsOf('retrain-iris')).toHaveLength(1);

    // Another model has its own window key: its run is a second one. A live-quality drop
    // starts it with kind `quality`.
    const qualityDrop = { ...alert('churn'), trigger: 'quality' as const, reason: 'accuracy 0.7' };
    expect(await b.maybeRetrain(qualityDrop)).toBe(true);
    const [churn] = await waitForRecord(b, 'churn', (rec) => rec.status === 'running');
    expect(churn!.pipelineRunId).not.toBe(first!.pipelineRunId);
    const after = await runsOf('retrain-iris');
    expect(after).toHaveLength(2);
    expect(after.find((r) => r.id === churn!.pipelineRunId)?.trigger).toMatchObject({
      kind: 'quality',
      detail: 'accuracy 0.7',
    });

    // The run ends (cancelled here): the history says how.
    await admin.api.pipelines.cancel.mutate({ id: first!.pipelineRunId!, reason: 'test' });
    const [ended] = await waitForRecord(a, 'iris', (rec) => rec.status !== 'running', 2);
    expect(ended).toMatchObject({ status: 'failed', pipelineRunId: first!.pipelineRunId });
    expect(ended!.detail).toMatch(/ended cancelled/);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('records a refusal of the registry (bad parameters, unknown pipeline) as failed', async () => {
    const bad = retrainer({ pipeline: 'retrain-iris', pipelineParams: { epochs: 0 } });
    expect(await bad.maybeRetrain(alert('bad-params'))).toBe(true);
    const [rec] = await waitForRecord(bad, 'bad-params', (r) => r.status === 'failed');
    expect(rec!.detail).toMatch(/VALIDATION_FAILED.*parameters\.epochs/);
    expect(rec!.pipelineRunId).toBeNull();

    const unknown = retrainer({ pipeline: 'no-such-pipeline' });
    expect(await unknown.maybeRetrain(alert('unknown'))).toBe(true);
    const [missing] = await waitForRecord(unknown, 'unknown', (r) => r.status === 'failed');
    expect(missing!.detail).toMatch(/NOT_FOUND/);
    await Promise.all([bad.stop(), unknown.stop()]);
  });

  it('fills a declared datasetVersion with the data it prepares, unless the policy sets it', async () => {
    await admin.api.pipelines.register.mutate({
      definition: {
        name: 'retrain-data',
        parameters: { datasetVersion: { type: 'integer', min: 1 } },
        steps: [{ id: 'train', uses: 'custom/noop', with: { v: '${{ params.datasetVersion }}' } }],
      },
    });
    // The version that drifted is unknown to the registry: no dataset to prepare, no run.
    const prepare = retrainer({ pipeline: 'retrain-data' });
    expect(await prepare.maybeRetrain(alert('ghost'))).toBe(true);
    const [failed] = await waitForRecord(prepare, 'ghost', (r) => r.status === 'failed');
    expect(failed!.detail).toMatch(/NOT_FOUND/);
    expect(failed!.pipelineRunId).toBeNull();
    expect(await runsOf('retrain-data')).toHaveLength(0);

    // Set by the policy: used as is, nothing prepared.
    const given = retrainer({ pipeline: 'retrain-data', pipelineParams: { datasetVersion: 4 } });
    expect(await given.maybeRetrain(alert('ghost-given'))).toBe(true);
    const [rec] = await waitForRecord(given, 'ghost-given', (r) => r.status === 'running');
    expect(rec!.dataset).toBeNull();
    const [run] = await runsOf('retrain-data');
    expect(run).toMatchObject({ id: rec!.pipelineRunId, parameters: { datasetVersion: 4 } });
    await admin.api.pipelines.cancel.mutate({ id: run!.id, reason: 'test' });
    await Promise.all([prepare.stop(), given.stop()]);
  });

  it('reads the pipeline from MONITOR_RETRAIN_POLICIES and refuses a bad name, naming it', () => {
    const env = loadEnv({
      MONITOR_RETRAIN_MODELS: 'iris',
      MONITOR_RETRAIN_POLICIES:
        '{"iris": {"pipeline": "retrain-iris", "pipelineParams": {"epochs": 3}}}',
    });
    expect(retrainPolicies(env)('iris')).toMatchObject({
      pipeline: 'retrain-iris',
      pipelineParams: { epochs: 3 },
    });
    expect(retrainPolicies(env)('churn').pipeline).toBeUndefined();
    expect(() =>
      retrainPolicies(loadEnv({ MONITOR_RETRAIN_POLICIES: '{"iris": {"pipeline": "Bad Name"}}' })),
    ).toThrow(/MONITOR_RETRAIN_POLICIES: iris\.pipeline/);
  });
});
