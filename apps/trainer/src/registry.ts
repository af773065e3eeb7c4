import type {
  BlobRef,
  BundleManifest,
  CellValue,
  EpochLoss,
  ImageCell,
  DatasetVersion,
  DatasetVersionSummary,
  Metrics,
  ModelTests,
  ModelVersion,
  Run,
  RunProgress,
  RunRows,
  BackendName,
} from '@mlops/contracts';

/**
 * The part of `@mlops/client`'s RegistryClient the trainer uses. The worker depends on this
 * structural slice, so the real client is passed as is and the training code stays testable
 * against any registry that speaks the same procedures.
 */
export interface TrainerRegistry {
  api: {
    runs: {
      get: { query(input: { id: string }): Promise<Run> };
      start: { mutate(input: { id: string; backend: BackendName }): Promise<Run> };
      progress: {
        mutate(input: {
          id: string;
          progress: RunProgress;
          curve?: EpochLoss[];
        }): Promise<{ ok: true }>;
      };
      complete: {
        mutate(input: {
          id: string;
          metrics: Metrics;
          version?: number;
          rows?: RunRows;
          modelTests?: ModelTests;
        }): Promise<Run>;
      };
      fail: { mutate(input: { id: string; error: string }): Promise<Run> };
    };
    datasets: {
      get: { query(input: { name: string; version?: number }): Promise<DatasetVersion> };
      list: {
        query(input: { name?: string; limit?: number }): Promise<DatasetVersionSummary[]>;
      };
    };
    versions: {
      /** A transfer run's base (its bundle files are then downloaded as blobs). */
      get: { query(input: { model: string; version: number }): Promise<ModelVersion> };
      create: {
        mutate(input: {
          model: string;
          manifest: BundleManifest;
          runId: string | null;
        }): Promise<ModelVersion>;
      };
    };
  };
  /** The dataset's canonical JSON Lines, unparsed: the training thread parses each row once. */
  datasetLines(name: string, version: number): AsyncIterable<Uint8Array>;
  /** Rows of an image dataset, image cells included (the image run downloads their blobs). */
  datasetImageRows(name: string, version: number): AsyncIterable<Array<CellValue | ImageCell>>;
  uploadBlob(body: Buffer | Uint8Array): Promise<BlobRef>;
  downloadBlob(sha256: string): Promise<Buffer>;
}
