import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

/**
 * A validator of Argo `Workflow` objects from the schema vendored in fixtures/argo. Upstream
 * leaves objects open (Kubernetes drops unknown fields on apply, silently); `strict` closes
 * every object that lists its properties, so a misspelled field fails here instead.
 */
const FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'argo',
  'workflow.schema.json',
);

type Schema = Record<string, unknown>;

function close(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Schema;
  if (s.properties && typeof s.properties === 'object') {
    if (s.additionalProperties === undefined) s.additionalProperties = false;
    Object.values(s.properties as Schema).forEach(close);
  }
  for (const key of ['items', 'additionalProperties'] as const) close(s[key]);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) (s[key] as unknown[]).forEach(close);
  }
}

export function argoWorkflowValidator(strict: boolean) {
  const schema = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { definitions: Schema };
  if (strict) Object.values(schema.definitions).forEach(close);
  const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  const validate = ajv.compile(schema);
  return (value: unknown): string[] =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message ?? ''}`);
}
