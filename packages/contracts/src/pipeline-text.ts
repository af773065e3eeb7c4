import { parse as parseYaml } from 'yaml';
import { formatIssues, pipelineDefinitionSchema, type PipelineDefinition } from './pipeline';

/**
 * A definition from the text of a `.yaml`/`.yml`/`.json` file (YAML is a superset of JSON, so
 * one parser reads both). Throws one message naming every bad field.
 */
export function parsePipelineText(text: string): PipelineDefinition {
  let doc: unknown;
  try {
    // No custom tags, no aliases blow-up: plain data only.
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new Error(`pipeline file is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const parsed = pipelineDefinitionSchema.safeParse(doc);
  if (!parsed.success) throw new Error(`pipeline definition: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** The JSON a definition hashes and is stored as: keys sorted, so formatting does not matter. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
