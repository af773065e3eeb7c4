import { ConfigError } from '@mlops/config';
import { AppError, isModelUri, parseModelUri } from '@mlops/contracts';

/**
 * `SERVING_MODELS` may name what serving follows as MLflow writes it:
 * `SERVING_MODELS=models:/iris@champion,models:/wine@champion`. Serving follows one alias for
 * all its models (SERVING_ALIAS), so the URIs must agree on it, and with SERVING_ALIAS when
 * that is set too; they become the plain list and the alias. `models:/iris/3` is refused:
 * serving follows an alias, a fixed version is an alias pointed at it.
 */
export function modelUrisToEnv(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const raw = env.SERVING_MODELS ?? '';
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!entries.some(isModelUri)) return env;
  const aliases = new Set<string>();
  const names = entries.map((entry) => {
    if (!isModelUri(entry)) return entry;
    let ref;
    try {
      ref = parseModelUri(entry, 'SERVING_MODELS');
    } catch (err) {
      throw new ConfigError(
        `Invalid environment configuration:\n  ${err instanceof AppError ? err.message : String(err)}`,
      );
    }
    if (ref.alias === undefined)
      throw new ConfigError(
        `Invalid environment configuration:\n  SERVING_MODELS: "${entry}" pins version ${ref.version}; serving follows an alias: point one at it (mlops promote ${entry} <alias>) and write models:/${ref.model}@<alias>`,
      );
    aliases.add(ref.alias);
    return ref.model;
  });
  const explicit = env.SERVING_ALIAS ? [env.SERVING_ALIAS] : [];
  const all = new Set([...aliases, ...explicit]);
  if (all.size > 1)
    throw new ConfigError(
      `Invalid environment configuration:\n  SERVING_MODELS: the models:/ URIs${explicit.length ? ' and SERVING_ALIAS' : ''} name different aliases (${[...all].join(', ')}); serving follows one alias for all its models`,
    );
  return { ...env, SERVING_MODELS: names.join(','), SERVING_ALIAS: [...all][0] };
}
