/**
 * The runtimes round of bench:serve (issue 24): the benchmark model served by our server on
 * TF.js and on ONNX Runtime — the same bundle, the same weights (its Dense stack written as an
 * ONNX graph beside model.json, a verified export) — at 1 and 64 rows a request, in rounds; the
 * ratios are ONNX Runtime over TF.js within a round, their median over rounds.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { sha256Hex } from '@mlops/ml/bundle';
import { createOnnxSession, readOnnxModel } from '@mlops/ml/onnx';
import { buildOnnxModel, type GraphSpec } from '@mlops/ml/onnx/testing';
import { encodeFeatures } from '@mlops/ml/preprocessing';
import { median } from '@mlops/ml/stats';
import { benchRows, loadBenchModel } from './bundle-dir';
import { load, withServers, type LoadResult } from './processes';

/** ONNX ops of a TF.js Dense activation (linear: none). */
const ACTIVATIONS: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  softmax: 'Softmax',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
};

/** The model's Dense stack as an ONNX graph: MatMul + Add (+ activation) per layer. */
function denseGraph(model: tfTypes.LayersModel, width: number): Uint8Array {
  const spec: GraphSpec = {
    producerName: 'bench',
    producerVersion: '1',
    inputs: [{ name: 'features', shape: ['batch', width] }],
    outputs: [],
    nodes: [],
    initializers: [],
  };
  let x = 'features';
  let units = width;
  for (const [k, layer] of model.layers.entries()) {
    const config = layer.getConfig() as { activation?: string; units?: number };
    if (layer.getClassName() !== 'Dense' || !config.units)
      throw new Error(`bench model layer ${layer.name} is not Dense`);
    const op = ACTIVATIONS[config.activation ?? 'linear'];
    if (op === undefined) throw new Error(`activation ${config.activation} not converted`);
    const [kernel, bias] = layer.getWeights();
    spec.initializers!.push(
      { name: `w${k}`, dims: [units, config.units], values: kernel!.dataSync() },
      { name: `b${k}`, dims: [config.units], values: bias!.dataSync() },
    );
    spec.nodes.push({ op: 'MatMul', inputs: [x, `w${k}`], outputs: [`m${k}`] });
    const out = op ? `a${k}` : `y${k}`;
    spec.nodes.push({ op: 'Add', inputs: [`m${k}`, `b${k}`], outputs: [out] });
    x = out;
    if (op) {
      x = `y${k}`;
      spec.nodes.push({
        op,
        inputs: [out],
        outputs: [x],
        ...(op === 'Softmax' ? { attributes: { axis: 1 } } : {}),
      });
    }
    units = config.units;
  }
  spec.outputs.push({ name: x, shape: ['batch', units] });
  return buildOnnxModel(spec);
}

/**
 * Write the bundle's ONNX export (model.onnx, primary: false) with its verification: the
 * largest |ONNX − TF.js| over 256 benchmark rows. Answers that difference.
 */
export async function addOnnxExport(dir: string): Promise<number> {
  const { tf, manifest, prep, model } = await loadBenchModel(dir);
  const graph = denseGraph(model as unknown as tfTypes.LayersModel, prep.inputWidth);
  const rows = benchRows(manifest.signature.inputs, 256);
  const x = encodeFeatures(prep, rows);
  const expected = tf.tidy(() => {
    const y = model.predict(tf.tensor2d(x, [rows.length, prep.inputWidth])) as tfTypes.Tensor;
    return y.dataSync() as Float32Array;
  });
  model.dispose();
  const session = await createOnnxSession(graph);
  const info = readOnnxModel(graph);
  const out = await session.run({
    features: { type: 'float32', data: x, dims: [rows.length, prep.inputWidth] },
  });
  await session.dispose();
  const got = out[info.outputs[0]!.name]!.data as Float32Array;
  let maxAbsDiff = 0;
  for (let i = 0; i < got.length; i++)
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i]! - expected[i]!));
  await writeFile(join(dir, 'model.onnx'), graph);
  const stored = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  > & { files: unknown[] };
  stored.files.push({ path: 'model.onnx', sha256: sha256Hex(graph), size: graph.byteLength });
  stored.onnx = {
    file: 'model.onnx',
    opsetVersion: info.opsetVersion,
    producer: info.producer,
    inputs: info.inputs,
    outputs: info.outputs,
    primary: false,
    verification: { rows: rows.length, maxAbsDiff, tolerance: 1e-4 },
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(stored));
  return maxAbsDiff;
}

