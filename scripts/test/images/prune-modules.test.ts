/**
 * The image pruning on a real install: a hard-linked copy of this checkout's node_modules is
 * pruned, then a child Node process in that copy does what the apps do with the pruned packages —
 * trains on TF.js's cpu and wasm backends, runs an ONNX model through onnxruntime-node's native
 * binding, decodes an image with sharp. Hard links make the copy cheap and leave the original
 * untouched (removing a link removes only the copy's name for the file).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlpClassifier } from '@mlops/ml/onnx/testing';
import { REPO_ROOT } from '../../lib/services';
import { pruneModules } from '../../images/prune-modules.mjs';

const WHAT_THE_APPS_DO = `
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
const out = {};
for (const backend of ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
  const h = await model.fit(tf.randomNormal([4, 3]), y, { epochs: 2, verbose: 0 });
  out[backend] = { backend: tf.getBackend(), epochs: h.history.loss.length };
}
const session = await ort.InferenceSession.create(fs.readFileSync('model.onnx'));
const x = new ort.Tensor('float32', new Float32Array([0.1, 0.2, 0.3, 0.4]), [1, 4]);
const result = await session.run({ features: x });
out.onnx = Array.from(result.probabilities.data).length;
const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
  .png()
  .toBuffer();
out.sharp = (await sharp(png).raw().toBuffer()).length;
console.log(JSON.stringify(out));
`;

describe('prune-modules on a copy of a real install', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-modules-'));
  let removed: { bytes: number; paths: number };

  beforeAll(() => {
    const copy = spawnSync('cp', ['-al', path.join(REPO_ROOT, 'node_modules'), dir]);
    expect(copy.status, String(copy.stderr)).toBe(0);
    removed = pruneModules(path.join(dir, 'node_modules'));
    fs.writeFileSync(
      path.join(dir, 'model.onnx'),
      mlpClassifier({ inputWidth: 4, hidden: 8, classes: 3 }),
    );
    fs.writeFileSync(path.join(dir, 'check.mjs'), WHAT_THE_APPS_DO);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('removes the browser bundles, source maps and other platforms’ binaries', () => {
    expect(removed.bytes).toBeGreaterThan(300 * 1024 ** 2);
    const tfjs = path.join(dir, 'node_modules/@tensorflow/tfjs/dist');
    expect(fs.existsSync(path.join(tfjs, 'tf.node.js'))).toBe(true);
    expect(fs.readdirSync(tfjs).filter((f) => /\.map$|\.min\.js$|^tf\.js$/.test(f))).toEqual([]);
    const onnxBin = path.join(dir, 'node_modules/onnxruntime-node/bin');
    for (const napi of fs.readdirSync(onnxBin)) {
      expect(fs.readdirSync(path.join(onnxBin, napi))).toEqual([process.platform]);
      expect(fs.readdirSync(path.join(onnxBin, napi, process.platform))).toEqual([process.arch]);
    }
    // The original install keeps everything.
    expect(fs.existsSync(path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.js'))).toBe(
      true,
    );
  });

  it(
    'leaves what the apps load: TF.js on cpu and wasm, ONNX Runtime, sharp',
    { timeout: 120_000 },
    () => {
      const run = spawnSync(process.execPath, ['check.mjs'], { cwd: dir, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const out = JSON.parse(run.stdout.trim().split('\n')[0] ?? '{}') as Record<string, unknown>;
      expect(out).toEqual({
        cpu: { backend: 'cpu', epochs: 2 },
        wasm: { backend: 'wasm', epochs: 2 },
        onnx: 3,
        sharp: 48,
      });
    },
  );
});
