import type { JsonValue, PipelineDefinition } from './pipeline';

// Type-only imports: the definition schema checks trigger params with this, so it cannot
// import pipeline-run.ts (which builds on that schema).

/**
 * The run's parameters: the given ones checked against the declared types (CLI strings such as
 * `--param epochs=20` are coerced), defaults filled in. Issues name `parameters.<name>`.
 */
export function resolvePipelineParameters(
  def: Pick<PipelineDefinition, 'parameters'>,
  given: Record<string, unknown>,
): { ok: true; value: Record<string, JsonValue> } | { ok: false; issues: string[] } {
  const issues: string[] = [];
  const value: Record<string, JsonValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(def.parameters, name)) issues.push(`parameters.${name}: unknown parameter`);
  }
  for (const [name, spec] of Object.entries(def.parameters)) {
    const raw = Object.hasOwn(given, name) ? given[name] : spec.default;
    const at = `parameters.${name}`;
    if (raw === undefined) {
      issues.push(`${at}: required (no default)`);
      continue;
    }
    if (spec.type === 'string') {
      if (typeof raw !== 'string') issues.push(`${at}: must be a string`);
      else if (spec.enum && !spec.enum.includes(raw)) {
        issues.push(`${at}: must be one of ${spec.enum.join(', ')}`);
      } else value[name] = raw;
    } else if (spec.type === 'boolean') {
      const b = raw === 'true' ? true : raw === 'false' ? false : raw;
      if (typeof b !== 'boolean') issues.push(`${at}: must be true or false`);
      else value[name] = b;
    } else {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) issues.push(`${at}: must be a number`);
      else if (spec.type === 'integer' && !Number.isInteger(n)) {
        issues.push(`${at}: must be an integer`);
      } else if (spec.min !== undefined && n < spec.min)
        issues.push(`${at}: must be >= ${spec.min}`);
      else if (spec.max !== undefined && n > spec.max) issues.push(`${at}: must be <= ${spec.max}`);
      else value[name] = n;
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, value };
}
