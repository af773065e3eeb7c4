/**
 * What one more loaded version costs in memory, measured in one process with the garbage
 * collected between readings (RSS across processes, as the scale benchmark reads it, also holds
 * whatever garbage each process happened to keep): N versions of one dense classifier
 * (x, y, colour → `hidden` → 2) loaded through the serving loader, reading the V8 heap, the
 * TF.js tensors and the wasm heap (tensors and XNNPACK's packed weights live there) after each.
 *
 *   node --expose-gc --import tsx bench/version-memory.ts [versions=20] [hidden=32768]
 *   (SERVING_BACKEND: wasm, what serving picks without tfjs-node; or cpu, tensorflow)
 */
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadVersion } from '../src/models/loader';
import { MemoryModelSource } from '../src/models/memory-source';
import { createMetrics } from '../src/metrics';
import { BundleFactory, publish } from '../test/support/bundle';

const versions = Number(process.argv[2] ?? 20);
const hidden = Number(process.argv[3] ?? 32_768);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

// The bundle is trained on cpu so that the serving backend's heap starts as a server's does.
await initBackend('cpu');
const factory = new BundleFactory(hidden);
const bundle = await factory.next(1);
factory.dispose();
const bytes = bundle.files.reduce((n, f) => n + f.bytes.byteLength, 0);
const source = new MemoryModelSource();
for (let i = 0; i < versions; i++) publish(source, `m${i}`, 1, bundle);
const backend = await initBackend(
  (process.env.SERVING_BACKEND as 'wasm' | 'cpu' | 'tensorflow' | undefined) ?? 'wasm',
);
const tf = getTf();
const MiB = 1024 * 1024;

function reading() {
  gc!();
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  return {
    rss: process.memoryUsage().rss / MiB,
    heapUsed: process.memoryUsage().heapUsed / MiB,
    // Buffers outside the V8 heap: a kept copy of the downloaded bundle bytes would show here.
    arrayBuffers: process.memoryUsage().arrayBuffers / MiB,
    tensors: tf.memory().numBytes / MiB,
    wasmHeap: wasm ? wasm.HEAPU8.byteLength / MiB : 0,
  };
}

const deps = {
  source,
  batching: { maxBatchRows: 64, maxLatencyMs: 0, maxQueueRows: 1024 },
  metrics: createMetrics(),
};
// The first version pays for compiling kernels and growing heaps once: count from after it.
const loaded = [await loadVersion(deps, await source.getVersion('m0', 1))];
const first = reading();
for (let i = 1; i < versions; i++)
  loaded.push(await loadVersion(deps, await source.getVersion(`m${i}`, 1)));
const last = reading();
const per = (k: keyof typeof first) =>
  Math.round(((last[k] - first[k]) / (versions - 1)) * 100) / 100;
process.stdout.write(
  `${JSON.stringify({
    backend,
    engine: loaded[0]!.predictor.engine,
    bundle_mib: Math.round((bytes / MiB) * 100) / 100,
    versions,
    mib_per_version: {
      rss: per('rss'),
      v8_heap: per('heapUsed'),
      array_buffers: per('arrayBuffers'),
      tf_tensors: per('tensors'),
      wasm_heap: per('wasmHeap'),
    },
  })}\n`,
);
