/**
 * What spreading requests over many models costs the batcher and the model: waves of 8
 * concurrent one-row requests (the many-models benchmark's 8 connections) submitted straight to
 * loaded versions' batchers — no HTTP, no JSON — cycling over 1, 10 or 50 versions of the serving
 * tests' small classifier. Over one version a wave is one batch of 8 rows; over 10 or 50 it is 8
 * batches of one row. Prints µs per request, the last of 3 rounds (the first ones warm up).
 *
 *   node --import tsx bench/batch-spread.ts
 */
import { initBackend } from '@mlops/ml/backend';
import { loadVersion } from '../src/models/loader';
import { MemoryModelSource } from '../src/models/memory-source';
import { createMetrics } from '../src/metrics';
import { rowsBlock } from '../src/models/row-block';
import type { LoadedModel } from '../src/models/slot';
import { BundleFactory, makeRows, publish } from '../test/support/bundle';

const COUNTS = [1, 10, 50];
const REQUESTS = 40_000;
const WAVE = 8;

await initBackend('cpu');
const bundle = await new BundleFactory(8).next(1);
await initBackend((process.env.SERVING_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
const source = new MemoryModelSource();
const max = Math.max(...COUNTS);
for (let i = 0; i < max; i++) publish(source, `m${i}`, 1, bundle);
const deps = {
  source,
  batching: { maxBatchRows: 64, maxLatencyMs: 0, maxQueueRows: 1024 },
  metrics: createMetrics(),
};
const loaded: LoadedModel[] = [];
for (let i = 0; i < max; i++)
  loaded.push(await loadVersion(deps, await source.getVersion(`m${i}`, 1)));
const block = rowsBlock(makeRows(1, 3));

async function usPerRequest(models: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  for (let sent = 0; sent < REQUESTS; sent += WAVE) {
    const wave = [];
    for (let c = 0; c < WAVE; c++) wave.push(loaded[next++ % models]!.batcher.submit([block]));
    await Promise.all(wave);
  }
  return ((performance.now() - start) * 1000) / REQUESTS;
}

let last: Record<number, number> = {};
for (let round = 0; round < 3; round++) {
  last = {};
  for (const n of COUNTS) last[n] = Math.round((await usPerRequest(n)) * 100) / 100;
}
process.stdout.write(`${JSON.stringify({ us_per_request: last, rows_per_wave: WAVE })}\n`);
