import {
  AppError,
  BUNDLE_FORMAT_VERSION,
  trainingProfileSchema,
  type BundleFile,
  type BundleManifest,
  type ErrorDetail,
  type ModelVersion,
  type Signature,
  externalLineage,
} from '@mlops/contracts';
import { initBackend } from '@mlops/ml/backend';
import {
  MODEL_JSON,
  checkModelFits,
  importedPreprocessing,
  loadBundleModel,
  loadTensorModel,
  parseModelJson,
  resolveTensorSignature,
  weightPathsOf,
} from '@mlops/ml/bundle';
import type { RegistryDeps } from '../deps';
import {
  checkedManifest,
  invalid,
  refuseTensorFields,
  tensorManifest,
  type ImportInput,
} from './import-manifest';
import { readAll } from './read-all';
import { registerVersion } from './versions';

export { invalid, type ImportInput } from './import-manifest';

export const PROFILE_JSON = 'profile.json';

/** The output contract from task/target/labels; labels only (and always) for classification. */
export function signatureOf(input: ImportInput): Signature {
  const inputs = input.inputs.map(({ name, type, nullable, categories }) => ({
    name,
    type,
    nullable,
    ...(categories ? { categories } : {}),
  }));
  const names = new Set<string>();
  for (const [i, col] of inputs.entries()) {
    if (names.has(col.name))
      throw invalid(`input "${col.name}" is declared twice`, [
        { path: `inputs[${i}].name`, message: 'duplicate input name' },
      ]);
    if (col.name === input.target)
      throw invalid(`input "${col.name}" is the target`, [
        { path: `inputs[${i}].name`, message: 'the target cannot be an input' },
      ]);
    names.add(col.name);
  }
  if (input.task === 'classification') {
    if (!input.labels)
      throw invalid('a classification model needs its labels', [
        { path: 'labels', message: 'required for classification: labels[i] is output column i' },
      ]);
    if (new Set(input.labels).size !== input.labels.length)
      throw invalid('labels must be unique', [{ path: 'labels', message: 'duplicate label' }]);
    return {
      inputs,
      output: { task: 'classification', target: input.target, labels: input.labels },
    };
  }
  if (input.labels)
    throw invalid('a regression model has no labels', [
      { path: 'labels', message: 'only for classification' },
    ]);
  return { inputs, output: { task: 'regression', target: input.target } };
}

/**
 * The files as stored: unique paths, each in the store with its declared size, `required`
 * (model.json, or an ONNX import's graph) among them. Answers the bytes by path (models small
 * enough for one blob upload each).
 */
export async function fetchFiles(
  deps: RegistryDeps,
  files: BundleFile[],
  required: { path: string; what: string } = {
    path: MODEL_JSON,
    what: 'TF.js topology + weightsManifest',
  },
): Promise<Map<string, Uint8Array>> {
  const seen = new Set<string>();
  const problems: ErrorDetail[] = [];
  for (const [i, file] of files.entries()) {
    if (seen.has(file.path))
      problems.push({ path: `files[${i}].path`, message: `${file.path} is listed twice` });
    seen.add(file.path);
  }
  if (!seen.has(required.path))
    problems.push({ path: 'files', message: `${required.path} (${required.what}) is required` });
  if (problems.length > 0) throw invalid('the files of an imported model are not usable', problems);

  const missing: ErrorDetail[] = [];
  for (const [i, file] of files.entries()) {
    const stored = await deps.store.has(file.sha256);
    if (!stored)
      missing.push({
        path: `files[${i}]`,
        message: `${file.path} (${file.sha256}) is not stored; upload it with POST /api/blobs first`,
      });
    else if (stored.size !== file.size)
      missing.push({
        path: `files[${i}].size`,
        message: `${file.path} is ${stored.size} bytes in the store, not ${file.size}`,
      });
  }
  if (missing.length > 0)
    throw new AppError(
      'PRECONDITION_FAILED',
      'the import names files that are not stored as described',
      missing,
    );

  const bytes = new Map<string, Uint8Array>();
  for (const file of files) bytes.set(file.path, await readAll(await deps.store.get(file.sha256)));
  return bytes;
}

