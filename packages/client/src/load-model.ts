import {
  AppError,
  formatModelUri,
  parseModelUri,
  type ModelRef,
  type ModelVersion,
  type Prediction,
} from '@mlops/contracts';
import { initBackend, type BackendRequest } from '@mlops/ml/backend';
import {
  createPredictor,
  loadBundleModel,
  predictRows,
  type BundleModel,
  type Predictor,
} from '@mlops/ml/bundle';
import { checkRecords } from '@mlops/ml/records';
import { createRegistryClient, type RegistryClient } from './index';

// A registered model as an in-process dependency (issue #18 item 5): `models:/iris@champion`
// fetched from the registry, checked file by file against its manifest, and predicting through
// the same code serving predicts with (@mlops/ml's predictor and predictRows), so the answers
// are serving's. With an alias it follows the alias: a conditional poll of the alias, and on a
// move the new version is loaded and swapped in before the old one is freed.

export interface LoadModelOptions {
  registryUrl: string;
  token?: string;
  /** How often the alias is checked (default 500 ms); 0 never checks (a pinned load). */
  pollMs?: number;
  /** TF.js backend (default `auto`: native, else wasm, else cpu), as serving's SERVING_BACKEND. */
  backend?: BackendRequest;
  /** Called after a swap, and when a check or load fails (the current version stays). */
  onSwap?: (from: number, to: number) => void;
  onError?: (err: unknown) => void;
}

export interface LoadedModel {
  readonly uri: string;
  readonly model: string;
  /** The version predicting now. */
  readonly version: number;
  /** Raw feature records → predictions; a 400 AppError naming the field for a bad record. */
  predict(records: unknown[]): Prediction[];
  /** Stop following the alias and free the model, once a check in flight has finished. */
  close(): Promise<void>;
}

interface Current {
  version: ModelVersion;
  model: BundleModel;
  predictor: Predictor;
}

export async function loadModel(uri: string, opts: LoadModelOptions): Promise<LoadedModel> {
  const ref = parseModelUri(uri);
  await initBackend(opts.backend ?? 'auto');
  const client = createRegistryClient({
    url: opts.registryUrl,
    ...(opts.token ? { token: opts.token } : {}),
  });
  // Blobs are content-addressed: a file's sha256 is its ETag, so a version sharing files with
  // the one before (a copy, a re-registration) downloads nothing again.
  const blobs = new Map<string, Uint8Array>();
  let current = await loadVersion(client, await resolve(client, ref), blobs);
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: Promise<void> = Promise.resolve();

  const poll = async (): Promise<void> => {
    try {
      const next = await resolve(client, ref);
      if (closed || next.version === current.version.version) return;
      const loaded = await loadVersion(client, next, blobs);
      if (closed) return free(loaded);
      const old = current;
      current = loaded;
      free(old);
      opts.onSwap?.(old.version.version, loaded.version.version);
    } catch (err) {
      opts.onError?.(err);
    }
  };
  const schedule = (): void => {
    if (closed || ref.alias === undefined || opts.pollMs === 0) return;
    timer = setTimeout(() => {
      inflight = poll().finally(schedule);
    }, opts.pollMs ?? 500);
    // A Node process is not kept alive by the poll alone.
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();

  return {
    uri: formatModelUri(ref),
    model: ref.model,
    get version() {
      return current.version.version;
    },
    predict(records: unknown[]): Prediction[] {
      const { version, predictor } = current;
      const checked = checkRecords(version.manifest.signature, records);
      if (!checked.ok)
        throw new AppError(
          'VALIDATION_FAILED',
          `Rows do not match the signature of "${version.model}" v${version.version}`,
          checked.details,
        );
      return predictRows(predictor, version.manifest.preprocessing, checked.rows);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      // A check still in flight finishes first: its connection then idles and a server closing
      // at the same time is not kept waiting for it.
      await inflight;
      free(current);
    },
  };
}

async function resolve(client: RegistryClient, ref: ModelRef): Promise<ModelVersion> {
  return ref.alias !== undefined
    ? client.api.versions.resolve.query({ model: ref.model, alias: ref.alias })
    : client.api.versions.get.query({ model: ref.model, version: ref.version });
}

async function loadVersion(
  client: RegistryClient,
  version: ModelVersion,
  blobs: Map<string, Uint8Array>,
): Promise<Current> {
  const { manifest } = version;
  if (manifest.signature.tensors)
    throw new AppError(
      'VALIDATION_FAILED',
      `${version.model} v${version.version} is a tensor model; loadModel predicts feature records only`,
    );
  const files = new Map<string, Uint8Array>();
  for (const file of manifest.files) {
    let bytes = blobs.get(file.sha256);
    if (!bytes) {
      // downloadBlob checks the sha256; loadBundleModel checks every file against the manifest.
      bytes = new Uint8Array(await client.downloadBlob(file.sha256));
      blobs.set(file.sha256, bytes);
    }
    files.set(file.path, bytes);
  }
  const model = await loadBundleModel(manifest, files);
  try {
    return { version, model, predictor: createPredictor(model, manifest.preprocessing.inputWidth) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function free(c: Current): void {
  c.predictor.dispose();
  c.model.dispose();
}
