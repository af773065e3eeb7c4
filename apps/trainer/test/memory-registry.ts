import { randomUUID } from 'node:crypto';
import {
  scalarColumns,
  AppError,
  canonicalRowLine,
  trainingSpecSchema,
  type BlobRef,
  type BundleManifest,
  type CellValue,
  type ImageCell,
  type DataRow,
  type DatasetSchema,
  type DatasetVersion,
  type ModelVersion,
  type Run,
  type RunProgress,
  type TrainingSpecInput,
} from '@mlops/contracts';
import { sha256Hex } from '@mlops/ml/bundle';
import { profileRows } from '@mlops/ml/profile';
import type { TrainerRegistry } from '../src/registry';

/** Lines per block of `datasetLines`: several blocks, as a network body arrives, for small sets. */
const LINES_PER_BLOCK = 32;

/**
 * An in-memory stand-in for the registry, implementing only what the trainer calls. It lets the
 * worker run through real BullMQ on real Redis before (and independently of) the registry app.
 */
export class MemoryRegistry implements TrainerRegistry {
  readonly runs = new Map<string, Run>();
  readonly progress: RunProgress[] = [];
  readonly blobs = new Map<string, Uint8Array>();
  readonly versions: ModelVersion[] = [];
  private dataset: { version: DatasetVersion; rows: DataRow[] } | undefined;
  /** Test hook, called after each accepted progress report. */
  onProgress: ((id: string, progress: RunProgress) => void) | undefined;

  /** What an operator's cancel would do to the stored run. */
  cancel(id: string): void {
    this.update(id, { status: 'cancelled', finishedAt: new Date().toISOString() });
  }

  addDataset(name: string, schema: DatasetSchema, rows: DataRow[]): DatasetVersion {
    const canonical = rows.map((r) => canonicalRowLine(schema.columns, r)).join('');
    const version: DatasetVersion = {
      id: `ds_${randomUUID().slice(0, 8)}`,
      name,
      version: 1,
      hash: sha256Hex(new TextEncoder().encode(canonical)),
      format: 'jsonl',
      rowCount: rows.length,
      sizeBytes: canonical.length,
      schema,
      profile: profileRows(scalarColumns(schema.columns), rows),
      validation: null,
      createdAt: new Date().toISOString(),
    };
    this.dataset = { version, rows };
    return version;
  }

