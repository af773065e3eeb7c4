import { z } from 'zod';
import { sha256Schema } from './names';
import { datasetsApi } from './api/datasets';
import { runsApi } from './api/runs';
import { modelsApi } from './api/models';
import { versionsApi } from './api/versions';
import { aliasesApi } from './api/aliases';
import { artifactsApi, authApi, policiesApi, webhooksApi, tokensApi } from './api/governance';
import { eventsApi } from './api/events';
import { evaluationsApi } from './api/evaluations';
import { pipelinesApi } from './api/pipelines';
import { lineageApi } from './api/lineage';

/**
 * The registry's tRPC procedures, one group per file under `./api/`: one input and one output
 * schema each. The registry wires a procedure per entry
 * (`apps/registry/src/trpc/procedures/<group>/<name>.ts`); every other app calls them through
 * `@mlops/client`. `mutation: true` procedures need a bearer token with the procedure's scope.
 */
export const registryApi = strictMutations({
  datasets: datasetsApi,
  runs: runsApi,
  models: modelsApi,
  versions: versionsApi,
  evaluations: evaluationsApi,
  aliases: aliasesApi,
  artifacts: artifactsApi,
  policies: policiesApi,
  webhooks: webhooksApi,
  tokens: tokensApi,
  auth: authApi,
  events: eventsApi,
  pipelines: pipelinesApi,
  lineage: lineageApi,
} as const);

type ProcedureTable = Record<string, Record<string, { mutation: boolean; input: z.ZodType }>>;

/**
 * Every mutation refuses unknown keys at the top of its input instead of dropping them:
 * `artifacts.gc` with a misspelled `dryRun` used to run a real collection. One place, so a
 * procedure added later is strict too; the static types are unchanged (strictness is a
 * runtime property of the schema). Nested objects still drop unknown keys.
 */
function strictMutations<T extends ProcedureTable>(api: T): T {
  const strict = Object.fromEntries(
    Object.entries(api).map(([group, procedures]) => [
      group,
      Object.fromEntries(
        Object.entries(procedures).map(([name, p]) => [
          name,
          p.mutation ? { ...p, input: strictObject(p.input, `${group}.${name}`) } : p,
        ]),
      ),
    ]),
  );
  return strict as T;
}

function strictObject(schema: z.ZodType, where: string): z.ZodType {
  if (schema instanceof z.ZodObject) return schema.strict();
  // A new kind of mutation input must be made strict here, not silently left lenient.
  throw new Error(`registryApi.${where}: a mutation input must be a z.object to be made strict`);
}

/** Answer of `POST /api/blobs` (streamed upload of one artifact). */
export const blobRefSchema = z.object({
  sha256: sha256Schema,
  size: z.number().int().nonnegative(),
});
export type BlobRef = z.infer<typeof blobRefSchema>;

/** REST routes that stream bodies (tRPC carries JSON only). */
export const REGISTRY_REST = {
  /** POST, body = CSV / JSON array / JSON Lines; query: DatasetUploadQuery. Answers a DatasetVersion. */
  uploadDataset: (name: string) => `/api/datasets/${encodeURIComponent(name)}`,
  /** GET: canonical JSON Lines rows (arrays in schema column order). */
  datasetRows: (name: string, version: number) =>
    `/api/datasets/${encodeURIComponent(name)}/versions/${version}/rows`,
  /** POST, body = bytes; optional header `x-content-sha256` is verified. Answers a BlobRef. */
  uploadBlob: () => '/api/blobs',
  /** GET: the bytes, with header `x-content-sha256`. */
  blob: (sha256: string) => `/api/blobs/${sha256}`,
  trpc: '/trpc',
} as const;

/** Header carrying the expected sha256 of a streamed upload. */
export const CONTENT_SHA256_HEADER = 'x-content-sha256';
