import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { BundleFile, ModelVersion } from '@mlops/contracts';
import { createTensorPredictor, loadTensorModel, type TensorPredictor } from '@mlops/ml/bundle';
import type { TestRegistry } from './helpers';

export async function uploadBlob(
  r: TestRegistry,
  path: string,
  bytes: Uint8Array,
): Promise<BundleFile> {
  const res = await r.app.inject({
    method: 'POST',
    url: '/api/blobs',
    payload: Buffer.from(bytes),
    headers: { ...r.auth, 'content-type': 'application/octet-stream' },
  });
  expect(res.statusCode).toBe(201);
  const { sha256, size } = res.json<{ sha256: string; size: number }>();
  return { path, sha256, size };
}

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * The in-process predictor serving will build for a registered version: its files read back
 * from the registry's artifact store, verified and loaded, fed through its stored signature.
 */
export async function storedPredictor(
  r: TestRegistry,
  version: ModelVersion,
): Promise<{ predictor: TensorPredictor; dispose: () => void }> {
  const files = new Map<string, Uint8Array>();
  for (const f of version.manifest.files)
    files.set(f.path, await readAll(await r.deps.store.get(f.sha256)));
  const tensors = version.manifest.signature.tensors;
  if (!tensors) throw new Error('not a tensor model');
  const model = await loadTensorModel(version.manifest, files);
  return { predictor: createTensorPredictor(model, tensors), dispose: () => model.dispose() };
}

/** Deterministic pixels 0–255. */
export function pixels(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
}

export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, digits = 5): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
}
