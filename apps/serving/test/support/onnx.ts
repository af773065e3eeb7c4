import type { Column, ModelVersion } from '@mlops/contracts';
import type { RegistryClient } from '@mlops/client';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import type { ServingApp } from '../../src/app';
import { postJson } from './app';

/** A TF.js classifier of the same contract, imported as the next version (ONNX ↔ TF.js swaps). */
export async function importTfjsClassifier(
  client: RegistryClient,
  model: string,
  inputs: Column[],
  labels: string[],
): Promise<ModelVersion> {
  await initBackend();
  const tf = getTf();
  const net = tf.sequential({
    layers: [tf.layers.dense({ units: labels.length, inputShape: [4], activation: 'softmax' })],
  });
  const files = await serializeModel(net);
  net.dispose();
  const stored = [];
  for (const f of files) {
    const ref = await client.uploadBlob(Buffer.from(f.bytes));
    stored.push({ path: f.path, sha256: ref.sha256, size: ref.size });
  }
  return client.api.versions.import.mutate({
    model,
    task: 'classification',
    target: 'species',
    inputs,
    labels,
    files: stored,
  });
}

export interface Load {
  /** Every non-200 answer: status and body. */
  failures: Array<{ status: number; body: string }>;
  /** The versions that answered. */
  versions: Set<number>;
  /** Resolves once `n` more requests were answered. */
  waitForMore(n: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Concurrent requests in a loop (4 in flight) until stopped: what a swap must not fail. Counts
 * answers rather than time, so it makes no timing assumption about the machine.
 */
export function hammer(app: ServingApp, url: string, body: unknown, inFlight = 4): Load {
  let running = true;
  let answered = 0;
  let waiters: Array<{ at: number; resolve: () => void }> = [];
  const load: Load = {
    failures: [],
    versions: new Set(),
    waitForMore(n) {
      return new Promise((resolve) => waiters.push({ at: answered + n, resolve }));
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
  const worker = async () => {
    while (running) {
      const res = await postJson(app, url, body);
      answered += 1;
      if (res.statusCode !== 200) load.failures.push({ status: res.statusCode, body: res.body });
      else load.versions.add(res.json<{ model: { version: number } }>().model.version);
      const due = waiters.filter((w) => w.at <= answered);
      waiters = waiters.filter((w) => w.at > answered);
      for (const w of due) w.resolve();
    }
  };
  const workers = Array.from({ length: inFlight }, worker);
  return load;
}