  createRun(input: TrainingSpecInput): Run {
    const spec = trainingSpecSchema.parse(input);
    const ds = this.dataset?.version;
    if (!ds) throw new Error('add a dataset first');
    const run: Run = {
      id: `run_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      modelName: spec.modelName,
      spec,
      datasetId: ds.id,
      datasetHash: ds.hash,
      status: 'queued',
      progress: null,
      metrics: {},
      backend: null,
      error: null,
      modelVersion: null,
      rows: null,
      curve: [],
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
    };
    this.runs.set(run.id, run);
    return run;
  }

  private run(id: string): Run {
    const run = this.runs.get(id);
    if (!run) throw new AppError('NOT_FOUND', `run ${id} not found`);
    return run;
  }

  private update(id: string, patch: Partial<Run>): Run {
    const run = { ...this.run(id), ...patch };
    this.runs.set(id, run);
    return run;
  }

  readonly api: TrainerRegistry['api'] = {
    runs: {
      get: { query: ({ id }) => Promise.resolve(this.run(id)) },
      start: {
        mutate: ({ id, backend }) =>
          Promise.resolve(
            this.update(id, { status: 'running', backend, startedAt: new Date().toISOString() }),
          ),
      },
      progress: {
        mutate: ({ id, progress, curve }) => {
          if (this.run(id).status !== 'running') {
            return Promise.reject(
              new AppError('PRECONDITION_FAILED', `run ${id} is ${this.run(id).status}`),
            );
          }
          this.progress.push(progress);
          this.onProgress?.(id, progress);
          const first = curve?.[0]?.epoch ?? Infinity;
          const kept = this.run(id).curve.filter((e) => e.epoch < first);
          this.update(id, { progress, curve: [...kept, ...(curve ?? [])] });
          return Promise.resolve({ ok: true as const });
        },
      },
      complete: {
        mutate: ({ id, metrics, version, rows }) =>
          Promise.resolve(
            this.update(id, {
              status: 'completed',
              metrics,
              rows: rows ?? null,
              modelVersion: version,
              finishedAt: new Date().toISOString(),
            }),
          ),
      },
      fail: {
        mutate: ({ id, error }) => {
          const status = this.run(id).status;
          if (status !== 'queued' && status !== 'running') {
            return Promise.reject(
              new AppError('PRECONDITION_FAILED', `cannot fail run ${id}: it is ${status}`),
            );
          }
          return Promise.resolve(
            this.update(id, { status: 'failed', error, finishedAt: new Date().toISOString() }),
          );
        },
      },
    },
    datasets: {
      get: {
        query: ({ name }) => {
          if (!this.dataset || this.dataset.version.name !== name) {
            return Promise.reject(new AppError('NOT_FOUND', `dataset ${name} not found`));
          }
          return Promise.resolve(this.dataset.version);
        },
      },
      list: { query: () => Promise.resolve(this.dataset ? [this.dataset.version] : []) },
    },
    versions: {
      get: {
        query: ({ model, version }: { model: string; version: number }) => {
          const found = this.versions.find((v) => v.model === model && v.version === version);
          return found
            ? Promise.resolve(found)
            : Promise.reject(new AppError('NOT_FOUND', `model ${model} has no version ${version}`));
        },
      },
      create: {
        mutate: ({
          model,
          manifest,
          runId,
        }: {
          model: string;
          manifest: BundleManifest;
          runId: string | null;
        }) => {
          for (const f of manifest.files) {
            if (!this.blobs.has(f.sha256))
              return Promise.reject(new AppError('PRECONDITION_FAILED', `blob ${f.path} missing`));
          }
          const existing = this.versions.find(
            (v) => v.model === model && v.manifest.lineage.runId === runId,
          );
          if (existing) return Promise.resolve(existing);
          const version: ModelVersion = {
            model,
            version: this.versions.filter((v) => v.model === model).length + 1,
            manifest,
            claimedMetrics: manifest.metrics,
            platformMetrics: null,
            modelTests: null,
            aliases: [],
            createdAt: new Date().toISOString(),
          };
          this.versions.push(version);
          return Promise.resolve(version);
        },
      },
    },
  };

  /** Test hook: lines served after the dataset's own (e.g. a malformed row). */
  extraLines: string[] = [];

  /** Image datasets live in the real registry only (image-training.test.ts). */
  datasetImageRows(): AsyncIterable<Array<CellValue | ImageCell>> {
    throw new AppError('NOT_FOUND', 'the memory registry holds no image datasets');
  }

  /** The canonical JSON Lines, in blocks of whole lines as the real client cuts a body. */
  async *datasetLines(name: string, version: number): AsyncIterable<Uint8Array> {
    const ds = this.dataset;
    if (!ds || ds.version.name !== name || ds.version.version !== version)
      throw new AppError('NOT_FOUND', 'no rows');
    const lines = [
      ...ds.rows.map((row) => canonicalRowLine(ds.version.schema.columns, row)),
      ...this.extraLines,
    ];
    for (let at = 0; at < lines.length; at += LINES_PER_BLOCK) {
      await Promise.resolve();
      yield Buffer.from(lines.slice(at, at + LINES_PER_BLOCK).join(''));
    }
  }

  /** Test hook: when set, uploads fail with this error (a registry outage). */
  uploadError: Error | undefined;

  downloadBlob(sha256: string): Promise<Buffer> {
    const bytes = this.blobs.get(sha256);
    if (!bytes) return Promise.reject(new AppError('NOT_FOUND', `blob ${sha256} not found`));
    return Promise.resolve(Buffer.from(bytes));
  }

  uploadBlob(body: Buffer | Uint8Array): Promise<BlobRef> {
    if (this.uploadError) return Promise.reject(this.uploadError);
    const sha256 = sha256Hex(body);
    this.blobs.set(sha256, new Uint8Array(body));
    return Promise.resolve({ sha256, size: body.byteLength });
  }
}
