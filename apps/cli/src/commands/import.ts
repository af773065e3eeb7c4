import fs from 'node:fs';
import path from 'node:path';
import {
  AppError,
  registryApi,
  taskSchema,
  zodIssuesToDetails,
  type BundleFile,
  type ModelVersion,
  type Task,
} from '@mlops/contracts';
import type { z } from 'zod';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { imageDeclaration, readLabels, type TensorImportFlags } from './import-flags';

export interface ImportOptions extends TensorImportFlags {
  model: string;
  /** Tabular models (and tensor declarations beyond --image); absent: a tensor model. */
  signature?: string;
  task?: string;
  target?: string;
}

/** The signature file: what versions.import takes besides the model name and the files. */
const signatureFileSchema = registryApi.versions.import.input
  .pick({
    task: true,
    target: true,
    inputs: true,
    tensorInputs: true,
    outputs: true,
    labels: true,
    metrics: true,
    description: true,
  })
  .partial({ target: true, task: true });

type SignatureFile = z.infer<typeof signatureFileSchema>;

/**
 * The declarations: the signature file when given, then the flags on top (`--image` adds or
 * replaces the image input's declaration, `--labels` the labels). Without a signature file the
 * model is a tensor model whose signature the registry reads from model.json.
 */
function declarations(opts: ImportOptions): SignatureFile & { task: Task; target: string } {
  let file: SignatureFile = { inputs: [] };
  if (opts.signature) {
    const parsed = signatureFileSchema.safeParse(readJson(opts.signature, 'signature file'));
    if (!parsed.success)
      throw new AppError(
        'VALIDATION_FAILED',
        `signature file ${opts.signature} is not {task, target, inputs | tensorInputs, labels?}`,
        zodIssuesToDetails(parsed.error.issues),
      );
    file = parsed.data;
  }
  const task = taskSchema.safeParse(opts.task ?? file.task ?? 'classification');
  if (!task.success)
    throw new AppError('VALIDATION_FAILED', `--task must be classification or regression`, [
      { path: '--task', message: 'classification or regression' },
    ]);
  const image = imageDeclaration(opts);
  const tensorInputs = image
    ? [...(file.tensorInputs ?? []).filter((d) => d.name !== image.name), image]
    : file.tensorInputs;
  return {
    ...file,
    task: task.data,
    target: opts.target ?? file.target ?? 'label',
    ...(tensorInputs ? { tensorInputs } : {}),
    ...(opts.labels ? { labels: readLabels(opts.labels) } : {}),
  };
}

/** `input_1 [-1, 224, 224, 3] image` for each tensor input. */
function describeTensors(version: ModelVersion): string {
  const inputs = version.manifest.signature.tensors?.inputs ?? [];
  return inputs
    .map((i) => `${i.name} [${i.shape.join(', ')}]${i.kind === 'image' ? ' image' : ''}`)
    .join(', ');
}

/** The weight file names model.json lists (the registry checks the rest of it), or null. */
function weightPaths(json: unknown): string[] | null {
  if (typeof json !== 'object' || json === null) return null;
  const groups = (json as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(groups) || groups.length === 0) return null;
  const paths: string[] = [];
  for (const group of groups as unknown[]) {
    const list = (group as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) return null;
    paths.push(...list);
  }
  return paths;
}

const MODEL_JSON = 'model.json';
const PROFILE_JSON = 'profile.json';

function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `${what} not found: ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    throw new AppError('VALIDATION_FAILED', `${what} ${file} is not JSON`);
  }
}

/**
 * Bring your own model: upload a TF.js model directory (model.json + the weight files it names,
 * plus profile.json when present), or an ONNX file (`model.onnx`), and register it with the declared signature, or, without
 * scalar inputs, as a tensor model whose signature the registry reads from the model.
 */
export async function importModel(
  ctx: CliContext,
  dir: string,
  opts: ImportOptions,
): Promise<void> {
  const declared = declarations(opts);
  if (dir.endsWith('.onnx')) return register(ctx, opts, declared, onnxFiles(dir));
  const weights = weightPaths(readJson(path.join(dir, MODEL_JSON), MODEL_JSON));
  if (!weights)
    throw new AppError(
      'VALIDATION_FAILED',
      `${path.join(dir, MODEL_JSON)} is not a TF.js model.json (no weightsManifest)`,
    );
  const names = [MODEL_JSON, ...weights];
  if (fs.existsSync(path.join(dir, PROFILE_JSON))) names.push(PROFILE_JSON);

  const local: LocalFile[] = [];
  for (const name of names) {
    // Bundle files are plain names; never follow a path out of the directory.
    if (name !== path.basename(name))
      throw new AppError(
        'VALIDATION_FAILED',
        `${MODEL_JSON} names "${name}", not a plain file name`,
      );
    const file = path.join(dir, name);
    if (!fs.existsSync(file))
      throw new AppError('NOT_FOUND', `${MODEL_JSON} names ${name}, which is not in ${dir}`);
    local.push({ path: name, file });
  }
  return register(ctx, opts, declared, local);
}

/**
 * An ONNX graph file, stored as `model.onnx`, with the `profile.json` beside it when there is
 * one (the drift reference, as for a TF.js directory). The registry reads and checks the graph.
 */
function onnxFiles(file: string): LocalFile[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new AppError('NOT_FOUND', `ONNX file not found: ${file}`);
  const local: LocalFile[] = [{ path: 'model.onnx', file }];
  const profile = path.join(path.dirname(file), PROFILE_JSON);
  if (fs.existsSync(profile)) local.push({ path: PROFILE_JSON, file: profile });
  return local;
}

interface LocalFile {
  /** Its name in the bundle. */
  path: string;
  file: string;
}

async function register(
  ctx: CliContext,
  opts: ImportOptions,
  declared: ReturnType<typeof declarations>,
  local: readonly LocalFile[],
): Promise<void> {
  const files: BundleFile[] = [];
  for (const { path: name, file } of local) {
    const ref = await ctx.client.uploadBlob(fs.readFileSync(file));
    files.push({ path: name, sha256: ref.sha256, size: ref.size });
  }
  const version = await ctx.client.api.versions.import.mutate({
    model: opts.model,
    ...declared,
    files,
  });
  if (ctx.json) return printJson(version);
  const inputs = version.manifest.signature.tensors
    ? `inputs ${describeTensors(version)}`
    : `input width ${version.manifest.preprocessing.inputWidth}`;
  const onnx = version.manifest.onnx;
  const graph = onnx ? `, ONNX opset ${onnx.opsetVersion} from ${onnx.producer}` : '';
  process.stdout.write(
    `imported ${version.model} v${version.version} (${version.manifest.task}, ${files.length} files, ${inputs}${graph})\n`,
  );
}
