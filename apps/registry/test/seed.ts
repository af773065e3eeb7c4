import { expect } from 'vitest';
import { externalLineage, type BundleManifest } from '@mlops/contracts';
import { IRIS_CSV, startTestRegistry, type TestRegistry } from './helpers';

/** A registry holding the iris dataset (v1) and one stored blob to reference from manifests. */
export async function startSeededRegistry(
  opts: Parameters<typeof startTestRegistry>[0] = {},
): Promise<{
  r: TestRegistry;
  file: { sha256: string; size: number };
}> {
  const r = await startTestRegistry(opts);
  const up = await r.app.inject({
    method: 'POST',
    url: '/api/datasets/iris',
    payload: IRIS_CSV,
    headers: { ...r.auth, 'content-type': 'text/csv' },
  });
  expect(up.statusCode).toBe(201);
  const blob = await r.app.inject({
    method: 'POST',
    url: '/api/blobs',
    payload: Buffer.from('{"modelTopology":{}}'),
    headers: { ...r.auth, 'content-type': 'application/octet-stream' },
  });
  expect(blob.statusCode).toBe(201);
  return { r, file: blob.json<{ sha256: string; size: number }>() };
}

/** A valid classification manifest whose one file is `file`. */
export function manifestWith(file: { sha256: string; size: number }): BundleManifest {
  return {
    formatVersion: 1,
    task: 'classification',
    signature: {
      inputs: [{ name: 'sepal_length', type: 'numeric', nullable: false }],
      output: {
        task: 'classification',
        target: 'species',
        labels: ['setosa', 'versicolor', 'virginica'],
      },
    },
    preprocessing: {
      features: [{ kind: 'standardize', column: 'sepal_length', mean: 5, std: 1, impute: 5 }],
      target: {
        kind: 'label-encode',
        column: 'species',
        labels: ['setosa', 'versicolor', 'virginica'],
      },
      inputWidth: 1,
    },
    metrics: { accuracy: 0.9 },
    lineage: externalLineage(),
    files: [{ path: 'model.json', ...file }],
  };
}
