import { expect } from 'vitest';
import { IRIS_CSV, startTestRegistry, type TestRegistry } from './helpers';

export { manifestWith } from '../src/testing';

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
