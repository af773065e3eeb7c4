import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect } from 'vitest';
import { QUEUE_NAMES, redisKeys, type ModelVersion } from '@mlops/contracts';
import { serviceToken } from '@mlops/config';
import { REDIS_URL, TOKEN, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

/**
 * The promotion gate through the API, for one test file: a seeded registry, a `write` +
 * `promote` token (`writer`) and the trainer's service token, and a policy on MODEL that asks
 * accuracy ≥ 0.99 from platform-computed metrics.
 */
export interface GateRegistry {
  MODEL: string;
  r: TestRegistry;
  file: { sha256: string; size: number };
  writer: { authorization: string };
  trainer: { authorization: string };
  /** Registers a version of MODEL claiming `accuracy`. */
  register: (accuracy: number, headers?: { authorization: string }) => Promise<ModelVersion>;
}

export function useGateRegistry(): GateRegistry {
  const MODEL = 'forged';
  const gate: GateRegistry = {
    MODEL,
    r: undefined as unknown as TestRegistry,
    file: undefined as unknown as { sha256: string; size: number },
    writer: { authorization: '' },
    trainer: { authorization: `Bearer ${serviceToken(TOKEN, 'trainer')}` },
    register: async (accuracy, headers = gate.writer) => {
      const manifest = { ...manifestWith(gate.file), metrics: { accuracy } };
      const res = await trpc(
        gate.r.app,
        'mutation',
        'versions.create',
        { model: MODEL, manifest },
        headers,
      );
      expect(res.status).toBe(200);
      return res.data as ModelVersion;
    },
  };

  beforeAll(async () => {
    const { r, file } = await startSeededRegistry();
    Object.assign(gate, { r, file });
    const created = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'ci', scopes: ['write', 'promote'] },
      r.auth,
    );
    gate.writer = { authorization: `Bearer ${(created.data as { token: string }).token}` };
    const set = await trpc(
      r.app,
      'mutation',
      'policies.set',
      { model: MODEL, metric: 'accuracy', greaterIsBetter: true, threshold: 0.99 },
      r.auth,
    );
    // New policies require platform metrics unless told otherwise.
    expect(set.data).toMatchObject({ requirePlatformMetrics: true });
  });
  afterAll(async () => {
    const queue = new Queue(QUEUE_NAMES.evaluate, {
      connection: { url: REDIS_URL },
      prefix: redisKeys(gate.r.prefix).bullPrefix,
    });
    await queue.obliterate({ force: true }).finally(() => queue.close());
    await gate.r.close();
  });
  return gate;
}