/** model.json's weightsManifest must name exactly the other files (profile.json aside). */
function checkWeightFiles(files: BundleFile[], modelBytes: Uint8Array): void {
  const modelJson = parseModelJson(modelBytes, 'VALIDATION_FAILED');
  const named = weightPathsOf(modelJson);
  const given = new Set(
    files.map((f) => f.path).filter((p) => p !== MODEL_JSON && p !== PROFILE_JSON),
  );
  const problems: ErrorDetail[] = [];
  for (const path of named)
    if (!given.has(path))
      problems.push({
        path: 'files',
        message: `weight file ${path} named by ${MODEL_JSON} is missing: upload and list it`,
      });
  for (const path of given)
    if (!named.includes(path))
      problems.push({
        path: 'files',
        message: `${path} is not a weight file of ${MODEL_JSON} (only ${PROFILE_JSON} may be added)`,
      });
  if (problems.length > 0)
    throw invalid(`the files do not match the weightsManifest of ${MODEL_JSON}`, problems);
}

export function checkProfile(files: BundleFile[], bytes: ReadonlyMap<string, Uint8Array>): void {
  const raw = bytes.get(PROFILE_JSON);
  if (!raw) return;
  const i = files.findIndex((f) => f.path === PROFILE_JSON);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw invalid(`${PROFILE_JSON} is not JSON`, [
      { path: `files[${i}]`, message: 'not valid JSON' },
    ]);
  }
  const parsed = trainingProfileSchema.safeParse(json);
  if (!parsed.success)
    throw invalid(`${PROFILE_JSON} is not a dataset profile`, [
      { path: `files[${i}]`, message: parsed.error.issues[0]?.message ?? 'invalid' },
    ]);
}

/** The stored files, checked against model.json (and profile.json when present). */
async function importedFiles(
  deps: RegistryDeps,
  input: ImportInput,
): Promise<Map<string, Uint8Array>> {
  const bytes = await fetchFiles(deps, input.files);
  checkWeightFiles(input.files, bytes.get(MODEL_JSON) ?? new Uint8Array());
  checkProfile(input.files, bytes);
  return bytes;
}

export async function register(
  deps: RegistryDeps,
  input: ImportInput,
  manifest: BundleManifest,
): Promise<ModelVersion> {
  const version = await registerVersion(deps, { model: input.model, manifest, runId: null });
  if (input.description !== undefined) {
    await deps.db
      .updateTable('models')
      .set({ description: input.description })
      .where('name', '=', input.model)
      .execute();
  }
  return version;
}

/**
 * Register an externally trained TF.js model like a trained one: same manifest, same numbering
 * and events (through registerVersion). The model is loaded once here so a bundle serving could
 * not load, or whose widths do not fit the declared signature, is refused before it exists.
 * Without scalar `inputs` it is a tensor model (importTensorVersion).
 */
export async function importVersion(deps: RegistryDeps, input: ImportInput): Promise<ModelVersion> {
  if (input.inputs.length === 0) return importTensorVersion(deps, input);
  refuseTensorFields(input);
  const signature = signatureOf(input);
  const preprocessing = importedPreprocessing(input.inputs, signature);
  const bytes = await importedFiles(deps, input);

  const manifest: BundleManifest = {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: input.task,
    signature,
    preprocessing,
    metrics: input.metrics ?? {},
    lineage: externalLineage('imported'),
    files: input.files,
  };

  await initBackend();
  const model = await loadBundleModel(manifest, bytes).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    throw invalid(`the model cannot be loaded by TF.js: ${message}`, [{ path: 'files', message }]);
  });
  try {
    const problems = checkModelFits(model, preprocessing);
    if (problems.length > 0)
      throw invalid('the model does not fit the declared signature', problems);
  } finally {
    model.dispose();
  }
  return register(deps, input, manifest);
}

/**
 * A tensor model (images, several named inputs): its signature is read from the model and what
 * the import declares, checked by one run on zeros (resolveTensorSignature); the preprocessing
 * carries only the target, the image decoding lives in the signature's inputs.
 */
async function importTensorVersion(deps: RegistryDeps, input: ImportInput): Promise<ModelVersion> {
  if (input.labels && new Set(input.labels).size !== input.labels.length)
    throw invalid('labels must be unique', [{ path: 'labels', message: 'duplicate label' }]);
  const bytes = await importedFiles(deps, input);
  await initBackend();
  const model = await loadTensorModel({ files: input.files }, bytes).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    throw invalid(`the model cannot be loaded by TF.js: ${message}`, [{ path: 'files', message }]);
  });
  const resolved = (() => {
    try {
      return resolveTensorSignature(model, {
        task: input.task,
        inputs: input.tensorInputs,
        outputs: input.outputs,
        labels: input.labels,
      });
    } finally {
      model.dispose();
    }
  })();
  if (!resolved.ok)
    throw invalid('the model does not fit the declared tensor signature', resolved.problems);

  return register(deps, input, checkedManifest(tensorManifest(input, resolved)));
}
