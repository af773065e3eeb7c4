/**
 * The step cache lives and dies with the artifacts its entries name: an entry whose outputs name
 * a model or dataset version that was deleted is never handed to a later run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, PipelineRun } from '@mlops/contracts';
import { cacheEntryHits } from '@mlops/storage';
import { trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

let r: TestRegistry;
let file: { sha256: string; size: number };
const key = (c: string) => c.repeat(64);

const definition = {
  name: 'cache-gc',
  // Built-in step kinds: their outputs name artifacts. The registry only records them here;
  // the test plays the worker through the worker's own procedures.
  steps: [
    { id: 'train', uses: 'train', with: {} },
    { id: 'ingest', uses: 'ingest', with: {} },
    { id: 'echo', uses: 'custom/echo', with: {} },
  ],
};

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
  expect((await trpc(r.app, 'mutation', 'pipelines.register', { definition }, r.auth)).status).toBe(
    200,
  );
});
afterAll(async () => {
  await r.close();
});

const call = async (kind: 'query' | 'mutation', name: string, input: unknown) => {
  const res = await trpc(r.app, kind, name, input, r.auth);
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.error?.message}`);
  return res.data;
};

/** A new run of the pipeline whose two steps claim `keys`: the actions the registry answers. */
async function claimBoth(keys: { train: string; ingest: string; echo?: string }) {
  const run = (await call('mutation', 'pipelines.run', { name: 'cache-gc' })) as PipelineRun;
  const actions: Record<string, string> = {};
  for (const stepId of ['train', 'ingest', 'echo'] as const) {
    const claim = (await call('mutation', 'pipelines.claimStep', {
      runId: run.id,
      stepId,
      inputs: {},
      cacheKey: keys[stepId] ?? null,
    })) as { action: string };
    if (stepId !== 'echo' || keys.echo) actions[stepId] = claim.action;
    if (claim.action === 'run') {
      const outputs =
        stepId === 'train'
          ? { model: 'cached', version: 1 }
          : stepId === 'ingest'
            ? { dataset: 'iris', version: 1 }
            : { dataset: 'no-such-data', version: 7 };
      await call('mutation', 'pipelines.completeStep', { runId: run.id, stepId, outputs });
    }
  }
  return actions;
}

describe('the step cache and deleted artifacts', () => {
  it('drops the entries naming a deleted model or dataset version, and runs the step again', async () => {
    const v = (await call('mutation', 'versions.create', {
      model: 'cached',
      manifest: manifestWith(file),
    })) as ModelVersion;
    expect(v.version).toBe(1);
    const keys = { train: key('1'), ingest: key('2') };

    expect(await claimBoth(keys)).toEqual({ train: 'run', ingest: 'run' });
    expect(await claimBoth(keys)).toEqual({ train: 'cached', ingest: 'cached' });

    // Deleting the model version deletes its cache entry with it: the train step runs again.
    await call('mutation', 'versions.delete', { model: 'cached', version: 1 });
    expect(await cacheEntryHits(r.deps.db, keys.train)).toBeUndefined();
    expect(await cacheEntryHits(r.deps.db, keys.ingest)).toBe(1);
    expect(await claimBoth(keys)).toEqual({ train: 'run', ingest: 'cached' });

    // The dataset version too.
    await call('mutation', 'datasets.delete', { name: 'iris', version: 1 });
    expect(await cacheEntryHits(r.deps.db, keys.ingest)).toBeUndefined();
    expect(await claimBoth(keys)).toEqual({ train: 'run', ingest: 'run' });
  });

  it('refuses a hit whose artifact vanished without a deletion through the API', async () => {
    // Stored outputs that name a version that never existed (as after a restore of an older
    // database): the hit is dropped at claim time instead of handed on. A custom step's outputs
    // are its own business: an echo of a name that is no dataset stays cached.
    const keys = { train: key('3'), ingest: key('4'), echo: key('5') };
    expect(await claimBoth(keys)).toEqual({ train: 'run', ingest: 'run', echo: 'run' });
    expect(await claimBoth(keys)).toEqual({ train: 'run', ingest: 'run', echo: 'cached' });
  });
});
