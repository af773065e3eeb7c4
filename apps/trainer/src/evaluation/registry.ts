import type { DatasetVersion, Evaluation, Metrics, ModelVersion } from '@mlops/contracts';

/**
 * The part of `@mlops/client`'s RegistryClient an evaluation uses (structural, like
 * ../registry.ts): the evaluation's row, the version's bundle and the dataset's rows in, the
 * metrics out. `start`, `complete` and `fail` need the `train` scope (the trainer's token).
 */
export interface EvaluatorRegistry {
  api: {
    evaluations: {
      get: { query(input: { id: string }): Promise<Evaluation> };
      start: { mutate(input: { id: string }): Promise<Evaluation> };
      complete: {
        mutate(input: { id: string; metrics: Metrics; rows: number }): Promise<Evaluation>;
      };
      fail: { mutate(input: { id: string; error: string }): Promise<Evaluation> };
    };
    versions: {
      get: { query(input: { model: string; version: number }): Promise<ModelVersion> };
    };
    datasets: {
      get: { query(input: { name: string; version?: number }): Promise<DatasetVersion> };
    };
  };
  datasetLines(name: string, version: number): AsyncIterable<Uint8Array>;
  downloadBlob(sha256: string): Promise<Buffer>;
}