export interface RuntimeFigures {
  tfjs_rows_per_s_1: number;
  onnx_rows_per_s_1: number;
  tfjs_rows_per_s_64: number;
  onnx_rows_per_s_64: number;
  onnx_vs_tfjs_1: number;
  onnx_vs_tfjs_64: number;
  max_abs_diff: number;
  failed_requests: number;
}

/** Our server on each runtime, 1-row and 64-row phases back to back, `rounds` times. */
export async function runtimeBench(opts: {
  dir: string;
  body1: string;
  body64: string;
  connections: number;
  seconds: number;
  rounds: number;
  say: (line: string) => void;
}): Promise<RuntimeFigures> {
  const maxAbsDiff = await addOnnxExport(opts.dir);
  opts.say(`runtimes: TF.js vs ONNX Runtime on the same weights (max |diff| ${maxAbsDiff})`);
  const env = (runtime: string) => ({ SERVING_LOG_SAMPLE_RATE: '1', SERVING_RUNTIME: runtime });
  return withServers(
    [
      { script: 'ours.ts', argv: [opts.dir], env: env('tfjs') },
      { script: 'ours.ts', argv: [opts.dir], env: env('onnx') },
    ],
    async ([tfjs, onnx]) => {
      if (!tfjs || !onnx) throw new Error('a server did not start');
      const phase = (port: number, pid: number | undefined, body: string) =>
        load(port, { body, connections: opts.connections, seconds: opts.seconds }, pid);
      // One second each first: the first requests pay allocations neither runtime repeats.
      for (const s of [tfjs, onnx])
        await load(s.port, { body: opts.body1, connections: opts.connections, seconds: 1 });
      const rounds: Array<Record<'t1' | 'o1' | 't64' | 'o64', LoadResult>> = [];
      for (let i = 0; i < opts.rounds; i++) {
        const round = {
          t1: await phase(tfjs.port, tfjs.pid, opts.body1),
          o1: await phase(onnx.port, onnx.pid, opts.body1),
          t64: await phase(tfjs.port, tfjs.pid, opts.body64),
          o64: await phase(onnx.port, onnx.pid, opts.body64),
        };
        opts.say(
          `  round ${i + 1}: 1 row ${Math.round(round.t1.rps)} (tfjs) / ${Math.round(round.o1.rps)} (onnx) req/s; 64 rows ${Math.round(round.t64.rps * 64)} / ${Math.round(round.o64.rps * 64)} rows/s`,
        );
        rounds.push(round);
      }
      const med = (f: (r: (typeof rounds)[number]) => number) => median(rounds.map(f));
      const ratio = (x: number) => Number(x.toFixed(2));
      return {
        tfjs_rows_per_s_1: Math.round(med((r) => r.t1.rps)),
        onnx_rows_per_s_1: Math.round(med((r) => r.o1.rps)),
        tfjs_rows_per_s_64: Math.round(med((r) => r.t64.rps * 64)),
        onnx_rows_per_s_64: Math.round(med((r) => r.o64.rps * 64)),
        onnx_vs_tfjs_1: ratio(med((r) => r.o1.rps / r.t1.rps)),
        onnx_vs_tfjs_64: ratio(med((r) => r.o64.rps / r.t64.rps)),
        max_abs_diff: maxAbsDiff,
        failed_requests: rounds.reduce(
          (n, r) => n + [r.t1, r.o1, r.t64, r.o64].reduce((a, l) => a + l.non2xx + l.errors, 0),
          0,
        ),
      };
    },
  );
}
