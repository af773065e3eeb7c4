import fs from 'node:fs';
import {
  AppError,
  imageDecodingSchema,
  zodIssuesToDetails,
  type TensorInputDeclaration,
} from '@mlops/contracts';

/** The flags of `mlops import` that declare a tensor model's image input and its labels. */
export interface TensorImportFlags {
  image?: string;
  scale?: string;
  mean?: string;
  std?: string;
  resize?: string;
  labels?: string;
}

function invalid(flag: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `${flag}: ${message}`, [{ path: flag, message }]);
}

/** `1/255`, `0.00392`, `1`: a positive finite number. */
export function parseScale(text: string): number {
  const m = /^\s*([0-9.eE+-]+)\s*(?:\/\s*([0-9.eE+-]+)\s*)?$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!(value > 0) || !Number.isFinite(value))
    throw invalid('--scale', `"${text}" is not a positive number or fraction such as 1/255`);
  return value;
}

function numbers(flag: string, text: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v)))
    throw invalid(flag, `"${text}" is not a comma-separated list of numbers`);
  return values;
}

/**
 * `--image [name=]HxWxC` with `--scale`, `--mean`, `--std`, `--resize`: the declaration of one
 * image input (the name may be left out for a single-input model). Null without `--image`.
 */
export function imageDeclaration(flags: TensorImportFlags): TensorInputDeclaration | null {
  if (!flags.image) {
    for (const flag of ['scale', 'mean', 'std', 'resize'] as const)
      if (flags[flag] !== undefined) throw invalid(`--${flag}`, 'only with --image HxWxC');
    return null;
  }
  const m = /^(?:([^=]+)=)?(\d+)x(\d+)x(\d+)$/.exec(flags.image.trim());
  if (!m)
    throw invalid(
      '--image',
      `"${flags.image}" is not [name=]HEIGHTxWIDTHxCHANNELS, e.g. 224x224x3`,
    );
  const parsed = imageDecodingSchema.safeParse({
    height: Number(m[2]),
    width: Number(m[3]),
    channels: Number(m[4]),
    ...(flags.resize !== undefined ? { resize: flags.resize } : {}),
    ...(flags.scale !== undefined ? { scale: parseScale(flags.scale) } : {}),
    ...(flags.mean !== undefined ? { mean: numbers('--mean', flags.mean) } : {}),
    ...(flags.std !== undefined ? { std: numbers('--std', flags.std) } : {}),
  });
  if (!parsed.success)
    throw new AppError(
      'VALIDATION_FAILED',
      `--image ${flags.image}: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`,
      zodIssuesToDetails(parsed.error.issues),
    );
  return { ...(m[1] ? { name: m[1] } : {}), image: parsed.data };
}

/** `--labels labels.txt`: one label per non-empty line, in output order. */
export function readLabels(file: string): string[] {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `labels file not found: ${file}`);
  const labels = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (labels.length < 2)
    throw invalid('--labels', `${file} has ${labels.length} labels; at least 2`);
  return labels;
}
