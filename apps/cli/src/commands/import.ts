import fs from 'node:fs';
import path from 'node:path';
import { AppError, registryApi, zodIssuesToDetails, type BundleFile } from '@mlops/contracts';
import type { CliContext } from '../context';
import { printJson } from '../output';

export interface ImportOptions {
  model: string;
  signature: string;
}

/** The signature file: what versions.import takes besides the model name and the files. */
const signatureFileSchema = registryApi.versions.import.input.pick({
  task: true,
  target: true,
  inputs: true,
  labels: true,
  metrics: true,
  description: true,
});

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
 * plus profile.json when present) and register it with the declared signature.
 */
export async function importModel(
  ctx: CliContext,
  dir: string,
  opts: ImportOptions,
): Promise<void> {
  const signature = signatureFileSchema.safeParse(readJson(opts.signature, 'signature file'));
  if (!signature.success)
    throw new AppError(
      'VALIDATION_FAILED',
      `signature file ${opts.signature} is not {task, target, inputs, labels?}`,
      zodIssuesToDetails(signature.error.issues),
    );
  const weights = weightPaths(readJson(path.join(dir, MODEL_JSON), MODEL_JSON));
  if (!weights)
    throw new AppError(
      'VALIDATION_FAILED',
      `${path.join(dir, MODEL_JSON)} is not a TF.js model.json (no weightsManifest)`,
    );
  const names = [MODEL_JSON, ...weights];
  if (fs.existsSync(path.join(dir, PROFILE_JSON))) names.push(PROFILE_JSON);

  const files: BundleFile[] = [];
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
    const ref = await ctx.client.uploadBlob(fs.readFileSync(file));
    files.push({ path: name, sha256: ref.sha256, size: ref.size });
  }
  const version = await ctx.client.api.versions.import.mutate({
    model: opts.model,
    ...signature.data,
    files,
  });
  if (ctx.json) return printJson(version);
  process.stdout.write(
    `imported ${version.model} v${version.version} (${version.manifest.task}, ${files.length} files, input width ${version.manifest.preprocessing.inputWidth})\n`,
  );
}
