import { z } from 'zod';
import { platformEventSchema } from './events';
import { datasetVersionSchema, datasetVersionSummarySchema } from './dataset';
import { aliasSchema, bundleManifestSchema, modelSchema, modelVersionSchema } from './model';
import { aliasNameSchema, idSchema, resourceNameSchema, sha256Schema } from './names';
import {
  backendNameSchema,
  metricsSchema,
  runProgressSchema,
  runSchema,
  runStatusSchema,
  trainingSpecSchema,
} from './training';

/**
 * The registry's tRPC procedures: one input and one output schema each. The registry wires a
 * procedure per entry (`apps/registry/src/trpc/procedures/<group>/<name>.ts`); every other app
 * calls them through `@mlops/client`. `mutation: true` procedures need a bearer token.
 */
const modelRef = z.object({ model: resourceNameSchema });
const versionRef = z.object({ model: resourceNameSchema, version: z.number().int().positive() });
const listLimit = z.number().int().min(1).max(500).default(100);

export const registryApi = {
  datasets: {
    list: {
      mutation: false,
      input: z.object({ name: resourceNameSchema.optional(), limit: listLimit }),
      output: z.array(datasetVersionSummarySchema),
    },
    get: {
      mutation: false,
      input: z.object({
        name: resourceNameSchema,
        version: z.number().int().positive().optional(),
      }),
      output: datasetVersionSchema,
    },
  },
  runs: {
    create: { mutation: true, input: trainingSpecSchema, output: runSchema },
    get: { mutation: false, input: z.object({ id: idSchema }), output: runSchema },
    list: {
      mutation: false,
      input: z.object({
        model: resourceNameSchema.optional(),
        status: runStatusSchema.optional(),
        limit: listLimit,
      }),
      output: z.array(runSchema),
    },
    /** Called by the trainer when it picks the job up. */
    start: {
      mutation: true,
      input: z.object({ id: idSchema, backend: backendNameSchema }),
      output: runSchema,
    },
    progress: {
      mutation: true,
      input: z.object({ id: idSchema, progress: runProgressSchema }),
      output: z.object({ ok: z.literal(true) }),
    },
    /** Registers nothing itself: the trainer creates the version first, then completes the run. */
    complete: {
      mutation: true,
      input: z.object({
        id: idSchema,
        metrics: metricsSchema,
        version: z.number().int().positive(),
      }),
      output: runSchema,
    },
    fail: {
      mutation: true,
      input: z.object({ id: idSchema, error: z.string().max(4_000) }),
      output: runSchema,
    },
  },
  models: {
    list: { mutation: false, input: z.object({ limit: listLimit }), output: z.array(modelSchema) },
    get: { mutation: false, input: z.object({ name: resourceNameSchema }), output: modelSchema },
  },
  versions: {
    list: {
      mutation: false,
      input: modelRef.extend({ limit: listLimit }),
      output: z.array(modelVersionSchema),
    },
    get: { mutation: false, input: versionRef, output: modelVersionSchema },
    resolve: {
      mutation: false,
      input: modelRef.extend({ alias: aliasNameSchema }),
      output: modelVersionSchema,
    },
    /**
     * Every file of the manifest must already be stored (POST /api/blobs) with that sha256 and
     * size. `runId` makes registration idempotent: a second call for the same run returns the
     * version the first one created.
     */
    create: {
      mutation: true,
      input: modelRef.extend({
        manifest: bundleManifestSchema,
        runId: idSchema.nullable().default(null),
      }),
      output: modelVersionSchema,
    },
  },
  aliases: {
    list: { mutation: false, input: modelRef, output: z.array(aliasSchema) },
    /** Create or move an alias; publishes `alias.moved`. */
    set: {
      mutation: true,
      input: versionRef.extend({ alias: aliasNameSchema }),
      output: aliasSchema,
    },
    delete: {
      mutation: true,
      input: modelRef.extend({ alias: aliasNameSchema }),
      output: z.object({ deleted: z.boolean() }),
    },
  },
  events: {
    recent: {
      mutation: false,
      input: z.object({ limit: listLimit }),
      output: z.array(platformEventSchema),
    },
  },
} as const;

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
