import { AppError } from './errors';
import { isResourceName } from './names';

/**
 * Which model version a caller means, as MLflow writes it: `models:/<name>/<version>` or
 * `models:/<name>@<alias>`. One parser for the CLI, serving's configuration, the registry's
 * MLflow API and `@mlops/client`, so the same string means the same version everywhere.
 * MLflow's stage form (`models:/<name>/Production`) has no stages to map to here and is refused.
 */
export type ModelRef =
  | { model: string; version: number; alias?: undefined }
  | { model: string; alias: string; version?: undefined };

const PREFIX = 'models:/';
const MAX_URI = 200;

export function isModelUri(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** Parse a `models:/` URI; a 400 naming `field` and what is wrong otherwise. */
export function parseModelUri(uri: string, field = 'uri'): ModelRef {
  const bad = (why: string): AppError =>
    new AppError('VALIDATION_FAILED', `${field}: ${JSON.stringify(uri.slice(0, MAX_URI))} ${why}`, [
      { path: field, message: why },
    ]);
  if (uri.length > MAX_URI) throw bad(`is longer than ${MAX_URI} characters`);
  if (!isModelUri(uri))
    throw bad('is not a model URI: write models:/<name>/<version> or models:/<name>@<alias>');
  const rest = uri.slice(PREFIX.length);
  const at = rest.indexOf('@');
  if (at >= 0) {
    const model = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    if (!isResourceName(model)) throw bad(`names an invalid model "${model}"`);
    if (!isResourceName(alias)) throw bad(`names an invalid alias "${alias}"`);
    return { model, alias };
  }
  const parts = rest.split('/');
  if (parts.length !== 2)
    throw bad('is not a model URI: write models:/<name>/<version> or models:/<name>@<alias>');
  const [model = '', version = ''] = parts;
  if (!isResourceName(model)) throw bad(`names an invalid model "${model}"`);
  if (!/^[1-9][0-9]{0,8}$/.test(version)) {
    throw bad(
      /^[A-Za-z]+$/.test(version)
        ? `names stage "${version}"; stages do not exist here: use an alias (models:/${model}@<alias>)`
        : `has version "${version}", which is not a positive integer`,
    );
  }
  return { model, version: Number(version) };
}

/** The URI of a reference (inverse of `parseModelUri`). */
export function formatModelUri(ref: ModelRef): string {
  return ref.alias !== undefined
    ? `${PREFIX}${ref.model}@${ref.alias}`
    : `${PREFIX}${ref.model}/${ref.version}`;
}
