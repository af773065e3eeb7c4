import fs from 'node:fs';
import path from 'node:path';
import { vi, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { createPipelineWorker } from '../src/pipelines/worker';
import { startRegistry, type Harness } from './registry-harness';

// A pipeline that ingests the very dataset it triggers on: its own ingest step stores a new
// version, which must not start it again (it would run forever). Real registry, BullMQ and
// pipeline worker; the ingest step uploads through the registry like any other client.
const selfFeeding = parsePipelineText(`
name: self-feeding
on:
  dataset: [{ name: feed, versionParam: feedVersion }]
parameters:
  feedVersion: { type: integer, default: 0 }
steps:
  - id: ingest
    uses: ingest
    with: { dataset: feed, path: feed.csv }
  - id: report
    uses: custom/echo
    with: { from: "\${{ params.feedVersion }}", stored: "\${{ steps.ingest.outputs.version }}" }
`);
// Another pipeline on the same dataset: the versions the first one stores do start it.
const downstream = parsePipelineText(`
name: downstream
on:
  dataset: [{ name: feed, versionParam: v }]
parameters:
  v: { type: integer, default: 0 }
steps:
  - { id: echo, uses: custom/echo, with: { v: "\${{ params.v }}" } }
`);

let h: Harness;
let worker: ReturnType<typeof createPipelineWorker>;

beforeAll(async () => {
  h = await startRegistry();
  fs.writeFileSync(path.join(h.dir, 'feed.csv'), 'x,y\n1,a\n2,b\n3,a\n4,b\n');
  worker = createPipelineWorker({
    connection: h.redis,
    redisPrefix: h.prefix,
    client: h.client,
    logger: createLogger('trigger-it', 'silent'),
    dataDir: h.dir,
  });
  for (const definition of [selfFeeding, downstream]) {
    await h.client.api.pipelines.register.mutate({ definition });
  }
});

afterAll(async () => {
  await worker?.close();
  await h?.close();
});

const runsOf = (pipeline: string) => h.client.api.pipelines.runs.query({ pipeline, limit: 50 });

/** The pipeline's runs once `count` of them exist and all ended (bounded wait). */
async function ended(pipeline: string, count: number): Promise<PipelineRun[]> {
  return vi.waitFor(
    async () => {
      const runs = await runsOf(pipeline);
      const open = runs.filter((r) => r.status === 'queued' || r.status === 'running');
      if (runs.length < count || open.length > 0) {
        throw new Error(`${pipeline}: ${runs.length} runs, ${open.length} open`);
      }
      return runs;
    },
    { timeout: 60_000, interval: 100 },
  );
}

describe('dataset triggers with a real pipeline worker', () => {
  it('starts a pipeline on an upload once, and not again for the version its ingest stores', async () => {
    // Version 1 from outside (a person's upload): starts both pipelines.
    const v1 = await h.client.uploadDataset('feed', Buffer.from('x,y\n9,z\n8,z\n'), {
      format: 'csv',
    });
    expect(v1.version).toBe(1);

    const [run] = await ended('self-feeding', 1);
    expect(run).toMatchObject({
      status: 'succeeded',
      parameters: { feedVersion: 1 },
      trigger: { kind: 'dataset', key: 'dataset:feed:1:self-feeding' },
    });
    // Its ingest step stored version 2...
    const report = run!.steps.find((s) => s.stepId === 'report');
    expect(report?.outputs).toEqual({ from: 1, stored: 2 });
    expect((await h.client.api.datasets.get.query({ name: 'feed' })).version).toBe(2);

    // ...which started the other pipeline (versions 1 and 2), but not this one again.
    const down = await ended('downstream', 2);
    expect(down.map((r) => r.parameters.v).sort()).toEqual([1, 2]);
    expect(await runsOf('self-feeding')).toHaveLength(1);

    // A run by hand re-ingests the same file: no new version, nothing starts anywhere.
    const manual = await h.client.api.pipelines.run.mutate({ name: 'self-feeding' });
    await ended('self-feeding', 2);
    expect((await h.client.api.pipelines.getRun.query({ id: manual.id })).status).toBe('succeeded');
    expect(await runsOf('downstream')).toHaveLength(2);
    expect(await runsOf('self-feeding')).toHaveLength(2);
  });
});
