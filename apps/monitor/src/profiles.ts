import { z } from 'zod';
import {
  AppError,
  DRIFT_REFERENCE_FILE,
  isAppError,
  modelSchema,
  modelVersionSchema,
  tensorDriftReferenceSchema,
  trainingProfileSchema,
} from '@mlops/contracts';
import type {
  BundleFile,
  Column,
  DatasetProfile,
  Metrics,
  TensorDriftReference,
  TensorSignature,
} from '@mlops/contracts';

/** What drift compares live rows with: the model's input columns and its training profile. */
export interface Reference {
  /** Scalar inputs; empty for a tensor model. */
  columns: Column[];
  /** The training profile; empty (no rows, no columns) for a tensor model whose bundle has none. */
  profile: DatasetProfile;
  /**
   * A tensor model's inputs: serving logs a summary per input (sha256, shape, per-channel
   * mean/std, an image's size and thumbnail embedding) instead of the values, and drift
   * compares those summaries (see image-drift.ts).
   */
  tensors?: TensorSignature;
  /**
   * A tensor model's training reference (`drift-reference.json`: the training images summarized
   * as serving logs live ones). Absent (an imported model): drift falls back to the version's
   * first window of traffic.
   */
  tensorReference?: TensorDriftReference;
  /** From the manifest: the task and the held-out metrics live quality is shown next to. */
  task?: 'classification' | 'regression';
  heldout?: Metrics;
}

/** Where references come from: the registry in production, a map in tests. */
export interface ProfileSource {
  /** Throws AppError NOT_FOUND when the version or its profile does not exist. */
  get(model: string, version: number): Promise<Reference>;
}

/** Where model names come from besides the streams themselves. */
export interface ModelSource {
  listModels(): Promise<string[]>;
}

/**
 * The slice of `@mlops/client`'s RegistryClient the monitor uses. Typed structurally (outputs
 * are `unknown` and parsed with the contracts) so the monitor depends on the wire contract,
 * not on the registry's router types.
 */
export interface RegistryReader {
  api: {
    models: { list: { query(input: { limit: number }): Promise<unknown> } };
    versions: {
      get: { query(input: { model: string; version: number }): Promise<unknown> };
    };
  };
  downloadBlob(sha256: string): Promise<Buffer>;
}

const PROFILE_FILE = 'profile.json';

/** Map a registry failure onto an AppError (tRPC puts `appCode` into `data`). */
function registryError(err: unknown, what: string): AppError {
  if (isAppError(err)) return err;
  const data = (err as { data?: { appCode?: unknown; code?: unknown } } | null)?.data;
  const notFound = data?.appCode === 'NOT_FOUND' || data?.code === 'NOT_FOUND';
  const reason = err instanceof Error ? err.message : String(err);
  return notFound
    ? new AppError('NOT_FOUND', `${what} was not found in the registry: ${reason}`)
    : new AppError(
        'UNAVAILABLE',
        `Could not read ${what} from the registry (${reason}); check REGISTRY_URL and retry`,
      );
}

/** Registry-backed references, cached per version (versions are immutable). */
export function registryProfileSource(client: RegistryReader): ProfileSource & ModelSource {
  const cache = new Map<string, Promise<Reference>>();

  async function load(model: string, version: number): Promise<Reference> {
    const what = `version ${version} of model "${model}"`;
    let manifest;
    let platformMetrics;
    try {
      ({ manifest, platformMetrics } = modelVersionSchema.parse(
        await client.api.versions.get.query({ model, version }),
      ));
    } catch (err) {
      throw registryError(err, what);
    }
    const tensors = manifest.signature.tensors;
    const file = manifest.files.find((f) => f.path === PROFILE_FILE);
    // A tensor model's drift does not need the training profile: it compares the logged image
    // summaries with its drift reference, or its first window (an imported one has neither).
    if (!file && tensors) {
      const referenceFile = manifest.files.find((f) => f.path === DRIFT_REFERENCE_FILE);
      const tensorReference = referenceFile
        ? await tensorReferenceOf(referenceFile, what)
        : undefined;
      return {
        columns: [],
        profile: { rowCount: 0, columns: [] },
        tensors,
        ...(tensorReference ? { tensorReference } : {}),
        task: manifest.task,
        heldout: platformMetrics?.metrics ?? manifest.metrics,
      };
    }
    if (!file) {
      throw new AppError(
        'NOT_FOUND',
        `${what} has no ${PROFILE_FILE} in its bundle; retrain it to monitor drift`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = await client.downloadBlob(file.sha256);
    } catch (err) {
      throw registryError(err, `${PROFILE_FILE} of ${what}`);
    }
    const parsed = trainingProfileSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `${PROFILE_FILE} of ${what} is not a valid training profile`,
      );
    }
    return {
      columns: manifest.signature.inputs,
      profile: parsed.data,
      ...(tensors ? { tensors } : {}),
      task: manifest.task,
      // What the platform measured (the trainer's held-out split or a re-evaluation) when it
      // has: the manifest's metrics of an imported version are only what its uploader claimed.
      heldout: platformMetrics?.metrics ?? manifest.metrics,
    };
  }

  async function tensorReferenceOf(file: BundleFile, what: string): Promise<TensorDriftReference> {
    let bytes: Buffer;
    try {
      bytes = await client.downloadBlob(file.sha256);
    } catch (err) {
      throw registryError(err, `${DRIFT_REFERENCE_FILE} of ${what}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      json = null;
    }
    const parsed = tensorDriftReferenceSchema.safeParse(json);
    if (!parsed.success) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `${DRIFT_REFERENCE_FILE} of ${what} is not a valid drift reference (${parsed.error.issues[0]?.message ?? 'not JSON'}); retrain the version`,
      );
    }
    return parsed.data;
  }

  return {
    get(model, version) {
      const key = `${model}@${version}`;
      let pending = cache.get(key);
      if (!pending) {
        pending = load(model, version);
        // Failures are not cached: the registry may be back, or the version registered, later.
        pending.catch(() => cache.delete(key));
        cache.set(key, pending);
      }
      return pending;
    },
    async listModels() {
      try {
        const models = z
          .array(modelSchema)
          .parse(await client.api.models.list.query({ limit: 500 }));
        return models.map((m) => m.name);
      } catch (err) {
        throw registryError(err, 'the model list');
      }
    },
  };
}

/** In-memory references (tests, and a monitor run without a registry). */
export function staticProfileSource(
  references: Record<string, Reference>,
): ProfileSource & ModelSource {
  return {
    get(model, version) {
      const ref = references[`${model}@${version}`];
      if (!ref) {
        return Promise.reject(
          new AppError(
            'NOT_FOUND',
            `No training profile for version ${version} of model "${model}"`,
          ),
        );
      }
      return Promise.resolve(ref);
    },
    listModels() {
      return Promise.resolve([...new Set(Object.keys(references).map((k) => k.split('@')[0]!))]);
    },
  };
}
