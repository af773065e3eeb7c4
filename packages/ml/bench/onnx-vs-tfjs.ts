/**
 * `npm run bench:engines [-- --json]`: in-process rows/s of ONNX Runtime (onnxruntime-node, CPU,
 * one intra-op thread) against TF.js on wasm for the demo's two trained presets as the trainer
 * exports them — mlp-small on iris (4 → 32 → 16 → 3) and cnn-small on 32×32×3 images (3
 * classes) — at batch 1, 64 and 256, with the ratio. Also ONNX Runtime on the two layouts the
 * exporter can write for a CNN (NCHW kept between convs vs a transpose around every conv/pool).
 * Weights are seeded random: speed does not depend on their values. Each cell is the median of
 * ROUNDS interleaved rounds (the two engines alternate, so machine noise hits both alike), and
 * the two engines' outputs are checked equal first. Knobs: BENCH_ENGINES_ROUND_MS (default 300),
 * BENCH_ENGINES_ROUNDS (default 5).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { getTf, initBackend } from '../src/backend';
import { compareEngines, exportToOnnx, type OnnxExport } from '../src/onnx-export';
import { buildImageModel, buildModel } from '../src/presets';
import { median } from '../src/stats';

const json = process.argv.includes('--json');
const say = (line: string) => process.stdout.write(`${line}\n`);
const ROUND_MS = Number(process.env.BENCH_ENGINES_ROUND_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ENGINES_ROUNDS ?? 5);
const BATCHES = [1, 64, 256];

function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 31 - 1;
  });
}

/** Seeded random values for every weight (batch-norm-free presets: any values will do). */
function randomize(model: tfTypes.LayersModel, seed: number): void {
  const tf = getTf();
  for (const [i, layer] of model.layers.entries()) {
    const ws = layer.weights.map((w) => {
      const shape = w.shape as number[];
      return tf
        .tensor(
          seeded(
            shape.reduce((a, b) => a * b, 1),
            seed + i,
          ),
          shape,
        )
        .mul(0.3);
    });
    if (ws.length > 0) layer.setWeights(ws);
    tf.dispose(ws);
  }
}

/** Rows per second of `step` (which handles `batch` rows) over one round of ROUND_MS. */
async function rate(step: () => Promise<void> | void, batch: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    await step();
    n++;
  }
  return (n * batch * 1000) / (performance.now() - start);
}

interface Subject {
  name: string;
  model: tfTypes.LayersModel;
  exported: OnnxExport;
  /** The same graph with a transpose around every conv/pool (CNN only). */
  perLayer?: OnnxExport;
}

async function session(exported: OnnxExport) {
  return ort.InferenceSession.create(exported.bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}

async function measure(subject: Subject) {
  const tf = getTf();
  const example = subject.model.inputs[0]!.shape.slice(1) as number[];
  const width = example.reduce((a, b) => a * b, 1);
  const check = await compareEngines(subject.model, subject.exported, seeded(64 * width, 9), 64);
  const onnx = await session(subject.exported);
  const perLayer = subject.perLayer ? await session(subject.perLayer) : null;
  const inputName = subject.exported.inputs[0]!.name;
  const rows = [];
  for (const batch of BATCHES) {
    const data = seeded(batch * width, batch);
    const x = tf.tensor(data, [batch, ...example]);
    const feeds = { [inputName]: new ort.Tensor('float32', data, [batch, ...example]) };
    const engines: Record<string, () => Promise<void> | void> = {
      tfjs: () => {
        const y = subject.model.predict(x) as tfTypes.Tensor;
        y.dataSync();
        y.dispose();
      },
      onnx: async () => {
        await onnx.run(feeds);
      },
      ...(perLayer
        ? {
            perLayer: async () => {
              await perLayer.run(feeds);
            },
          }
        : {}),
    };
    for (const step of Object.values(engines)) await rate(step, batch); // warm-up
    const rounds: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, step] of Object.entries(engines))
        (rounds[name] ??= []).push(await rate(step, batch));
    x.dispose();
    const m = Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, median(v)]));
    rows.push({ batch, ...m });
  }
  await onnx.release();
  await perLayer?.release();
  return { name: subject.name, maxAbsDiff: check.maxAbsDiff, rows };
}

async function main() {
  const backend = await initBackend('wasm');
  const hp = { learningRate: 0.01, dropout: 0.2, l2: 0 };
  const mlp = buildModel({
    preset: 'mlp-small',
    task: 'classification',
    inputWidth: 4,
    outputWidth: 3,
    hyperparameters: hp,
    seed: 42,
  });
  const cnn = buildImageModel({
    preset: 'cnn-small',
    imageShape: [32, 32, 3],
    classes: 3,
    hyperparameters: hp,
    seed: 42,
  });
  randomize(mlp, 1);
  randomize(cnn, 2);
  const subjects: Subject[] = [
    { name: 'mlp-small (iris: 4 → 32 → 16 → 3)', model: mlp, exported: exportToOnnx(mlp) },
    {
      name: 'cnn-small (32×32×3 → 3)',
      model: cnn,
      exported: exportToOnnx(cnn),
      perLayer: exportToOnnx(cnn, { transposeEachLayer: true }),
    },
  ];
  const results = [];
  for (const s of subjects) results.push(await measure(s));
  const versions = { tfjs: getTf().version.tfjs, backend, onnxruntime: ort.env.versions.node };
  if (json) {
    say(JSON.stringify({ versions, roundMs: ROUND_MS, rounds: ROUNDS, results }));
    return;
  }
  const f = (v: number | undefined) =>
    v === undefined ? '—' : Math.round(v).toLocaleString('en-US');
  say(
    `TF.js ${versions.tfjs} on ${backend} vs onnxruntime-node ${versions.onnxruntime} (CPU, 1 thread); median of ${ROUNDS} rounds of ${ROUND_MS} ms`,
  );
  for (const r of results) {
    say(`\n${r.name} — max |ONNX − TF.js| on 64 rows: ${r.maxAbsDiff.toExponential(1)}`);
    const cnnRow = r.rows.some((x) => 'perLayer' in x);
    say(
      `| batch | ONNX Runtime rows/s | TF.js ${backend} rows/s | ratio |${cnnRow ? ' ONNX, transpose per layer rows/s | NCHW kept / per layer |' : ''}`,
    );
    say(`|---|---|---|---|${cnnRow ? '---|---|' : ''}`);
    for (const row of r.rows as Array<{
      batch: number;
      tfjs: number;
      onnx: number;
      perLayer?: number;
    }>) {
      const extra = row.perLayer
        ? ` ${f(row.perLayer)} | ${(row.onnx / row.perLayer).toFixed(2)}× |`
        : '';
      say(
        `| ${row.batch} | ${f(row.onnx)} | ${f(row.tfjs)} | ${(row.onnx / row.tfjs).toFixed(1)}× |${extra}`,
      );
    }
  }
}

await main();
