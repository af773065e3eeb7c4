import type { RegistryClient } from '@mlops/client';
import { TERMINAL_RUN_STATUSES } from '@mlops/contracts';
import { readIris, toCsv } from '../demo/iris';
import { waitFor } from './wait';

/**
 * A registered Iris model, trained by the stack's real trainer in a few epochs (seconds): what
 * the security tests need to predict with, send feedback for and retrain. Uploads the dataset
 * on first use; answers the new version's number.
 */
export async function trainIris(
  admin: RegistryClient,
  opts: { model?: string; epochs?: number } = {},
): Promise<number> {
  const datasets = await admin.api.datasets.list.query({ name: 'iris', limit: 1 }).catch(() => []);
  const dataset =
    datasets[0] ?? (await admin.uploadDataset('iris', toCsv(readIris()), { format: 'csv' }));
  const run = await admin.api.runs.create.mutate({
    modelName: opts.model ?? 'iris',
    dataset: { name: 'iris', version: dataset.version },
    task: 'classification',
    target: 'species',
    preset: 'mlp-small',
    hyperparameters: { epochs: opts.epochs ?? 10, batchSize: 16, learningRate: 0.05 },
    seed: 42,
  });
  const done = await waitFor(
    `run ${run.id} to finish`,
    async () => {
      const r = await admin.api.runs.get.query({ id: run.id });
      return TERMINAL_RUN_STATUSES.includes(r.status) ? r : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 300 },
  );
  if (done.status !== 'completed' || done.modelVersion === null) {
    throw new Error(`run ${done.id} ended ${done.status}: ${done.error ?? 'no error'}`);
  }
  return done.modelVersion;
}

/** One textbook setosa. */
export const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
