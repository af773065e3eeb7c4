import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfTypes from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { generateLesions, LESION_CLASSES } from '../../../scripts/demo/lesions';
import { startStack, type Stack } from '../../../scripts/lib/stack';

/*
 * `mlops predict <model> --image …` as a user runs it: the CLI as a child process against the
 * real registry and the real serving process, with an image model imported the way a user
 * imports one. An image model answers its raw outputs; the CLI must read them with the
 * answering version's signature, exactly as serving computed them.
 */
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mlops.js');
const MODEL = 'lesions';
const SIZE = 16;

let stack: Stack;
let dir: string;
let png: string;
let jpeg: string;

function mlops(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: {
        ...process.env,
        MLOPS_TOKEN: stack.adminToken,
        REGISTRY_URL: stack.urls.registry,
        SERVING_URL: stack.urls.serving,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A small conv net with seeded weights: different images get different probabilities. */
async function importImageModel(): Promise<void> {
  await initBackend('cpu');
  const tf = getTf();
  const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
  const image = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
  const maps = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(1) })
    .apply(image) as tfTypes.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(maps) as tfTypes.SymbolicTensor;
  const scores = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'scores', kernelInitializer: seeded(2) })
    .apply(pooled) as tfTypes.SymbolicTensor;
  const model = tf.model({ inputs: image, outputs: scores });
  const serialized = await serializeModel(model);
  model.dispose();
  const files = await Promise.all(
    serialized.map(async (f) => ({ path: f.path, ...(await stack.admin.uploadBlob(f.bytes)) })),
  );
  const version = await stack.admin.api.versions.import.mutate({
    model: MODEL,
    task: 'classification',
    target: 'label',
    tensorInputs: [{ image: { channels: 3, height: SIZE, width: SIZE, scale: 1 / 255 } }],
    labels: [...LESION_CLASSES],
    files: files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
  });
  await stack.admin.api.aliases.set.mutate({
    model: MODEL,
    version: version.version,
    alias: 'champion',
  });
  await vi.waitFor(
    async () => {
      const res = await fetch(`${stack.urls.serving}/v1/models/${MODEL}`, {
        headers: { authorization: `Bearer ${stack.adminToken}` },
      });
      const body = res.ok ? ((await res.json()) as { model_version_status?: unknown[] }) : {};
      expect(body).toMatchObject({ model_version_status: [{ state: 'AVAILABLE' }] });
    },
    { timeout: 30_000, interval: 200 },
  );
}

/** Serving's own answer to the same bytes, read in label order: what the CLI must print. */
async function servedProbabilities(bytes: Buffer): Promise<number[]> {
  const res = await fetch(`${stack.urls.serving}/v1/models/${MODEL}:predict`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ instances: [{ b64: bytes.toString('base64') }] }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { predictions: number[][] }).predictions[0]!;
}

function printedFor(probabilities: number[]): string {
  return LESION_CLASSES.map((label, i) => ({ label, value: probabilities[i]! }))
    .sort((a, b) => b.value - a.value)
    .map(({ label, value }) => `${label} ${value.toFixed(3)}`)
    .join(', ');
}

beforeAll(async () => {
  stack = await startStack({ apps: ['serving'], label: 'cli-images' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-images-'));
  const [pngImage] = await generateLesions({ count: 1, seed: 1, size: 32 });
  const [jpegImage] = await generateLesions({ count: 1, seed: 2, size: 32, format: 'jpeg' });
  png = path.join(dir, 'x.png');
  jpeg = path.join(dir, 'y.jpg');
  fs.writeFileSync(png, pngImage!.data);
  fs.writeFileSync(jpeg, jpegImage!.data);
  await importImageModel();
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlops predict --image (real registry and serving)', () => {
  it('prints the label and probabilities serving computed, read with the signature', async () => {
    const expected = await servedProbabilities(fs.readFileSync(jpeg));
    const { code, stdout, stderr } = await mlops(['predict', MODEL, '--image', jpeg]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`${MODEL} v1 (champion)`);
    expect(stdout).toContain(jpeg);
    expect(stdout).toContain(printedFor(expected));
  });

  it('sends several images in one request and prints one row each', async () => {
    const first = await servedProbabilities(fs.readFileSync(png));
    const second = await servedProbabilities(fs.readFileSync(jpeg));
    expect(printedFor(first)).not.toBe(printedFor(second));
    const { code, stdout } = await mlops(['predict', MODEL, '--image', png, '--image', jpeg]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.find((l) => l.includes(png))).toContain(printedFor(first));
    expect(lines.find((l) => l.includes(jpeg))).toContain(printedFor(second));
  });

  it("prints serving's answer unchanged on --json", async () => {
    const { code, stdout } = await mlops(['predict', MODEL, '--image', png, '--json']);
    expect(code).toBe(0);
    const body = JSON.parse(stdout) as {
      predictions: number[][];
      model: { version: number };
      predictionIds: string[];
    };
    expect(body.model.version).toBe(1);
    expect(body.predictions[0]).toHaveLength(3);
    expect(body.predictionIds).toHaveLength(1);
  });

  it('refuses a missing file or a non-image by name before sending anything', async () => {
    const missing = await mlops(['predict', MODEL, '--image', png, '--image', 'nope.jpg']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--image nope.jpg does not exist');

    const text = path.join(dir, 'notes.jpg');
    fs.writeFileSync(text, 'not an image at all');
    const notImage = await mlops(['predict', MODEL, '--image', text]);
    expect(notImage.code).toBe(1);
    expect(notImage.stderr).toContain(`--image ${text} is not a JPEG or PNG image`);

    const both = await mlops(['predict', MODEL, '--image', png, '--instance', '{"a":1}']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('not both');
  });
});
