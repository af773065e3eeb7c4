/**
 * The image pruning on a real install: a hard-linked copy of this checkout's node_modules is
 * pruned, then a child Node process in that copy does what the apps do with the pruned packages —
 * trains on TF.js's cpu and wasm backends, runs an ONNX model through onnxruntime-node's native
 * binding, decodes an image with sharp, queries SQLite through better-sqlite3. Hard links make
 * the copy cheap and leave the original untouched (removing a link removes only the copy's name
 * for the file). The package pass runs on a copy of the whole workspace (its package.json files
 * and node_modules), reduced to what one app's bundle imports, then checked with `npm ls`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlpClassifier } from '@mlops/ml/onnx/testing';
import { REPO_ROOT } from '../../lib/services';
import { packageClosure, pruneModules, pruneToApp } from '../../images/prune-modules.mjs';

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
const Database = (await import('better-sqlite3')).default;
out.sqlite = new Database(':memory:').prepare('select 40 + 2 as x').get().x;
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
    expect(fs.readdirSync(tfjs)).toEqual(['tf.node.js']);
    const wasm = fs.readdirSync(path.join(dir, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'));
    expect(wasm.filter((f) => !f.endsWith('.wasm'))).toEqual(['tf-backend-wasm.node.js']);
    const sqlite = path.join(dir, 'node_modules/better-sqlite3');
    expect(fs.readdirSync(path.join(sqlite, 'build/Release'))).toEqual(['better_sqlite3.node']);
    expect(fs.existsSync(path.join(sqlite, 'deps'))).toBe(false);
    // TypeScript is a peer of tRPC for its types only: the package stays, the compiler goes.
    expect(fs.readdirSync(path.join(dir, 'node_modules/typescript')).sort()).toEqual([
      'LICENSE.txt',
      'package.json',
    ]);
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
    'leaves what the apps load: TF.js on cpu and wasm, ONNX Runtime, sharp, SQLite',
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
        sqlite: 42,
      });
    },
  );
});

/** A copy of the workspace as the Dockerfiles' deps stage has it: manifests and node_modules. */
function copyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prune-app-'));
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
  for (const group of ['apps', 'packages']) {
    for (const name of fs.readdirSync(path.join(REPO_ROOT, group))) {
      const from = path.join(REPO_ROOT, group, name);
      if (!fs.existsSync(path.join(from, 'package.json'))) continue;
      fs.mkdirSync(path.join(dir, group, name), { recursive: true });
      fs.copyFileSync(path.join(from, 'package.json'), path.join(dir, group, name, 'package.json'));
      if (fs.existsSync(path.join(from, 'node_modules'))) {
        const copy = spawnSync('cp', [
          '-al',
          path.join(from, 'node_modules'),
          path.join(dir, group, name),
        ]);
        expect(copy.status, String(copy.stderr)).toBe(0);
      }
    }
  }
  const copy = spawnSync('cp', ['-al', path.join(REPO_ROOT, 'node_modules'), dir]);
  expect(copy.status, String(copy.stderr)).toBe(0);
  return dir;
}

const moduleDirsOf = (dir: string) => [
  path.join(dir, 'node_modules'),
  ...['apps', 'packages'].flatMap((group) =>
    fs
      .readdirSync(path.join(dir, group))
      .map((name) => path.join(dir, group, name, 'node_modules')),
  ),
];

describe('prune-modules to what one app imports', () => {
  // What the monitor's bundle imports (its build writes this list to dist/externals.json).
  const imports = ['@trpc/server', 'fastify', 'ioredis', 'pino', 'zod'];
  let dir = '';
  beforeAll(() => {
    dir = copyWorkspace();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fails on an import that is not installed, before removing anything', () => {
    expect(() => packageClosure(dir, 'apps/monitor', [...imports, 'no-such-package'])).toThrow(
      /no-such-package \(needed by apps\/monitor\) is not installed/,
    );
    expect(fs.existsSync(path.join(dir, 'node_modules/@tensorflow/tfjs'))).toBe(true);
  });

  it(
    'keeps the imports and their dependencies, and npm ls checks that tree clean',
    { timeout: 120_000 },
    () => {
      const { kept } = pruneToApp(dir, 'apps/monitor', imports, moduleDirsOf(dir));
      expect(kept).toBeGreaterThan(imports.length);
      for (const gone of ['@tensorflow/tfjs', 'onnxruntime-node', 'sharp', 'vitest', '@mlops/ml'])
        expect(fs.existsSync(path.join(dir, 'node_modules', gone)), gone).toBe(false);
      // A dependency of an import (fastify → avvio) and a peer (tRPC → typescript) stay.
      for (const kept of ['fastify', 'avvio', 'typescript', '@mlops/monitor'])
        expect(fs.existsSync(path.join(dir, 'node_modules', kept)), kept).toBe(true);
      expect(fs.readdirSync(path.join(dir, 'apps'))).toEqual(['monitor']);
      expect(fs.existsSync(path.join(dir, 'packages'))).toBe(false);
      const app = JSON.parse(
        fs.readFileSync(path.join(dir, 'apps/monitor/package.json'), 'utf8'),
      ) as { dependencies: Record<string, string>; devDependencies?: unknown };
      expect(Object.keys(app.dependencies)).toEqual([...imports].sort());
      expect(app.devDependencies).toBeUndefined();

      const ls = spawnSync('npm', ['ls', '--omit=dev', '--all'], { cwd: dir, encoding: 'utf8' });
      expect(ls.status, `${ls.stdout}${ls.stderr}`).toBe(0);
      const load = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', imports.map((name) => `await import('${name}');`).join('')],
        { cwd: path.join(dir, 'apps/monitor'), encoding: 'utf8' },
      );
      expect(load.status, load.stderr).toBe(0);
    },
  );
});
